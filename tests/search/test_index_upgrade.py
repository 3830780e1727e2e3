import sqlite3

from datanuri.search.index import SearchIndex


def test_an_index_of_an_older_layout_is_rebuilt_not_a_crash(tmp_path):
    path = tmp_path / "index.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES('version', '1:old');"
        "CREATE TABLE docs(id INTEGER PRIMARY KEY, name TEXT);"
        "CREATE TABLE facets(doc INTEGER, field TEXT, value TEXT);"
        "INSERT INTO docs VALUES (1, 'stale');"
    )
    old.commit()
    old.close()
    index = SearchIndex(path)
    try:
        assert index.fresh is True and index.count() == 0
    finally:
        index.close()
