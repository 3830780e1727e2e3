"""The four synthetic developer datasets: their stated properties measured on generated rows,
exact row counts, seeds that reproduce, files streamed in batches, datasheets."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from scipy.optimize import minimize_scalar

from datanuri.errors import InvalidInput
from datanuri.regions.ids import to_id
from datanuri.synth.samples import KINDS, cards, kinds, queries, sns
from datanuri.synth.samples.datasheet import HEADINGS, datasheet
from datanuri.synth.samples.model import BATCH_ROWS, exact_batches
from datanuri.synth.samples.writer import write_sample

ROWS = 200_000


def table(kind: str, rows: int = ROWS, seed: int = 7) -> pa.Table:
    return pa.Table.from_batches(list(exact_batches(KINDS[kind], rows, seed)))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_rows_exact_schema_and_seed_reproduces(kind, tmp_path):
    rows = 3 * BATCH_ROWS + 1_234  # several batches and a cut last one
    a = write_sample(KINDS[kind], rows, 11, tmp_path / "a.parquet")
    b = write_sample(KINDS[kind], rows, 11, tmp_path / "b.parquet")
    c = write_sample(KINDS[kind], rows, 12, tmp_path / "c.parquet")
    assert a.rows == rows and pq.ParquetFile(a.path).metadata.num_rows == rows
    ta, tb, tc = (pq.read_table(p) for p in (a.path, b.path, c.path))
    assert ta.schema.equals(KINDS[kind].schema)
    assert ta.equals(tb)
    assert not ta.equals(tc)
    assert pq.ParquetFile(a.path).metadata.num_row_groups >= 4  # streamed, one group per batch


def test_sizes_outside_the_stated_range_are_refused():
    with pytest.raises(InvalidInput, match="between 10,000 and 100,000,000"):
        next(exact_batches(KINDS["sns"], 9_999, 1))
    with pytest.raises(InvalidInput, match="queries, traces, cards, sns"):
        kinds("tweets")
    assert [k.kind for k in kinds("all")] == ["queries", "traces", "cards", "sns"]


def zipf_mle(ranks: np.ndarray, n: int) -> float:
    """The exponent s maximising the likelihood of `ranks` under P(r) ∝ r^-s on 1..n."""
    log_r = np.log(np.arange(1, n + 1))
    total = np.log(ranks).sum()

    def nll(s: float) -> float:
        return s * total + len(ranks) * np.log(np.exp(-s * log_r).sum())

    return float(minimize_scalar(nll, bounds=(0.2, 3.0), method="bounded").x)


def test_queries_zipf_exponent_is_recovered():
    t = table("queries")
    ranks = t["query_rank"].to_numpy()
    s = zipf_mle(ranks, len(queries.vocabulary()))
    assert abs(s - queries.ZIPF_S) < 0.02, s
    # the rank is the query's: the same text always has the same rank
    pairs = t.select(["query", "query_rank"]).group_by(["query", "query_rank"]).aggregate([])
    assert pairs.num_rows == pc.count_distinct(t["query"]).as_py()
    # a wrong exponent is told apart: the estimate is not just close to anything
    uniform = np.random.default_rng(0).integers(1, len(queries.vocabulary()) + 1, ROWS)
    assert zipf_mle(uniform, len(queries.vocabulary())) < 0.3


def test_queries_click_through_falls_with_position():
    t = table("queries")
    pos = t["click_position"].to_numpy(zero_copy_only=False)
    counts = [np.count_nonzero(pos == k) for k in range(1, queries.RESULTS + 1)]
    assert all(a > b for a, b in zip(counts, counts[1:], strict=False)), counts
    # the cascade's expected click shares, within sampling error
    c = queries.click_probabilities()
    expected = c * np.concatenate([[1.0], np.cumprod(1 - c)[:-1]])
    assert np.allclose(np.array(counts) / len(pos), expected, atol=0.005)
    # a click has a dwell time, no click has none
    dwell = t["dwell_seconds"]
    assert pc.equal(pc.is_null(dwell), pc.is_null(t["click_position"])).to_pylist() == [True] * len(
        pos
    )


def test_queries_sessions_are_ordered_in_time():
    t = table("queries").to_pandas()
    same = t.session_id.to_numpy()[1:] == t.session_id.to_numpy()[:-1]
    later = np.diff(t.searched_at.to_numpy().astype("int64")) > 0
    assert later[same].all()
    first = t.groupby("session_id").query_in_session.min()
    assert (first == 1).all()
    assert t.groupby("session_id").user_id.nunique().max() == 1


def test_traces_regions_are_valid_and_rhythm_peaks_at_stated_hours():
    t = table("traces")
    for region in pc.unique(t["region_id"]).to_pylist():
        assert to_id(region) == region, region
    df = t.to_pandas()
    df["hour"] = df.observed_at.dt.hour
    assert (df[df.hour == 3].place_type == "home").all()
    weekday = df.observed_at.dt.day_of_week < 5
    prev = df.place_type.shift()
    same_person = df.person_id == df.person_id.shift()
    go = df[same_person & weekday & (prev == "home") & (df.place_type == "work")].hour
    back = df[same_person & weekday & (prev == "work") & (df.place_type == "home")].hour
    assert go.mode()[0] == 8 and back.mode()[0] == 19
    assert go.between(7, 9).mean() > 0.7
    weekend = df[~weekday]
    assert (weekend.place_type != "work").all()
    # a commuter's work place stays the same over the days
    work = df[df.place_type == "work"].groupby("person_id").region_id.nunique()
    assert (work == 1).all() and len(work) > 50


def test_cards_amounts_and_times_follow_their_categories():
    df = table("cards").to_pandas()
    for c in cards.CATEGORIES:
        amounts = df[df.category == c.name].amount_krw
        assert abs(amounts.median() / c.median_krw - 1) < 0.06, c.name
        assert abs(np.log(amounts).std() - c.sigma) < 0.06, c.name
    hours = df.approved_at.dt.hour
    meals = hours[df.category.isin(["한식", "양식"])].value_counts()
    assert meals.idxmax() == 12 and set(meals.index[:3]) <= {12, 18, 19}
    mart = df[df.category == "대형마트"]
    per_day = mart.approved_at.dt.date.value_counts()
    weekend = per_day[[d.weekday() >= 5 for d in per_day.index]].mean()
    weekday = per_day[[d.weekday() < 5 for d in per_day.index]].mean()
    assert weekend > 1.5 * weekday
    online = df.channel == "online"
    assert df[online].region_id.isna().all() and df[~online].region_id.notna().all()
    for region in df.region_id.dropna().unique():
        assert to_id(region) == region
    assert (df.amount_krw % 10 == 0).all()
    assert (df[df.instalment_months > 0].amount_krw >= cards.INSTALMENT_FROM).all()


def test_sns_replies_point_back_in_time_with_preferential_attachment():
    t = table("sns")
    df = t.to_pandas()
    replies = df[df.reply_to.notna()]
    assert abs(len(replies) / len(df) - sns.REPLY_P) < 0.01
    parent = replies.reply_to.astype("int64").to_numpy()
    assert (parent < replies.post_id.to_numpy()).all()
    assert np.isin(parent, df.post_id.to_numpy()).all()
    posted = df.set_index("post_id").posted_at
    assert (posted.loc[parent].to_numpy() <= replies.posted_at.to_numpy()).all()
    assert df.posted_at.is_monotonic_increasing
    # preferential attachment: against each reply choosing uniformly among the same number of
    # preceding posts as its window holds, many more posts gather many replies
    recent = int(sns.WINDOW / (1 + sns.REPLY_P))
    child = replies.post_id.to_numpy()
    rng = np.random.default_rng(0)
    uniform = child - 1 - (rng.random(len(child)) * np.minimum(child - 1, recent)).astype(np.int64)
    pa_deg, uni_deg = np.bincount(parent), np.bincount(uniform)
    assert np.count_nonzero(pa_deg >= 5) > 10 * np.count_nonzero(uni_deg >= 5)
    assert pa_deg.max() > 2 * uni_deg.max()
    assert df.text.str.contains("[가-힣]").all()
    tags = df.hashtags[df.hashtags != ""].str.split(" ")
    assert tags.map(lambda x: len(x) == len(set(x)) and all(s.startswith("#") for s in x)).all()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_datasheet_has_the_papers_sections_in_both_languages(kind):
    text = datasheet(KINDS[kind], rows=12_345, seed=5)
    for heading in HEADINGS.values():
        assert f"## {heading.ko}" in text and f"## {heading.en}" in text
    assert "12,345" in text and len(text) < 20_000
    for prop in KINDS[kind].properties:
        assert prop.ko in text and prop.en in text
    for column, note in KINDS[kind].columns:  # what each column holds, in both languages
        assert f"- {column}: {note.ko}" in text and f"- {column}: {note.en}" in text
    assert {c for c, _ in KINDS[kind].columns} == set(KINDS[kind].schema.names)
