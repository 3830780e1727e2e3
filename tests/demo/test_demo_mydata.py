"""The demo's MyData: the person account is linked to the hospital patient with the most visits,
the hospital offers its outpatient visits, the dashboard shows that patient's rows (counted
independently from the generated CSV), and seeding again changes nothing."""

import csv
from collections import Counter

from datanuri.accounts.principal import SYSTEM
from datanuri.demo.mydata import DEMO_HOSPITAL_DATASET, DEMO_PERSON, seed_demo_mydata


def test_the_demo_person_has_rows_at_the_hospital(platform, demo):
    _out, orgs, datasets = demo
    (d,) = [x for x in datasets if x.name == DEMO_HOSPITAL_DATASET]
    org = next(o for o in orgs if o.name == d.org)
    platform.accounts.create_organization(org.name, title=org.title, principal=SYSTEM)
    platform.catalog.create_dataset(
        d.name, organization=d.org, access_level="personal", principal=SYSTEM
    )
    path = d.files[0][0]
    platform.catalog.publish(d.name, path, principal=SYSTEM)
    seed_demo_mydata(platform, path, lambda _m: None, password="datanuri-demo-2016")
    seed_demo_mydata(platform, path, lambda _m: None, password="datanuri-demo-2016")
    with open(path, encoding="utf-8-sig") as f:
        visits = Counter(row["주민등록번호"] for row in csv.DictReader(f))
    person = platform.accounts.principal_for(DEMO_PERSON[0])
    board = platform.mydata.dashboard(principal=person)
    assert [(h.dataset, h.rows) for h in board.holders] == [(d.name, max(visits.values()))]
    types = [e["entry"]["type"] for e in platform.ledger.entries(0)]
    assert types.count("mydata.person.linked") == 1 and types.count("mydata.offer.declared") == 1
