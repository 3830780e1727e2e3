"""A generated criminal-justice table shaped like the one of issue #12 (seeded, no download):
a sequential ``id``, full names and ``first``/``last`` (English headers, Latin values), sex, race,
age and its band, ``dob``, case numbers, jail-entry and -exit timestamps, ``priors_count`` and
``priors_count_2`` (an exact copy, as a header renamed at ingest), a yes/no ``telephone`` flag
and the outcome columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa

FIRST = [
    "Miguel", "Kevon", "Ed", "Marsha", "Edward", "Steven", "Elizabeth", "Bo", "Benjamin",
    "Ellyaher", "Laura", "Patrick", "Tyrone", "Lisa", "Sean", "Jennifer", "Maria", "David",
    "Michael", "Christopher", "Jessica", "Ashley", "Brandon", "Nicole", "Anthony", "Carlos",
    "Jose", "Latoya", "Andre", "Tiffany", "Jamal", "Diana", "Robert", "Kenneth", "Sandra",
    "Travis", "Monique", "Derrick", "Angela", "Luis", "Vanessa", "Marcus", "Crystal", "Juan",
    "Rachel", "Terrell", "Amanda", "Brian", "Keisha", "Victor",
]  # fmt: skip
LAST = [
    "Hernandez", "Dixon", "Philo", "Miles", "Riddle", "Stevenson", "Lynch", "Bradley", "Baker",
    "Cohen", "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
    "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres",
    "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner",
    "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales",
    "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
    "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz",
    "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross",
    "Foster", "Jimenez", "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell",
    "Coleman", "Butler", "Henderson", "Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons",
    "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin",
    "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis",
    "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens",
]  # fmt: skip
RACES = ["African-American", "Caucasian", "Hispanic", "Other", "Asian", "Native American"]
RACE_P = [0.51, 0.34, 0.09, 0.05, 0.005, 0.005]
SCREENING = dt.date(2013, 1, 1)


def age_band(age: int) -> str:
    """COMPAS-style age band."""
    return "Less than 25" if age < 25 else ("Greater than 45" if age > 45 else "25 - 45")


def justice(n: int = 7000, seed: int = 12) -> pa.Table:
    """The criminal-justice table, ``n`` people (seeded)."""
    rng = np.random.default_rng(seed)
    first = [FIRST[i] for i in rng.integers(len(FIRST), size=n)]
    last = [LAST[i] for i in rng.integers(len(LAST), size=n)]
    ages = rng.integers(18, 70, size=n)
    dob = [
        SCREENING - dt.timedelta(days=int(a) * 365 + int(d))
        for a, d in zip(ages, rng.integers(0, 365, size=n), strict=True)
    ]
    start = dt.datetime(2013, 1, 1)
    jail_in = [
        start + dt.timedelta(seconds=int(s)) for s in rng.integers(0, 2 * 365 * 86400, size=n)
    ]
    stays = rng.integers(3600, 30 * 86400, size=n)
    jail_out = [t + dt.timedelta(seconds=int(s)) for t, s in zip(jail_in, stays, strict=True)]
    priors = np.minimum(rng.poisson(2.5, size=n), 38)
    cols: dict[str, Any] = {
        "id": pa.array(np.arange(1, n + 1), pa.int64()),
        "name": [f"{f} {la}" for f, la in zip(first, last, strict=True)],
        "first": first,
        "last": last,
        "sex": [["Male", "Female"][i] for i in (rng.random(n) < 0.19).astype(int)],
        "race": [RACES[i] for i in rng.choice(len(RACES), size=n, p=RACE_P)],
        "age": pa.array(ages, pa.int64()),
        "age_cat": [age_band(int(a)) for a in ages],
        "dob": pa.array(dob, pa.date32()),
        "c_case_number": [
            f"{13 + i % 2:02d}{int(x):06d}{['MM10A', 'CF10A', 'MO10A'][i % 3]}"
            for i, x in enumerate(rng.choice(999_999, size=n, replace=False))
        ],
        "c_jail_in": pa.array(jail_in, pa.timestamp("s")),
        "c_jail_out": pa.array(jail_out, pa.timestamp("s")),
        "c_charge_degree": [["F", "M"][i] for i in rng.integers(2, size=n)],
        "juv_fel_count": pa.array(np.minimum(rng.poisson(0.1, size=n), 5), pa.int64()),
        "priors_count": pa.array(priors, pa.int64()),
        "priors_count_2": pa.array(priors, pa.int64()),
        "telephone": [["yes", "no"][i] for i in rng.integers(2, size=n)],
        "decile_score": pa.array(rng.integers(1, 11, size=n), pa.int64()),
        "two_year_recid": pa.array(rng.integers(0, 2, size=n), pa.int64()),
    }
    return pa.table(cols)


PRIOR_BANDS = {"intervals": [5, 10, 40]}


def safe_policy(**over: Any) -> dict[str, Any]:
    """A policy for :func:`justice` that the release gate accepts: identifiers deleted, the
    person's dates and the copy deleted, age/sex/race/priors generalised, every column a role."""
    base: dict[str, Any] = {
        "direct_identifiers": {
            "id": "delete",
            "name": "delete",
            "first": "delete",
            "last": "delete",
            "c_case_number": "delete",
        },
        "quasi_identifiers": {
            "age": {"intervals": [5, 10, 20, 60]},
            "sex": {"rows": [["Male", "*"], ["Female", "*"]]},
            "race": {"rows": [[r, "*"] for r in RACES]},
            "priors_count": PRIOR_BANDS,
        },
        "other": {
            "dob": "delete",
            "c_jail_in": "delete",
            "c_jail_out": "delete",
            "priors_count_2": "delete",
            "age_cat": "delete",
        },
        "sensitive": "two_year_recid",
        "insensitive": {
            "c_charge_degree": "felony or misdemeanour: two values",
            "juv_fel_count": "a small count, mostly zero",
            "telephone": "a yes/no flag (whether a telephone is on file), not a number",
            "decile_score": "a risk score from 1 to 10",
        },
        "model": "k-anonymity",
        "k": 5,
        "max_suppression": 0.05,
    }
    base.update(over)
    return base


def moved(policy: dict[str, Any], column: str, section: str, value: Any) -> dict[str, Any]:
    """``policy`` with ``column`` taken out of wherever it was and put under ``section``."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in policy.items()}
    for s in ("direct_identifiers", "quasi_identifiers", "other", "insensitive"):
        out.get(s, {}).pop(column, None)
    if out.get("sensitive") == column:
        out.pop("sensitive")
    if section == "sensitive":
        if out.get("sensitive"):  # the former sensitive attribute is released as it is
            out.setdefault("insensitive", {})[out["sensitive"]] = "an outcome: 0 or 1"
        out["sensitive"] = column
    else:
        out.setdefault(section, {})[column] = value
    return out
