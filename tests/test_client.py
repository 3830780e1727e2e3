import pyarrow.parquet as pq
import pytest

from datanuri import Client, errors
from datanuri.accounts.principal import SYSTEM
from tests.helpers import air_csv, editor_token


def test_sdk_against_a_real_server(platform, live_server, tmp_path):
    platform.accounts.create_organization("seoul", title="서울", principal=SYSTEM)
    with Client(live_server, token=editor_token(platform, "seoul")) as client:
        client.create_dataset("air", organization="seoul", title="대기질", theme="환경")
        result = client.publish(
            "air", air_csv(tmp_path / "a.csv", extra_rows=500), change_note="v1"
        )
        assert result["created"] and result["version"]["row_count"] == 503
        table = client.read_arrow("air")
        assert table.num_rows == 503 and table.column_names[0] == "측정소명"
        assert client.read_pandas("air")["PM10"].iloc[0] == 1234
        out = client.download("air", tmp_path / "out.parquet")
        assert pq.read_table(out).equals(table)
        assert client.preview("air", limit=2)["rows"][1][0] == "중구"
        top = client.preview(
            "air", column="비고", value="보통", sort="PM10", descending=True, limit=1
        )
        assert top["matched"] == 2 + 500 and top["rows"][0][2] == 499  # extra rows: PM10 0..499
        assert client.dataset("air")["theme"] == "환경"
        with pytest.raises(errors.NotFound, match="No dataset named"):
            client.dataset("nope")
        with pytest.raises(errors.PermissionDenied):
            client.create_organization("busan")  # only admins create organisations
        with pytest.raises(errors.Conflict):
            client.create_dataset("air", organization="seoul")
        empty = tmp_path / "empty.csv"
        empty.write_bytes(b"")
        with pytest.raises(errors.IngestError):
            client.publish("air", empty)


def test_sdk_anonymous_reads_open_data_but_cannot_publish(platform, live_server, tmp_path):
    platform.accounts.create_organization("seoul", principal=SYSTEM)
    platform.catalog.create_dataset("air", organization="seoul", principal=SYSTEM)
    platform.catalog.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    with Client(live_server) as anonymous:
        assert anonymous.read_arrow("air").num_rows == 3
        with pytest.raises(errors.NotAuthenticated):
            anonymous.publish("air", air_csv(tmp_path / "b.csv", extra_rows=1))
    with Client(live_server, token="dn_not-a-real-token") as bad:
        with pytest.raises(errors.NotAuthenticated, match="not valid"):
            bad.datasets()
