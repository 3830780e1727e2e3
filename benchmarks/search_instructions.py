"""Instruction counts of the optimal lattice search on UCI Adult, for comparing two checkouts
when wall-clock timings are too noisy (shared machines). callgrind counts instructions, which
repeat exactly for the same code and data.

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        .venv/bin/python benchmarks/search_instructions.py --root . --runs 1 --loss precision
    (the same with --runs 4; per search = (total(4) - total(1)) / 3, from the "Collected" lines)

``--root`` is the checkout whose ``datanuri`` is measured (put it on PYTHONPATH as well for a
checkout other than the installed one); ``--adult`` the data file. 5-anonymity, 1 % suppression,
the standard 8 quasi-identifiers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=HERE, help="checkout to measure")
    ap.add_argument("--runs", type=int, default=1, help="searches to run in this process")
    ap.add_argument("--loss", default="precision", choices=["precision", "discernibility"])
    ap.add_argument("--adult", type=Path, default=HERE / "tests" / "data" / "adult" / "adult.data")
    args = ap.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    import tests.privacy.adult as adult_mod
    from datanuri.privacy.anonymize import Problem

    adult_mod.ADULT = args.adult
    table, hierarchies = adult_mod.adult(), adult_mod.hierarchies()
    for _ in range(args.runs):
        Problem(
            table, quasi_identifiers=hierarchies, k=5, max_suppression=0.01, loss=args.loss
        ).search()


if __name__ == "__main__":
    main()
