"""Every page of the demo, rendered in Korean, holds no untranslated English.

The crawl starts from the home page, the console and the account page, follows every link inside
the site (anonymously, as the demo publisher, as the admin and as the linkage project's analyst,
whose project page holds the zone's forms and report) and reads each page's visible text.
A word of Latin letters fails the test unless it is
- content someone published or typed (dataset metadata, column names, values in the tables,
  organisation and user names): those words are read from the database and the Parquet files;
- a technical name Korean users read as it is (CSV, API, Parquet, k-익명성's k, ...), listed in
  `TECHNICAL` with why;
- inside `<code>`, `<pre>`, `<kbd>`, between backticks (commands, hashes), in an element marked
  `translate="no"` (identifiers: HTML's own mark for text that is not to be translated) or in a
  deliberate English gloss marked `lang="en"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import duckdb
import pytest
from sqlalchemy import select

# Names read as they are on Korean pages (formats, standards, product names, model letters).
TECHNICAL = {
    *"csv tsv xlsx xls json ndjson parquet utf cp bom pdf hwp hwpx docx zip yaml svg png html".split(),
    # formats a data request may ask for (desk/rules.py FORMATS)
    *"xml geojson shp".split(),
    # date formats as written in forms (YYYY-MM-DD)
    *"yyyy mm dd".split(),
    # standards and protocols (DCAT-AP, schema.org, Data Package, RFC 9162, SHA-256, ...)
    *"api ap rest dcat ckan rdf ttl jsonld ld schema org croissant data package frictionless".split(),
    *"rfc sha ed oauth totp url http https openapi iso ksic doi ncp emd id".split(),
    # certification names as issued (데이터 품질인증 DQC, ISMS-P, ISO/IEC 27001)
    *"dqc isms iec".split(),
    # units as Korean sites write them
    *"kb mb gb tb pm ppm km".split(),
    # licence names as Korean portals write them (CC0, CC BY, KOGL)
    *"cc by kogl".split(),
    # product names
    *"datanuri swagger ui redoc python sdk cli duckdb arx merkle excel webauthn passkey r".split(),
    *"javascript opendp libreoffice".split(),
    # a metric Korean papers and reports name as it is (the synthetic report's attack AUC)
    "auc",
    # the language switch offers English in English
    "english",
}
# Pages whose text is a third-party tool's own (the API explorers).
NOT_OURS = ("/docs", "/redoc", "/static-docs")
INLINE = {"mark", "b", "strong", "em", "i", "span", "abbr", "small", "sup", "sub", "time"}
VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base"}
UNTRANSLATED = {"script", "style", "code", "pre", "kbd", "samp", "textarea"}
WORD = re.compile(r"[A-Za-z]+")
MAX_PAGES = 500
SAMPLES_PER_SHAPE = 3


class _Visible(HTMLParser):
    """Visible text and internal links of a page; text meant to stay untranslated is left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping: list[bool] = []
        self.text: list[str] = []
        self.links: list[str] = []
        self.titles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag not in INLINE:
            self.text.append(" ")  # a block boundary ends a word; a highlight inside one does not
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        for attr in ("title", "aria-label", "placeholder", "alt"):
            if a.get(attr) and not any(self.skipping):
                self.titles.append(str(a[attr]))
        if tag in VOID:
            return
        self.skipping.append(
            tag in UNTRANSLATED or a.get("translate") == "no" or a.get("lang") == "en"
        )

    def handle_endtag(self, tag: str) -> None:
        if tag not in INLINE:
            self.text.append(" ")
        if tag not in VOID and self.skipping:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.skipping):
            self.text.append(data)


def _words(texts: Iterable[Any]) -> set[str]:
    found: set[str] = set()
    for t in texts:
        if t is None:
            continue
        found.update(w.lower() for w in WORD.findall(str(t)))
    return found


