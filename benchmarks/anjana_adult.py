"""Run anjana's greedy k-anonymity on prepared Adult data; meant for anjana's own virtualenv.

    benchmarks/.venv-anjana/bin/python benchmarks/anjana_adult.py DIR --k 5 --suppression 1

``DIR`` holds ``data.csv`` (the quasi-identifier columns) and ``hierarchies.json`` (per column,
level -> list of values, rows aligned, as anjana takes them), both written by
``benchmarks/anonymize.py``. Writes the anonymised rows to ``DIR/anjana_k{k}_s{s}.csv`` and
prints one JSON line: seconds (the anonymisation call only, warm interpreter), levels chosen,
records suppressed. Imports nothing from datanuri: anjana pins its own numpy and pycanon.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd
from anjana.anonymity._k_anonymity import k_anonymity_inner


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", type=Path)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--suppression", type=float, default=0.0, help="percent of records, 0-100")
    args = ap.parse_args()
    data = pd.read_csv(args.dir / "data.csv")
    raw = json.loads((args.dir / "hierarchies.json").read_text(encoding="utf-8"))
    hierarchies = {
        col: {int(level): values for level, values in levels.items()} for col, levels in raw.items()
    }
    qi = list(hierarchies)
    t0 = time.perf_counter()
    with redirect_stdout(io.StringIO()):  # anjana prints progress notes
        released, suppressed, levels = k_anonymity_inner(
            data, [], qi, args.k, args.suppression, hierarchies
        )
    seconds = time.perf_counter() - t0
    out = args.dir / f"anjana_k{args.k}_s{args.suppression:g}.csv"
    released[qi].to_csv(out, index=False)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "levels": {c: int(v) for c, v in levels.items()},
                "suppressed": int(suppressed),
                "rows": int(len(released)),
                "output": str(out),
            }
        )
    )


if __name__ == "__main__":
    main()
