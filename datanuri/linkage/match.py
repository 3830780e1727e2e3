"""Matching keyed records: exact joins, deterministic rules, CLK similarity and Fellegi–Sunter.

Every method returns a `Pairs` (row numbers in the left and right table, a score and the rule or
method that matched) and is pure: tables in, pairs out; DuckDB does the joins. `link` runs one
method over every pair of several holders' tables and writes the `LinkageReport`.

- exact: equal ``lk_*`` key (nulls never match);
- rules: a list of rules, each a set of keys that must all be equal; a pair matches when any rule
  holds ("name + birth date, or phone"); the first rule that holds is recorded;
- clk: Dice similarity of CLKs on LSH-blocked candidates, one-to-one by greedy best score,
  threshold from the scores of the pairs one-to-one rules out (the null distribution);
- probabilistic: Fellegi–Sunter on Splink's DuckDB backend (m by EM, u by random sampling), a
  pair matches when its posterior match probability is at least ``threshold`` (default 0.5),
  one-to-one by greedy best score.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri import errors
from datanuri.engine import quote
from datanuri.linkage import clk as clk_mod
from datanuri.linkage import messages as M
from datanuri.linkage.normalise import Kind, normalise

Method = Literal["exact", "rules", "clk", "probabilistic"]
Comparison = Literal["jaro_winkler", "levenshtein", "exact"]


@dataclass(frozen=True)
class Pairs:
    """Matched pairs: row numbers of the left and right table, their score and the rule."""

    left: np.ndarray
    right: np.ndarray
    score: np.ndarray
    rule: pa.Array | None = None  # per pair (strings); None when one method made them all

    def __len__(self) -> int:
        return len(self.left)

    def to_arrow(self) -> pa.Table:
        cols: dict[str, Any] = {"left": self.left, "right": self.right, "score": self.score}
        if self.rule is not None:
            cols["rule"] = self.rule
        return pa.table(cols)


@dataclass(frozen=True)
class LevelWeight:
    """One comparison level of a Fellegi–Sunter model: how often matches (m) and non-matches (u)
    fall in it, and the match weight log2(m/u) a pair in it gets."""

    field: str
    level: str
    m: float | None
    u: float | None

    @property
    def weight(self) -> float | None:
        if not self.m or not self.u:
            return None
        return math.log2(self.m / self.u)


@dataclass(frozen=True)
class Scored:
    """A method's accepted pairs, every candidate's score, the threshold and estimated quality."""

    pairs: Pairs
    scores: np.ndarray
    threshold: float | None
    precision: float | None = None
    recall: float | None = None
    weights: tuple[LevelWeight, ...] = ()  # probabilistic: the fitted model, level by level


ROW = "_row"  # each row's position in its table


def _indexed(table: pa.Table, columns: Sequence[str]) -> pa.Table:
    cols = {c: table.column(c) for c in columns}
    return pa.table({ROW: pa.array(np.arange(table.num_rows, dtype=np.int64)), **cols})


def empty_pairs() -> Pairs:
    """No pairs (with an empty rule column)."""
    empty = np.zeros(0, np.int64)
    return Pairs(empty, empty, np.zeros(0), pa.array([], pa.string()))


def usable_rules(
    left: Sequence[str], right: Sequence[str], rules: Sequence[Sequence[str]]
) -> list[list[str]]:
    """The rules whose keys both tables have (a rule over a key one side lacks never holds)."""
    both = set(left) & set(right)
    return [list(r) for r in rules if r and set(r) <= both]


def rule_labels(rules: Sequence[Sequence[str]]) -> pa.Array:
    """Each rule's label ("lk_name+lk_date"), in order: rule n (from 1) is label n - 1."""
    return pa.array(["+".join(r) for r in rules], pa.string())


def join_sql(rules: Sequence[Sequence[str]]) -> str:
    """Pairs (l, r, n) of rows of ``a`` and ``b`` (row positions in ``_row``) for which rule n
    (from 1) is the first that holds, in (l, r) order; equality never holds for NULL, so a
    missing key matches nothing. One rule needs no grouping (each pair of rows joins once).
    DuckDB's dialect: the compute engine transpiles it for Spark (`engine_join`)."""
    parts = []
    for n, rule in enumerate(rules):
        on = " AND ".join(f"a.{quote(k)} = b.{quote(k)}" for k in rule)
        parts.append(f"SELECT a.{ROW} AS l, b.{ROW} AS r, {n + 1} AS n FROM a JOIN b ON {on}")
    if len(parts) == 1:
        return f"{parts[0]} ORDER BY l, r"
    union = " UNION ALL ".join(parts)
    return f"SELECT l, r, min(n) AS n FROM ({union}) AS u GROUP BY l, r ORDER BY l, r"