def _nested(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _nested(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _nested(v)
    elif value is not None:
        yield str(value)


def published_words(platform: Any) -> set[str]:
    """Every word people put in: metadata, organisations, users, schemas and table values."""
    from datanuri.accounts.models import Organization, User
    from datanuri.catalog.models import Dataset, Distribution, Version

    texts: list[str] = []
    with platform.db.session() as s:
        for d in s.scalars(select(Dataset)):
            texts += list(_nested([d.name, d.title, d.description, d.keywords, d.spatial]))
            texts += [d.contact_name or "", d.contact_email or ""]  # theme, licence: vocabularies
        for o in s.scalars(select(Organization)):
            texts += list(_nested([o.name, o.title, o.description]))
        for u in s.scalars(select(User)):
            texts += [u.email, u.display_name]
        for v in s.scalars(select(Version)):
            texts += [v.source_name, v.change_note]
            texts += list(_nested(v.schema))
            texts += list(_nested(v.profile))
            texts += list(_nested(v.problems))
        hashes = [h for h in s.scalars(select(Distribution.blob_hash)) if h]
    texts.append(platform.config.ledger_origin)  # the log's name, e.g. "datanuri.local/ledger"
    con = duckdb.connect()
    for h in hashes:
        path = platform.blobs.path(h)
        if not path.exists():
            continue
        try:
            cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
        except duckdb.Error:
            continue  # not a Parquet blob (a source file kept for provenance)
        for name, *_ in cols:
            q = f"SELECT DISTINCT CAST(\"{name}\" AS VARCHAR) FROM read_parquet('{path}') LIMIT 50000"
            texts += [r[0] for r in con.execute(q).fetchall() if r[0]]
    return _words(texts)


def _shape(url: str) -> str:
    """The route of a URL with its numbers and parameter values blanked, to sample each kind."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+", "/N", parts.path)
    keys = sorted({k for k, _ in parse_qsl(parts.query)} - {"lang"})
    return path + "?" + ",".join(keys)


def crawl(client: Any, starts: Iterable[str]) -> dict[str, tuple[list[str], list[str]]]:
    """url -> (visible text, attribute texts) of every internal page reachable from `starts`."""
    todo = list(starts)
    seen: set[str] = set()
    per_shape: dict[str, int] = {}
    pages: dict[str, tuple[list[str], list[str]]] = {}
    while todo and len(seen) < MAX_PAGES:
        url = todo.pop(0)
        if url in seen:
            continue
        seen.add(url)
        shape = _shape(url)
        if per_shape.get(shape, 0) >= SAMPLES_PER_SHAPE:
            continue
        per_shape[shape] = per_shape.get(shape, 0) + 1
        r = client.get(url)
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        v = _Visible()
        v.feed(r.text)
        pages[url] = (v.text, v.titles)
        for link in v.links:
            link = link.split("#")[0]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(("/api/", "/static", "/logout", *NOT_OURS)):
                continue
            query = [(k, val) for k, val in parse_qsl(parts.query) if k != "lang"]
            if any(k == "format" for k, _ in query) or "/download" in parts.path:
                continue  # files, not pages
            todo.append(parts.path + ("?" + urlencode(query) if query else ""))
    return pages


TRUNCATED = re.compile(r"[A-Za-z]+(?=…|\.\.\.)|(?<=…)[A-Za-z]+")
COMMAND = re.compile(r"`[^`]*`")  # a command quoted in a sentence, as written in messages


def english_words(texts: Iterable[str], known: set[str]) -> set[str]:
    """Latin-letter words that are neither published content nor technical names; a word cut
    short by an ellipsis (a snippet of a description) is content too."""
    text = TRUNCATED.sub(" ", COMMAND.sub(" ", "".join(texts)))
    return {w for w in _words([text]) if w not in known and w not in TECHNICAL and len(w) > 1}


def _login(client: Any, email: str) -> None:
    from datanuri.demo.load import DEMO_PASSWORD

    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the login page has a CSRF token"
    r = client.post(
        "/login",
        data={"csrf_token": token.group(1), "email": email, "password": DEMO_PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code in (302, 303), r.text[:500]


@pytest.fixture(scope="module")
def crawl_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A demo instance of the crawl's own: its logins from the test client must not meet the
    browser tests' logins of the same users in the login-anomaly history (a new network at an
    impossible rate is blocked, as it should be)."""
    from datanuri.config import Config
    from datanuri.demo.load import load_demo
    from datanuri.platform import Platform

    root = tmp_path_factory.mktemp("korean-crawl")
    p = Platform(
        Config(
            data_dir=root / "data",
            rate_limit_per_minute=1_000_000,
            rate_limit_burst=1_000_000,
            second_factor_policy="off",
        )
    )
    load_demo(p, root / "src")
    try:
        yield p
    finally:
        p.close()


@pytest.fixture(scope="module")
def known(crawl_platform: Any) -> set[str]:
    return published_words(crawl_platform)


@pytest.mark.parametrize(
    "who",
    [None, "publisher@datanuri.local", "admin@datanuri.local", "linkage-analyst@datanuri.local"],
    ids=["anon", "publisher", "admin", "linkage-analyst"],
)
def test_every_page_is_korean(crawl_platform: Any, known: set[str], who: str | None) -> None:
    from fastapi.testclient import TestClient

    from tests.ui.conftest import ui_app

    with TestClient(ui_app(crawl_platform)) as client:
        client.headers["accept-language"] = "ko-KR,ko;q=0.9"
        if who:
            _login(client, who)
        starts = ["/", "/search", "/organizations", "/ledger"]
        if who:
            starts += ["/console", "/account", "/account/security"]
        pages = crawl(client, starts)
    assert len(pages) > 20, f"the crawl reached only {sorted(pages)}"
    leaks = {}
    for url, (text, titles) in pages.items():
        words = english_words([*text, " ", *titles], known)
        if words:
            leaks[url] = sorted(words)
    assert not leaks, "English on Korean pages:\n" + "\n".join(
        f"  {url}: {' '.join(words)}" for url, words in sorted(leaks.items())
    )


def test_the_check_catches_english(known: set[str]) -> None:
    """The detector is not blind: an English UI sentence is found, published words are not."""
    assert english_words(["the entry hashes to the leaf"], known) >= {"entry", "hashes", "leaf"}
    assert not english_words(["데이터셋 air-quality-seoul-daily, CSV (UTF-8)"], known)


@pytest.mark.browser
def test_wizard_detection_is_korean(
    page: Any, ui_server: str, known: set[str], chromium: Any
) -> None:
    """The wizard's detection table is drawn by JavaScript from the scan API: its kinds, evidence
    and warnings come in Korean too."""
    from tests.ui.test_wizard import WIZARD
    from tests.ui.test_wizard import _login as wizard_login

    wizard_login(page, ui_server, WIZARD)
    page.wait_for_selector('#wz-columns[data-ready="true"]')
    text = page.locator("#wz-columns").inner_text()
    assert "주민등록번호" in text and "서로 다릅니다" in text
    assert not english_words([text], known), text
