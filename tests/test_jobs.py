import pytest

from datanuri.jobs.models import Job

# ----- personal data in job records ------------------------------------------------------------
SECRET = "김비밀환자"  # a personal cell: a name typed into the age column of a personal dataset


def _poll(client, url, headers):
    import time

    deadline = time.monotonic() + 120
    while (job := client.get(url, headers=headers).json())["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    return job


def _hexdigits(text: str) -> bool:
    return all(ch in "0123456789abcdef" for ch in text)


@pytest.fixture
def hospital_jobs(platform, tmp_path):
    """A personal dataset's editor runs a privacy check and an upload with a row problem as
    background jobs; a platform admin outside the holder holds a read-only token."""
    from fastapi.testclient import TestClient

    from datanuri.accounts.principal import SYSTEM
    from datanuri.web.app import create_app
    from tests.helpers import PASSWORD, editor_token
    from tests.privacy.test_service import HOSPITAL, ORG, POLICY, load_hospital

    load_hospital(platform, tmp_path / "demo")
    platform.catalog.create_dataset(
        "clinic-notes", organization=ORG, access_level="personal", principal=SYSTEM
    )
    editor = {"Authorization": f"Bearer {editor_token(platform, ORG)}"}
    platform.accounts.create_user(
        "root@example.org",
        display_name="관리자",
        password=PASSWORD,
        platform_role="admin",
        principal=SYSTEM,
    )
    admin = {
        "Authorization": "Bearer "
        + platform.accounts.create_token(
            name="ro", scopes=["read"], for_email="root@example.org", principal=SYSTEM
        )[1]
    }
    src = tmp_path / "notes.csv"
    rows = [f"p{i},{20 + i % 60}" for i in range(300)] + ["p300," + SECRET]
    src.write_text("환자,나이\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        r = client.post(
            f"/api/v1/datasets/{HOSPITAL}/privacy/apply", json={"policy": POLICY}, headers=editor
        )
        assert r.status_code == 202, r.text
        check = _poll(client, r.json()["status_url"], editor)
        with src.open("rb") as f:
            r = client.post(
                "/api/v1/datasets/clinic-notes/versions",
                files={"file": ("notes.csv", f, "text/csv")},
                headers=editor,
            )
        assert r.status_code == 202, r.text
        upload = _poll(client, r.json()["status_url"], editor)
        yield client, editor, admin, check, upload


def test_an_admin_outside_the_holder_sees_no_personal_cell_through_the_jobs_routes(hospital_jobs):
    client, editor, admin, check, upload = hospital_jobs
    # the holder's editor still reads the whole result of both jobs
    assert check["status"] == upload["status"] == "succeeded"
    preview = check["result"]["preview"]["rows"]
    assert len(preview) == 20 and check["result"]["report"]["kind"] == "assessment"
    # the bad age of a personal dataset is withheld even from its holder (publish guard)
    (problem,) = upload["result"]["problems"]
    assert problem["value_withheld"] is True and "value" not in problem
    cells = {str(v) for row in preview for v in row if v is not None} | {SECRET}
    # short all-hex cells (numbers) could occur by chance in a job id; every other cell must not
    cells = {c for c in cells if len(c) >= 3 and not (len(c) < 12 and _hexdigits(c))}
    assert SECRET in cells and len(cells) > 5

    listing = client.get("/api/v1/jobs", headers=admin)
    assert listing.status_code == 200
    ones = [client.get(f"/api/v1/jobs/{job['id']}", headers=admin) for job in (check, upload)]
    leaked = {c for c in cells for text in [listing.text, *(r.text for r in ones)] if c in text}
    assert leaked == set()
    assert [r.status_code for r in ones] == [404, 404]
    assert {j["id"] for j in listing.json()} & {check["id"], upload["id"]} == set()


def test_job_records_hold_no_row_values(hospital_jobs, platform):
    """What the jobs table keeps as the result: counts and positions, not values."""
    import json

    _, _, _, check, upload = hospital_jobs
    with platform.db.session() as s:
        check_row, upload_row = s.get(Job, check["id"]), s.get(Job, upload["id"])
        assert "preview" not in check_row.result and "report" not in check_row.result
        assert check_row.result["report_sha256"] and check_row.restricted["report"]
        assert upload_row.result["problems"][0]["line"] == 302
        assert "value" not in upload_row.result["problems"][0]
        assert SECRET not in json.dumps(upload_row.result, ensure_ascii=False)
        assert SECRET not in json.dumps(upload_row.restricted, ensure_ascii=False)
        assert upload_row.restricted["problems"][0]["value_withheld"] is True
        assert (check_row.dataset, upload_row.dataset) == (
            check["result"]["dataset"],
            "clinic-notes",
        )
