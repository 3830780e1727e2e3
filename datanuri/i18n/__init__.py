"""The message catalogue: Korean for the English messages the engines write.

Services, engines and the offline verifier write their messages in English (the API's and the
CLI's language; tests import them from each package's `messages.py`). People reading the Korean
pages get each message through this catalogue: `ko.po`, a standard gettext catalogue (read with
Babel) whose msgids are the English message templates, with `{field}` placeholders, and whose
msgstrs are the Korean ones. A message is translated after it was formatted, by matching it
against the templates, so no service has to carry a language.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).with_name("ko.po")
LANGUAGES = ("ko", "en")
VOCABULARY = "vocabulary"  # the msgctxt of words that messages name (not messages themselves)
_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class _Template:
    """One catalogue entry compiled for matching a formatted message."""

    english: str
    korean: str
    pattern: re.Pattern[str]
    fields: tuple[str, ...]


def _compile(english: str, korean: str) -> _Template:
    parts: list[str] = []
    fields: list[str] = []  # the field of each group, in order (a field may have several)
    seen: dict[tuple[str, str | None, str], int] = {}
    for literal, name, spec, conv in _FORMATTER.parse(english):
        parts.append(re.escape(literal))
        if name is None:
            continue
        same = seen.get((name, conv, spec or ""))
        if same is not None:  # the same field written the same way must match the same text
            parts.append(f"(?P=f{same})")
            continue
        seen[(name, conv, spec or "")] = len(fields)
        parts.append(f"(?P<f{len(fields)}>.+?)")
        fields.append(name)
    return _Template(english, korean, re.compile("".join(parts) + r"\Z", re.S), tuple(fields))


@dataclass(frozen=True)
class Catalogue:
    """The Korean catalogue: exact messages by text, templates by their first literal words."""

    exact: dict[str, str]
    templates: tuple[_Template, ...]
    vocabulary: dict[str, str]  # words put into messages (a type's name): `{field!k}` in Korean

    def korean(self, text: str) -> str | None:
        """The Korean for an English message (formatted or not), or None if it is not known."""
        if text in self.exact:
            return self.exact[text]
        for tpl in self.templates:
            m = tpl.pattern.match(text)
            if m is None:
                continue
            values: dict[str, str] = {}
            for i, name in enumerate(tpl.fields):
                values.setdefault(name, m.group(f"f{i}"))  # `{name!r}` first: quoted, as written
            return _fill(tpl.korean, values, self.vocabulary)
        return None

    def knows(self, english: str) -> bool:
        """Whether `english` (a template as written in a messages module) has a translation."""
        return english in self.exact or any(t.english == english for t in self.templates)


def _fill(korean: str, values: dict[str, str], vocabulary: dict[str, str]) -> str:
    """Put the already formatted field texts into a Korean template: as they are, or, marked
    `{field!k}`, as the vocabulary's Korean word (format specs are ignored: the English message
    already applied them)."""
    out: list[str] = []
    for literal, name, _spec, conv in _FORMATTER.parse(korean):
        out.append(literal)
        if name is not None:
            value = values.get(name, "{" + name + "}")
            out.append(vocabulary.get(value, value) if conv == "k" else value)
    return "".join(out)


def _unescape(text: str) -> str:
    return text.replace("{{", "{").replace("}}", "}")


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The Korean catalogue, read once."""
    with CATALOGUE.open("rb") as f:
        po = read_po(f, locale="ko")
    exact: dict[str, str] = {}
    vocabulary: dict[str, str] = {}
    templates: list[_Template] = []
    for msg in po:
        if not msg.id or not msg.string or msg.fuzzy:
            continue
        english, korean = str(msg.id), str(msg.string)
        if msg.context == VOCABULARY:
            vocabulary[english] = korean
            continue
        if any(name is not None for _, name, _, _ in _FORMATTER.parse(english)):
            templates.append(_compile(english, korean))
        else:
            # literal braces are doubled in a template and single once formatted: know both
            exact[english] = korean
            exact[_unescape(english)] = _unescape(korean)
    # longer templates first: a more specific message wins over a shorter one it contains
    templates.sort(key=lambda t: -len(t.english))
    return Catalogue(exact, tuple(templates), vocabulary)


def translate(text: str, lang: str) -> str:
    """`text` in `lang`: Korean from the catalogue when known, else the English as written."""
    if lang != "ko" or not text:
        return text
    return catalogue().korean(text) or text
