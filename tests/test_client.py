import pyarrow.parquet as pq
import pytest

from datanuri import Client, errors
from tests.helpers import air_csv


def test_sdk_against_a_real_server(live_server, tmp_path):
    with Client(live_server) as client:
        client.create_organization("seoul", title="서울")
        client.create_dataset("air", organization="seoul", title="대기질", theme="환경")
        result = client.publish("air", air_csv(tmp_path / "a.csv", extra_rows=500), change_note="v1")
        assert result["created"] and result["version"]["row_count"] == 503
        table = client.read_arrow("air")
        assert table.num_rows == 503 and table.column_names[0] == "측정소명"
        assert client.read_pandas("air")["PM10"].iloc[0] == 1234
        out = client.download("air", tmp_path / "out.parquet")
        assert pq.read_table(out).equals(table)
        assert client.preview("air", limit=2)["rows"][1][0] == "중구"
        assert client.dataset("air")["theme"] == "환경"
        with pytest.raises(errors.NotFound, match="No dataset named"):
            client.dataset("nope")
        with pytest.raises(errors.Conflict):
            client.create_organization("seoul")
        empty = tmp_path / "empty.csv"
        empty.write_bytes(b"")
        with pytest.raises(errors.IngestError):
            client.publish("air", empty)
