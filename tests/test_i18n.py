"""The Korean message catalogue: every engine message has Korean, and formatted messages find it."""

from __future__ import annotations

import string
from types import ModuleType

import pytest

from datanuri import errors
from datanuri.audit import messages as audit_messages
from datanuri.catalog import messages as catalog_messages
from datanuri.decisions import messages as decisions_messages
from datanuri.desk import calendar as desk_calendar
from datanuri.desk import firm_messages
from datanuri.desk import messages as desk_messages
from datanuri.i18n import catalogue, translate
from datanuri.jobs import messages as jobs_messages
from datanuri.ledger import messages as ledger_messages
from datanuri.linkage import messages as linkage_messages
from datanuri.market import (
    book_messages,
    delivery_messages,
    fingerprint_messages,
    order_messages,
    pricing_messages,
)
from datanuri.market import listing_messages as market_listing_messages
from datanuri.mydata import messages as mydata_messages
from datanuri.notify import messages as notify_messages
from datanuri.oauth import messages as oauth_messages
from datanuri.privacy import keys as privacy_keys
from datanuri.privacy import messages as privacy_messages
from datanuri.synth import messages as synth_messages
from datanuri.synth.samples import messages as synth_sample_messages
from datanuri.tables import messages as tables_messages
from datanuri.web import errors as web_errors

# Every module whose upper-case string constants are user-facing English messages.
MESSAGE_MODULES: tuple[ModuleType, ...] = (
    book_messages,
    delivery_messages,
    pricing_messages,
    order_messages,
    audit_messages,
    catalog_messages,
    decisions_messages,
    desk_calendar,
    fingerprint_messages,
    desk_messages,
    firm_messages,
    jobs_messages,
    linkage_messages,
    ledger_messages,
    notify_messages,
    oauth_messages,
    market_listing_messages,
    mydata_messages,
    privacy_messages,
    privacy_keys,
    synth_messages,
    synth_sample_messages,
    tables_messages,
    web_errors,
    errors,
)


def english_messages() -> list[tuple[str, str]]:
    found = []
    for module in MESSAGE_MODULES:
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, str) and " " in value:
                found.append((f"{module.__name__}.{name}", value))
    return found


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_message_has_korean() -> None:
    missing = [name for name, text in english_messages() if not catalogue().knows(text)]
    assert not missing, (
        "Messages without Korean in datanuri/i18n/ko.po (add a msgid/msgstr pair for each):\n  "
        + "\n  ".join(missing)
    )


def test_no_entry_outlives_its_message() -> None:
    """A msgid no message module writes any more is a stale translation: remove it from ko.po
    (or fix it, when the English was reworded)."""
    written = {text for _, text in english_messages()}
    written |= {text.replace("{{", "{").replace("}}", "}") for text in written}
    stale = sorted(t.english for t in catalogue().templates if t.english not in written)
    stale += sorted(e for e in catalogue().exact if e not in written)
    assert not stale, "Stale entries in datanuri/i18n/ko.po:\n  " + "\n  ".join(stale)


def test_korean_uses_only_the_english_fields() -> None:
    """A Korean template may leave a field out but never invent one (it would show as {x})."""
    wrong = []
    for tpl in catalogue().templates:
        extra = fields(tpl.korean) - set(tpl.fields)
        if extra:
            wrong.append(f"{tpl.english[:60]!r}: {sorted(extra)}")
        if not any("\uac00" <= ch <= "\ud7a3" for ch in tpl.korean):
            wrong.append(f"{tpl.english[:60]!r}: the translation has no Hangul")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("english", "korean"),
    [
        (
            tables_messages.PROB_COLUMN_COUNT.format(line=7, actual=3, expected=5),
            "7행은 값이 3개인데 머리글은 5개라서 이 행을 뺐습니다.",
        ),
        (
            ledger_messages.CHECK_INCLUDED.format(index=11, size=12),
            "11번 기록이 크기 12의 트리에 들어 있습니다",
        ),
        (errors.MSG_DATASET_NOT_FOUND.format(name="air"), "'air'(이)라는 데이터셋이 없습니다."),
        (
            privacy_messages.MSG_NO_SOLUTION.format(model="5-anonymity", suppression=0.05),
            "레코드를 최대 5.0%까지 삭제해도",
        ),
        # a message without fields, with literal braces
        (ledger_messages.CHECK_LEAF, "기록의 해시가 잎 해시와 같습니다"),
    ],
)
def test_formatted_messages_find_their_korean(english: str, korean: str) -> None:
    assert translate(english, "ko").startswith(korean)
    assert translate(english, "en") == english


def test_unknown_text_stays_as_written() -> None:
    assert translate("Something no catalogue knows.", "ko") == "Something no catalogue knows."
    assert translate("", "ko") == ""


def test_a_field_repeated_must_repeat_its_text() -> None:
    """GATE_DUPLICATE names {of!r} three times; a text whose places differ is not that message."""
    good = privacy_messages.MSG_GATE_DUPLICATE.format(
        column="id2", how="a copy", role="quasi-identifier", of="id", treatment="as it is"
    )
    korean = translate(good, "ko")
    assert korean != good and korean.startswith("공개되는 'id2' 열은")
    forged = good.replace("protection of 'id'", "protection of 'name'")
    assert translate(forged, "ko") == forged


def test_every_ledger_event_type_has_a_name() -> None:
    """The ledger pages name each entry's type in words (ui_text.EVENT_TYPES), in both languages."""
    from datanuri.events import registry
    from datanuri.web.ui_text import EVENT_TYPES

    missing = sorted(set(registry()) - set(EVENT_TYPES))
    assert not missing, f"Ledger event types without a name in ui_text.EVENT_TYPES: {missing}"