def pairs_of(out: pa.Table, rules: Sequence[Sequence[str]]) -> Pairs:
    """`Pairs` from the (l, r, n) rows `join_sql` gives."""
    n = np.asarray(out.column("n").to_numpy(), np.int64)
    return Pairs(
        np.asarray(out.column("l").to_numpy(), np.int64),
        np.asarray(out.column("r").to_numpy(), np.int64),
        np.ones(len(n)),
        rule_labels(rules).take(pa.array(n - 1)),
    )


def exact_join(left: pa.Table, right: pa.Table, key: str) -> Pairs:
    """Pairs with the same non-null value of ``key`` (many-to-many if keys repeat)."""
    return rules_join(left, right, [[key]])


def rules_join(left: pa.Table, right: pa.Table, rules: Sequence[Sequence[str]]) -> Pairs:
    """Pairs for which any rule holds (all of its keys equal and not null); first rule recorded.

    Rules over a key that one of the tables lacks are left out."""
    rules = usable_rules(left.column_names, right.column_names, rules)
    if not rules:
        return empty_pairs()
    keys = sorted({k for r in rules for k in r})
    a, b = _indexed(left, keys), _indexed(right, keys)  # noqa: F841 - read by DuckDB
    with duckdb.connect() as con:
        return pairs_of(con.sql(join_sql(rules)).to_arrow_table(), rules)


