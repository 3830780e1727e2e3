"""Downloads through the API and the CLI: each format, its media type and file name, documented."""

import csv
import io

import openpyxl

from tests.test_cli import run  # noqa: F401  (fixture)
from tests.web.test_api import seeded, upload  # noqa: F401  (fixture)


def test_each_format_through_the_api(seeded, tmp_path):  # noqa: F811
    from tests.helpers import air_csv

    r = upload(seeded, air_csv(tmp_path / "a.csv"))
    assert r.status_code == 201, r.text
    base = "/api/v1/datasets/air/versions/1/download?format="
    r = seeded.get(base + "csv")
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    assert r.headers["content-disposition"] == 'attachment; filename="air-v1.csv"'
    header = next(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert "측정소명" in header
    r = seeded.get(base + "csv-cp949")
    assert r.status_code == 200 and "charset=cp949" in r.headers["content-type"]
    assert r.headers["content-disposition"] == 'attachment; filename="air-v1-cp949.csv"'
    assert next(csv.reader(io.StringIO(r.content.decode("cp949")))) == header
    r = seeded.get(base + "xlsx")
    assert r.status_code == 200 and r.headers["content-type"].endswith("spreadsheetml.sheet")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[1]] == header
    csv_rows = list(csv.reader(io.StringIO(seeded.get(base + "csv").content.decode("utf-8-sig"))))
    assert ws.max_row == len(csv_rows) > 1
    r = seeded.get(base + "xls")
    assert r.status_code == 422 and "xlsx" in r.text
    doc = seeded.get("/openapi.json").json()
    op = doc["paths"]["/api/v1/datasets/{name}/versions/{version}/download"]["get"]
    fmt = next(p for p in op["parameters"] if p["name"] == "format")
    assert fmt["schema"]["enum"] == ["parquet", "csv", "csv-cp949", "xlsx", "json"]
    assert "formula" in op["responses"]["200"]["description"]


def test_cli_downloads_xlsx(run, tmp_path):  # noqa: F811
    from tests.helpers import air_csv

    run("orgs", "create", "seoul", "--title", "서울")
    run("publish", str(air_csv(tmp_path / "a.csv")), "--dataset", "air", "--org", "seoul")
    target = tmp_path / "air.xlsx"
    run("download", "air", "--format", "xlsx", "--output", str(target))
    ws = openpyxl.load_workbook(target).active
    assert ws.cell(row=1, column=1).value is not None and ws.max_row > 1
    help_text = run("download", "--help").stdout
    assert "csv-cp949" in help_text and "xlsx" in help_text
