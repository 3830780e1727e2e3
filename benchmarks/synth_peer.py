"""Run one peer synthesizer in the scratch virtualenv /work/synthpeer (never the project's):

    /work/synthpeer/bin/python benchmarks/synth_peer.py METHOD EPSILON IN.csv OUT.csv SEED

METHOD: snsynth-mst, snsynth-aim (smartnoise-synth, ε spent with δ = 1e-6, 10% of ε on its
preprocessor's bounds) or sdv-copula (SDV GaussianCopula, no privacy). Prints the seconds the
fit and sample took. Called by benchmarks/synth.py.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd


def main() -> None:
    method, eps, src, dst, seed = (
        sys.argv[1],
        float(sys.argv[2]),
        sys.argv[3],
        sys.argv[4],
        int(sys.argv[5]),
    )
    df = pd.read_csv(src)
    num = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    cat = [c for c in df.columns if c not in num]
    np.random.seed(seed)
    t = time.perf_counter()
    if method.startswith("snsynth"):
        from snsynth import Synthesizer

        s = Synthesizer.create(method.split("-")[1], epsilon=eps, delta=1e-6, verbose=False)
        out = s.fit_sample(
            df, preprocessor_eps=0.1 * eps, categorical_columns=cat, continuous_columns=num
        )
    else:
        from sdv.metadata import Metadata
        from sdv.single_table import GaussianCopulaSynthesizer

        meta = Metadata.detect_from_dataframes({"adult": df})
        s = GaussianCopulaSynthesizer(meta)
        s.fit({"adult": df})
        out = s.sample(len(df))
        out = out["adult"] if isinstance(out, dict) else out
    secs = time.perf_counter() - t
    out.to_csv(dst, index=False)
    print(f"{secs:.3f}")


if __name__ == "__main__":
    main()
