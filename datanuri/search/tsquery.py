"""The FTS5 match expressions of `query.py` as PostgreSQL text search (pure).

`query.py` writes a small part of FTS5's syntax: quoted strings (a `*` after one makes it a
prefix), `AND`, `OR`, parentheses and the column filters `{title_t kw_t desc_t other_t} :` (the
analysed terms) and `{title_g body_g} :` (the n-grams). The PostgreSQL index keeps both kinds in
one `tsvector`, the n-grams behind a `~` so a bigram never meets a term of the same spelling;
this module parses an expression into that form: a `tsquery` for matching and the list of its
phrases, in order, for scoring them as FTS5's bm25 does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Group = Literal["term", "gram"]
GRAM_MARK = "~"  # the prefix of an n-gram's lexeme
MAX_LEXEME = 500  # characters; PostgreSQL refuses lexemes over 2 kB
_GROUPS: dict[frozenset[str], Group] = {
    frozenset({"title_t", "kw_t", "desc_t", "other_t"}): "term",
    frozenset({"title_g", "body_g"}): "gram",
}
_TOKEN = re.compile(r'\s*(\{[^}]*\}|"(?:[^"]|"")*"|\(|\)|:|\*|AND\b|OR\b|NOT\b)')


def _is_token_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in "LN" or cat == "Co"


def tokens(text: str) -> list[str]:
    """The tokens FTS5's `unicode61` tokenizer makes of a text: runs of letters and digits
    (and private-use characters), lower-cased, diacritics kept."""
    out: list[str] = []
    cur: list[str] = []
    for ch in text:
        if _is_token_char(ch):
            cur.append(ch)
        elif cur:
            out.append("".join(cur).lower()[:MAX_LEXEME])
            cur = []
    if cur:
        out.append("".join(cur).lower()[:MAX_LEXEME])
    return out


def lexeme(token: str, group: Group) -> str:
    """The stored lexeme of a token of one group."""
    return GRAM_MARK + token if group == "gram" else token


@dataclass(frozen=True)
class Phrase:
    """A quoted string of the expression: its tokens, the group it searches, prefix or not."""

    tokens: tuple[str, ...]
    group: Group
    prefix: bool = False

    @property
    def lexemes(self) -> tuple[str, ...]:
        return tuple(lexeme(t, self.group) for t in self.tokens)


@dataclass(frozen=True)
class Node:
    """`AND` or `OR` of parts (each a Node or a Phrase)."""

    op: Literal["AND", "OR"]
    parts: tuple[Node | Phrase, ...]


Expr = Node | Phrase


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks: list[str] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                raise ValueError(f"cannot read the match expression at {text[pos : pos + 20]!r}")
            self.toks.append(m.group(1))
            pos = m.end()
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, want: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (want is not None and tok != want):
            raise ValueError(f"expected {want or 'more'} in the match expression, got {tok!r}")
        self.i += 1
        return tok

    def parse(self) -> Expr:
        expr = self.or_expr("term")
        if self.peek() is not None:
            raise ValueError(f"unexpected {self.peek()!r} in the match expression")
        return expr

    def or_expr(self, group: Group) -> Expr:
        parts = [self.and_expr(group)]
        while self.peek() == "OR":
            self.take()
            parts.append(self.and_expr(group))
        return parts[0] if len(parts) == 1 else Node("OR", tuple(parts))

    def and_expr(self, group: Group) -> Expr:
        parts = [self.unit(group)]
        while self.peek() == "AND":
            self.take()
            parts.append(self.unit(group))
        return parts[0] if len(parts) == 1 else Node("AND", tuple(parts))

    def unit(self, group: Group) -> Expr:
        tok = self.take()
        if tok.startswith("{"):
            cols = frozenset(tok[1:-1].split())
            if cols not in _GROUPS:
                raise ValueError(f"unknown column filter {tok}")
            self.take(":")
            return self.unit(_GROUPS[cols])
        if tok == "(":
            inner = self.or_expr(group)
            self.take(")")
            return inner
        if tok.startswith('"'):
            prefix = self.peek() == "*"
            if prefix:
                self.take()
            return Phrase(tuple(tokens(tok[1:-1].replace('""', '"'))), group, prefix)
        raise ValueError(f"unexpected {tok!r} in the match expression")


def parse(expr: str) -> Expr:
    """The tree of an FTS5 expression written by `query.py` (ValueError for anything else)."""
    return _Parser(expr).parse()


def phrases(expr: Expr) -> list[Phrase]:
    """Every phrase of the expression in order, repeats kept (FTS5's bm25 counts each)."""
    if isinstance(expr, Phrase):
        return [expr]
    return [p for part in expr.parts for p in phrases(part)]


def _quote(lex: str) -> str:
    return "'" + lex.replace("\\", "\\\\").replace("'", "''") + "'"


NOTHING = "'~'"  # a lexeme no document holds (an n-gram is never empty): matches nothing


def phrase_tsquery(p: Phrase) -> str:
    """One phrase as tsquery text: a lexeme, a prefix, or lexemes one after another."""
    lex = p.lexemes
    if not lex:
        return NOTHING
    if len(lex) == 1:
        return _quote(lex[0]) + (":*" if p.prefix else "")
    body = " <-> ".join(_quote(x) for x in lex)
    return "(" + body + (":*" if p.prefix else "") + ")"


def to_tsquery(expr: Expr) -> str:
    """The expression as tsquery text (cast it with `CAST(:q AS tsquery)`)."""
    if isinstance(expr, Phrase):
        return phrase_tsquery(expr)
    joiner = " & " if expr.op == "AND" else " | "
    return "(" + joiner.join(to_tsquery(p) for p in expr.parts) + ")"


def guards(expr: Expr) -> list[str | None]:
    """For each phrase (in `phrases` order), the tsquery a row must match for FTS5 to count the
    phrase's occurrences in it: every `AND` above the phrase (but the root, which every hit
    matches). FTS5 counts no occurrence of a phrase under an `AND` that fails on the row
    ("대기" in `("대기" AND "질") OR "오염"` on a row without 질); None: no condition."""
    out: list[str | None] = []

    def walk(node: Expr, above: tuple[str, ...]) -> None:
        if isinstance(node, Phrase):
            out.append(" & ".join(above) if above else None)
            return
        mine = (*above, to_tsquery(node)) if node.op == "AND" and node is not expr else above
        for part in node.parts:
            walk(part, mine)

    walk(expr, ())
    return out


@dataclass(frozen=True)
class Compiled:
    """A match expression ready for PostgreSQL: what to match, the phrases to score and the
    condition under which each phrase counts (`guards`)."""

    tsquery: str
    phrases: tuple[Phrase, ...]
    guards: tuple[str | None, ...]


def compile_match(expr: str) -> Compiled:
    """Parse and translate one FTS5 expression of `query.py`."""
    tree = parse(expr)
    return Compiled(to_tsquery(tree), tuple(phrases(tree)), tuple(guards(tree)))


@dataclass(frozen=True)
class Vector:
    """A document's `tsvector` text, its token count (FTS5's row size) and its lexemes."""

    text: str
    ntok: int
    lexemes: frozenset[str]


def vector_literal(columns: tuple[str, str, str, str, str, str]) -> Vector:
    """The `tsvector` of a document's six index columns, with its token count and lexemes.

    Terms of the title, keywords, description and other text get weights A, B, C, D; n-grams of
    the title A and of the body B, behind `GRAM_MARK`. Each token has its own position, and the
    columns are two positions apart, so a phrase never spans two of them. A lexeme keeps at most
    255 positions (PostgreSQL's limit is 256) and positions stop at 16383.
    """
    groups: tuple[Group, ...] = ("term", "term", "term", "term", "gram", "gram")
    letters = "ABCDAB"
    where: dict[str, list[str]] = {}
    pos = 0
    ntok = 0
    for text, group, letter in zip(columns, groups, letters, strict=True):
        toks = tokens(text)
        ntok += len(toks)
        for t in toks:
            pos += 1
            lst = where.setdefault(lexeme(t, group), [])
            if len(lst) < 255 and pos <= 16383:
                lst.append(f"{pos}{letter}")
        pos += 2
    body = " ".join(
        f"{_quote(lex)}:{','.join(ps)}" if ps else _quote(lex) for lex, ps in where.items()
    )
    return Vector(body, ntok, frozenset(where))
