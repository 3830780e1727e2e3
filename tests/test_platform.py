"""The platform makes each service on first use, once, wired to the others: a process pays
for the capabilities it uses, and a change still reaches every listener."""

from __future__ import annotations

import threading

from datanuri.accounts.principal import SYSTEM
from datanuri.platform import Platform


def test_a_listing_makes_the_catalog_only(config):
    with Platform(config) as p:
        assert p.catalog.list_datasets(principal=SYSTEM) == []
        assert p.made("catalog")
        assert not any(p.made(n) for n in ("privacy", "search", "mydata", "orders", "synth"))


def test_a_change_makes_and_reaches_the_services_listening(config):
    with Platform(config) as p:
        p.accounts.create_organization("seoul", principal=SYSTEM)
        p.accounts.set_official("seoul", True, principal=SYSTEM)  # the search index listens
        assert p.made("search")
        p.catalog.create_dataset("air", organization="seoul", principal=SYSTEM)
        assert p.made("mydata") and p.made("orders")  # the catalog's other listeners
        assert [d.name for d in p.search.search("air", principal=SYSTEM).docs] == ["air"]


def test_build_all_makes_every_service_but_the_engine(config):
    with Platform(config) as p:
        p.build_all()
        assert all(p.made(n) for n in ("privacy", "search", "jobs", "oauth", "linkage"))
        assert not p.made("engine")  # Spark, if configured, starts only for heavy work
        assert (config.data_dir / "keys" / "webhooks.key").exists()


def test_a_service_is_made_once_when_threads_race_for_it(config):
    with Platform(config) as p:
        seen, start = [], threading.Barrier(4)

        def use() -> None:
            start.wait()
            seen.append(p.search)

        threads = [threading.Thread(target=use) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len({id(s) for s in seen}) == 1
