"""The demo's MyData: a person account linked (by CI) to the patient with the most visits in
the demo hospital's personal outpatient dataset, and the hospital's MyData offer on it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.csv as pacsv

from datanuri.accounts.principal import SYSTEM
from datanuri.errors import Conflict, NotFound
from datanuri.mydata.rules import Item
from datanuri.platform import Platform

DEMO_PERSON = ("person@datanuri.local", "박누리 Person")
DEMO_HOSPITAL_DATASET = "nuri-hospital-outpatient-visits"
DEMO_SUBJECT = "주민등록번호"
DEMO_ITEMS = (
    Item(
        "visits.basic",
        ("진료일", "진료과"),
        "진료 기본 정보 (진료일, 진료과)",
        "Visit basics (date, department)",
    ),
    Item("visits.diagnosis", ("진단명",), "진단명 (KCD)", "Diagnosis (KCD)"),
    Item("visits.age", ("나이",), "진료 당시 나이", "Age at the visit"),
)


def busiest_patient(csv_path: Path) -> str:
    """The resident registration number with the most visits in the generated file."""
    table = pacsv.read_csv(
        csv_path, convert_options=pacsv.ConvertOptions(include_columns=[DEMO_SUBJECT])
    )
    counts = table.group_by(DEMO_SUBJECT).aggregate([([], "count_all")])
    top = pc.sort_indices(
        counts, sort_keys=[("count_all", "descending"), (DEMO_SUBJECT, "ascending")]
    )
    return str(counts.column(DEMO_SUBJECT)[top[0].as_py()].as_py())


def seed_demo_mydata(
    platform: Platform, csv_path: Path, report: Callable[[str], None], *, password: str
) -> None:
    """Make the person account, link it and declare the offer (each once)."""
    email, name = DEMO_PERSON
    try:
        platform.accounts.create_user(email, display_name=name, password=password, principal=SYSTEM)
    except Conflict:
        pass
    person = platform.accounts.principal_for(email)
    if not platform.mydata.is_person(person):
        platform.mydata.link_person(email, busiest_patient(csv_path), principal=SYSTEM)
        report(
            f"mydata: {email} linked to a patient of {DEMO_HOSPITAL_DATASET} (only the CI is kept)"
        )
    try:
        platform.mydata.offer(DEMO_HOSPITAL_DATASET)
    except NotFound:
        info = platform.mydata.declare_offer(
            DEMO_HOSPITAL_DATASET, subject_column=DEMO_SUBJECT, items=DEMO_ITEMS, principal=SYSTEM
        )
        report(
            f"mydata: {info.holder} offers {', '.join(i.name for i in info.items)} ({info.people} people)"
        )