def one_to_one(left: np.ndarray, right: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Indices of a one-to-one choice of pairs, best scores first (the greedy matching).

    Computed in rounds, not per pair: each round accepts every pair that is the best remaining
    for both its records (the best pair overall always is), then drops the pairs of the records
    it used; the rounds end when nothing is left, with the greedy algorithm's answer.
    """
    n = len(left)
    if n == 0:
        return np.zeros(0, np.int64)
    order = np.lexsort((right, left, -score))  # best first; ties by row numbers
    sl, sr = left[order], right[order]
    used_l = np.zeros(int(left.max()) + 1, bool)
    used_r = np.zeros(int(right.max()) + 1, bool)
    alive = np.ones(n, bool)
    chosen: list[np.ndarray] = []
    while alive.any():
        idx = np.flatnonzero(alive)
        _, first_l = np.unique(sl[idx], return_index=True)
        _, first_r = np.unique(sr[idx], return_index=True)
        best = np.intersect1d(idx[first_l], idx[first_r], assume_unique=True)
        chosen.append(best)
        used_l[sl[best]] = True
        used_r[sr[best]] = True
        alive &= ~(used_l[sl] | used_r[sr])
    return np.sort(order[np.concatenate(chosen)])


def _normal_tail(x: float, mean: float, sd: float, *, upper: bool) -> float:
    if sd <= 0:
        return float((x <= mean) if upper else (x > mean))
    z = (x - mean) / (sd * math.sqrt(2))
    return 0.5 * math.erfc(z) if upper else 0.5 * math.erfc(-z)


def estimate_quality(
    null: np.ndarray, accepted: np.ndarray, threshold: float
) -> tuple[float | None, float | None]:
    """Rough precision and recall without the truth: normals fitted to the null scores (candidate
    pairs the one-to-one choice leaves out, non-matches under the one-to-one assumption) and to the
    accepted scores; precision counts every null pair the null normal puts above the threshold
    as a false match (a lower bound: one-to-one drops most), recall is the share of the accepted
    normal above the threshold."""
    if len(null) < 2 or len(accepted) < 2:
        return None, None
    false_pos = len(null) * _normal_tail(
        threshold, float(null.mean()), float(null.std()), upper=True
    )
    precision = max(0.0, 1 - false_pos / (len(accepted) + false_pos))
    recall = _normal_tail(threshold, float(accepted.mean()), float(accepted.std()), upper=True)
    return precision, recall


NULL_QUANTILE = 0.999
FLOOR_FROM = 10_000  # candidates from which one-to-one is solved on the top tenth only


@dataclass(frozen=True)
class ClkMatchOptions:
    """CLK matching: LSH blocking (``bands`` of ``bits_per_band`` sampled bits, or none), and a
    fixed threshold instead of the one read from the score distribution (`clk_match`)."""

    blocking: Literal["lsh", "none"] = "lsh"
    bands: int = 160
    bits_per_band: int = 12
    threshold: float | None = None


def clk_match(a: np.ndarray, b: np.ndarray, options: ClkMatchOptions | None = None) -> Scored:
    """Match two CLK matrices by Dice similarity, one-to-one.

    The threshold comes from the scores themselves: candidate pairs the one-to-one choice leaves
    out are non-matches when each record has at most one partner, so their scores are the null
    distribution, and a chosen pair is accepted when it scores above the null's 99.9th
    percentile (Otsu's split of all scores when there are too few null pairs).
    """
    opts = options or ClkMatchOptions()
    if opts.blocking == "lsh":
        li, ri = clk_mod.lsh_candidates(a, b, bands=opts.bands, bits_per_band=opts.bits_per_band)
    else:
        li, ri = clk_mod.all_pairs(len(a), len(b))
    scores = clk_mod.dice(a, b, li, ri)
    # Greedy one-to-one above a score equals greedy over all pairs then cut at that score, so
    # on many candidates only the top tenth is solved (the null's 99.9th percentile lies above)
    floor = float(np.quantile(scores, 0.9)) if len(scores) > FLOOR_FROM else -1.0
    top = np.flatnonzero(scores >= floor)
    best = np.zeros(len(scores), bool)
    best[top[one_to_one(li[top], ri[top], scores[top])]] = True
    null = scores[~best]
    if opts.threshold is not None:
        threshold = opts.threshold
    elif len(null) >= 100:
        threshold = max(float(np.quantile(null, NULL_QUANTILE)), floor)
    else:
        threshold = clk_mod.otsu_threshold(scores)
    keep = best & (scores >= threshold)
    precision, recall = estimate_quality(null, scores[keep], threshold)
    return Scored(Pairs(li[keep], ri[keep], scores[keep]), scores, threshold, precision, recall)


@dataclass(frozen=True)
class ProbField:
    """A field compared by the probabilistic model: column, normalisation and comparison."""

    column: str
    kind: Kind = "text"
    comparison: Comparison = "jaro_winkler"
    block: bool = False  # also generate candidate pairs that agree exactly on this field


@dataclass(frozen=True)
class ProbOptions:
    """Fellegi–Sunter options: the posterior probability to accept, EM blocking fields, seed."""

    threshold: float = 0.5
    em_blocks: tuple[str, ...] = ()  # default: the first two blocking fields
    seed: int = 1
    max_pairs: float = 1e6


def _comparison(f: ProbField) -> Any:
    import splink.comparison_library as cl

    if f.comparison == "exact":
        return cl.ExactMatch(f.column)
    if f.comparison == "levenshtein":
        return cl.LevenshteinAtThresholds(f.column, [1, 2])
    return cl.JaroWinklerAtThresholds(f.column, [0.92, 0.8])


def probabilistic_match(
    left: pa.Table, right: pa.Table, fields: Sequence[ProbField], options: ProbOptions | None = None
) -> Scored:
    """Fellegi–Sunter matching with Splink on DuckDB: u by random sampling, m by EM.

    The prior probability that two random records match is set to ``1 / max(rows)`` (each record
    has at most one partner), not estimated: it only shifts the weights of every pair alike.
    """
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    opts = options or ProbOptions()
    blocks = [f.column for f in fields if f.block] or [f.column for f in fields[:2]]

    def prepared(t: pa.Table) -> Any:
        cols = {f.column: normalise(t.column(f.column), f.kind) for f in fields}
        return pa.table(
            {"unique_id": pa.array(np.arange(t.num_rows, dtype=np.int64)), **cols}
        ).to_pandas()

    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[_comparison(f) for f in fields],
        blocking_rules_to_generate_predictions=[block_on(c) for c in blocks],
        probability_two_random_records_match=1 / max(left.num_rows, right.num_rows, 1),
        retain_matching_columns=False,
    )
    db = DuckDBAPI()
    frames = [
        db.register(prepared(left), dataset_display_name="a"),
        db.register(prepared(right), dataset_display_name="b"),
    ]
    linker = Linker(frames, settings, log_level=logging.ERROR)  # --json stays clean
    linker.training.estimate_u_using_random_sampling(max_pairs=opts.max_pairs, seed=opts.seed)
    for column in opts.em_blocks or tuple(blocks[:2]):
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(column))
    predicted = linker.inference.predict().as_pandas_dataframe()
    ids_l = predicted["unique_id_l"].to_numpy(np.int64)
    ids_r = predicted["unique_id_r"].to_numpy(np.int64)
    from_a = (predicted["source_dataset_l"] == "a").to_numpy()
    li = np.where(from_a, ids_l, ids_r)
    ri = np.where(from_a, ids_r, ids_l)
    prob = predicted["match_probability"].to_numpy(np.float64)
    above = prob >= opts.threshold
    keep = one_to_one(li[above], ri[above], prob[above])
    accepted = prob[above][keep]
    # the model's own expectation: accepted pairs are matches with their posterior probability
    precision = float(accepted.mean()) if len(accepted) else None
    recall = float(accepted.sum() / prob.sum()) if prob.sum() > 0 else None
    return Scored(
        Pairs(li[above][keep], ri[above][keep], accepted),
        prob,
        opts.threshold,
        precision,
        recall,
        _levels(linker.misc.save_model_to_json()),
    )


def _levels(model: dict[str, Any]) -> tuple[LevelWeight, ...]:
    """The m and u of every comparison level of a fitted Splink model (its settings dict)."""
    out = []
    for comparison in model.get("comparisons", []):
        name = str(comparison.get("output_column_name", ""))
        for level in comparison.get("comparison_levels", []):
            if level.get("is_null_level"):
                continue
            out.append(
                LevelWeight(
                    name,
                    str(level.get("label_for_charts", level.get("sql_condition", ""))),
                    level.get("m_probability"),
                    level.get("u_probability"),
                )
            )
    return tuple(out)


# ------------------------------------------------------------------------------------------
# the report


@dataclass(frozen=True)
class PairCount:
    """What one pair of holders' tables gave: rows, candidates scored and matches accepted."""

    left: str
    right: str
    left_rows: int
    right_rows: int
    candidates: int
    matches: int


@dataclass(frozen=True)
class Histogram:
    """The scores of the candidate pairs in equal bins over [lo, hi]."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]


@dataclass(frozen=True)
class GroupRate:
    """The share of one holder's records of one group left without a match (linkage bias)."""

    source: str
    column: str
    group: str
    rows: int
    unmatched: int

    @property
    def rate(self) -> float:
        return self.unmatched / self.rows if self.rows else 0.0


@dataclass(frozen=True)
class LinkageReport:
    """A linkage's outcome: counts per pair, scores and threshold, estimated quality, bias."""

    method: Method
    pairs: tuple[PairCount, ...]
    histogram: Histogram | None = None
    threshold: float | None = None
    precision: float | None = None  # estimated, without the truth
    recall: float | None = None
    unmatched: tuple[GroupRate, ...] = field(default_factory=tuple)
    weights: tuple[LevelWeight, ...] = ()  # probabilistic: m, u and weight of every level

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["unmatched"] = [{**asdict(g), "rate": round(g.rate, 4)} for g in self.unmatched]
        out["weights"] = [
            {**asdict(w), "weight": None if w.weight is None else round(w.weight, 3)}
            for w in self.weights
        ]
        return out


@dataclass(frozen=True)
class LinkOptions:
    """What `link` runs: the method and its settings, and the columns to report bias by."""

    method: Method = "exact"
    keys: tuple[str, ...] = ()  # exact: the lk_* columns (default: every lk_* both tables have)
    rules: tuple[tuple[str, ...], ...] = ()  # rules: keys that must all agree, per rule
    clk_column: str = "clk"
    clk: ClkMatchOptions = field(default_factory=ClkMatchOptions)
    fields: tuple[ProbField, ...] = ()
    probabilistic: ProbOptions = field(default_factory=ProbOptions)
    group_by: tuple[str, ...] = ()
    bins: int = 20


KeyJoin = Callable[[Sequence[Sequence[str]]], Pairs]  # the rules -> their pairs


def key_rules(left: pa.Table, right: pa.Table, options: LinkOptions) -> list[list[str]]:
    """The key rules of the exact and rules methods: the rules given, or one rule of the keys
    (by default every lk_* column both tables have)."""
    if options.method == "rules":
        return [list(r) for r in options.rules]
    keys = options.keys or tuple(
        c for c in left.column_names if c.startswith("lk_") and c in right.column_names
    )
    return [list(keys)]


def match_pair(
    left: pa.Table, right: pa.Table, options: LinkOptions, key_join: KeyJoin | None = None
) -> Scored:
    """Run the configured method on two tables; ``key_join`` runs the key join elsewhere (on
    the compute engine, over the files) instead of in this process."""
    if options.method == "clk":
        return clk_match(
            clk_mod.from_arrow(left.column(options.clk_column)),
            clk_mod.from_arrow(right.column(options.clk_column)),
            options.clk,
        )
    if options.method == "probabilistic":
        return probabilistic_match(left, right, options.fields, options.probabilistic)
    rules = key_rules(left, right, options)
    pairs = key_join(rules) if key_join is not None else rules_join(left, right, rules)
    return Scored(pairs, pairs.score, None)


def _unmatched(
    name: str, table: pa.Table, matched: np.ndarray, columns: Sequence[str]
) -> list[GroupRate]:
    flags = np.zeros(table.num_rows, bool)
    flags[matched] = True
    out = []
    for col in columns:
        if col not in table.column_names:
            continue
        t = pa.table(  # noqa: F841 - read by DuckDB
            {"g": pc.cast(table.column(col), pa.string()), "m": pa.array(flags)}
        )
        with duckdb.connect() as con:
            rows = con.sql(
                "SELECT coalesce(g, '') AS g, count(*) AS n, count(*) FILTER (WHERE NOT m) AS u "
                "FROM t GROUP BY 1 ORDER BY 1"
            ).fetchall()
        out += [GroupRate(name, col, g, int(n), int(u)) for g, n, u in rows]
    return out


def needed_columns(options: LinkOptions) -> tuple[str, ...]:
    """The columns the CLK and probabilistic methods read from every table (a key rule naming a
    key a table lacks just finds nothing there)."""
    if options.method == "clk":
        return (options.clk_column,)
    if options.method == "probabilistic":
        return tuple(f.column for f in options.fields)
    return ()


def check_columns(tables: Sequence[tuple[str, pa.Table]], options: LinkOptions) -> None:
    """Refuse, naming the file and the column, a match whose method reads a column a file lacks."""
    for col in needed_columns(options):
        for name, t in tables:
            if col not in t.column_names:
                raise errors.InvalidInput(
                    M.MSG_MATCH_COLUMN.format(
                        method=options.method,
                        column=col,
                        name=name,
                        columns=", ".join(t.column_names),
                    )
                )


def link(
    tables: Sequence[tuple[str, pa.Table]],
    options: LinkOptions,
    key_join: Callable[[str, str, Sequence[Sequence[str]]], Pairs] | None = None,
) -> tuple[dict[tuple[str, str], Pairs], LinkageReport]:
    """Match every pair of the named tables; the pairs per (left, right) and the report.
    ``key_join(left name, right name, rules)``: where the key joins run (see `match_pair`)."""
    check_columns(tables, options)
    results: dict[tuple[str, str], Pairs] = {}
    counts: list[PairCount] = []
    matched: dict[str, list[np.ndarray]] = {name: [] for name, _ in tables}
    all_scores: list[np.ndarray] = []
    thresholds: list[float] = []
    quality: list[tuple[float | None, float | None]] = []
    weights: tuple[LevelWeight, ...] = ()
    for i, (ln, lt) in enumerate(tables):
        for rn, rt in tables[i + 1 :]:
            join = None if key_join is None else functools.partial(key_join, ln, rn)
            scored = match_pair(lt, rt, options, join)
            results[(ln, rn)] = scored.pairs
            counts.append(
                PairCount(ln, rn, lt.num_rows, rt.num_rows, len(scored.scores), len(scored.pairs))
            )
            matched[ln].append(scored.pairs.left)
            matched[rn].append(scored.pairs.right)
            all_scores.append(scored.scores)
            if scored.threshold is not None:
                thresholds.append(scored.threshold)
            quality.append((scored.precision, scored.recall))
            weights = weights or scored.weights  # the first pair's model, as an explanation
    histogram = None
    scores = np.concatenate(all_scores) if all_scores else np.zeros(0)
    if options.method in ("clk", "probabilistic") and len(scores):
        counts_, edges = np.histogram(scores, bins=options.bins, range=(0.0, 1.0))
        histogram = Histogram(
            tuple(round(float(e), 4) for e in edges), tuple(int(c) for c in counts_)
        )
    unmatched: list[GroupRate] = []
    for name, table in tables:
        rows = np.concatenate(matched[name]) if matched[name] else np.zeros(0, np.int64)
        unmatched += _unmatched(name, table, rows, options.group_by)
    precisions = [p for p, _ in quality if p is not None]
    recalls = [r for _, r in quality if r is not None]
    report = LinkageReport(
        method=options.method,
        pairs=tuple(counts),
        histogram=histogram,
        threshold=float(np.mean(thresholds)) if thresholds else None,
        precision=float(np.mean(precisions)) if precisions else None,
        recall=float(np.mean(recalls)) if recalls else None,
        unmatched=tuple(unmatched),
        weights=weights,
    )
    return results, report
