"""What a reader must know before reading a scale (nlp.scaling.diagnostics, .periods, .analysis): an axis that
tracks time, an end held by a fringe, uncorroborated references; each caveat on a corpus built to trigger it
and on one built not to."""
from __future__ import annotations

import numpy as np
import pytest

from nlp.documents import DocumentTerms
from nlp.scaling import ScalingError
from nlp.scaling.analysis import analyse_wordfish, analyse_wordscores
from nlp.scaling.diagnostics import date_values, fringe_split, time_correlation
from nlp.scaling.positions import corpus_scale, feature_matrix

GROUP_AT = {"a": -1.0, "b": 0.0, "c": 1.0}


def corpus(n=45, time_strength=0.0, group_strength=0.0, fringe=0, seed=0, dated=True, years=None) -> DocumentTerms:
    """``n`` documents of three groups (a, b, c) dated 1960-2004, with word use tilted by the year
    (``time_strength``) and by the group's place on a left-right axis (``group_strength``); ``fringe`` more
    documents of a small group that writes mostly in words of its own. ``years``: spread them over that many
    years instead (several documents a year)."""
    rng = np.random.default_rng(seed)
    vocab = [f"w{j:03d}" for j in range(200)]
    base = 1 / (np.arange(1, 201) + 2.7)
    gamma, delta = rng.normal(0, 1, 200), rng.normal(0, 1, 200)
    years = 1960 + (rng.permutation(n) if years is None else np.arange(n) % years)
    labels = [("a", "b", "c")[i % 3] for i in range(n)]
    docs = []
    for i in range(n):
        t = (years[i] - 1982) / 13
        p = base * np.exp(time_strength * gamma * t + group_strength * delta * GROUP_AT[labels[i]]
                          + rng.normal(0, 0.3, 200))
        docs.append([vocab[j] for j in rng.choice(200, size=300, p=p / p.sum())])
    own = [f"f{j:02d}" for j in range(30)]
    for k in range(fringe):
        docs.append([own[j] for j in rng.integers(0, 30, 200)] + [vocab[j] for j in rng.choice(200, 100, p=base / base.sum())])
        labels.append("fringe")
        years = np.append(years, 1960 + 10 * k)
    published = [f"{y}-06-01" for y in years] if dated else [None] * len(docs)
    return DocumentTerms.from_terms(docs, labels=labels, published=published,
                                    titles=[f"doc {i}" for i in range(len(docs))])


def wordfish(docs, **kwargs):
    X, names = feature_matrix(docs)
    return analyse_wordfish(docs, X, names, bootstrap=0, **kwargs)


# ------------------------------------------------------------------ time
def test_dates_become_fractional_years():
    assert np.allclose(date_values(["1997-01-01", "1997", "2000-07-15", None])[:3], [1997.0, 1997.5, 2000.54], atol=0.01)
    assert time_correlation([1, 2, 3, 4], ["2001", "2002", None, "2004"]) == (1.0, 3)
    assert time_correlation([1, 2], ["2001", "2002"]) == (None, 2)


def test_an_axis_that_tracks_time_says_so():
    analysis = wordfish(corpus(time_strength=1.5))
    rho = analysis.diagnostics.time_correlation
    assert abs(rho) >= 0.7
    assert any("track time" in c for c in analysis.caveats)
    assert analysis.to_dict(corpus(time_strength=1.5))["diagnostics"]["time_correlation"] == rho


def test_an_axis_of_groups_with_no_time_trend_has_no_time_caveat():
    analysis = wordfish(corpus(group_strength=1.5))
    assert abs(analysis.diagnostics.time_correlation) < 0.7
    assert not any("track time" in c for c in analysis.caveats)
    means = {g.group: g.position for g in analysis.groups if g.period == "all"}
    assert means["a"] < means["b"] < means["c"] or means["a"] > means["b"] > means["c"]


def test_within_decades_the_time_trend_is_taken_out():
    docs = corpus(time_strength=1.5)
    analysis = wordfish(docs, within="decade")
    info = analysis.result.info
    assert info["within"] == "decade" and set(info["periods"]) == {"1960s", "1970s", "1980s", "1990s", "2000s"}
    assert abs(analysis.diagnostics.time_correlation) < 0.5
    assert len(analysis.result.documents) == len(docs) - len(info["left_out"])


def test_within_years_leaves_out_periods_too_small_to_scale():
    docs = corpus(time_strength=1.5)  # one document a year
    with pytest.raises(ScalingError, match="no year has 3 or more dated documents"):
        wordfish(docs, within="year")


# ------------------------------------------------------------------ fringe
def test_an_end_held_by_a_small_group_alone_says_so():
    analysis = wordfish(corpus(group_strength=0.6, fringe=4))
    fringe = analysis.diagnostics.fringe
    assert fringe is not None and fringe["groups"] == ["fringe"]
    assert any("held by small groups only (fringe" in c for c in analysis.caveats)


def test_no_fringe_caveat_when_the_large_groups_reach_both_ends():
    analysis = wordfish(corpus(group_strength=1.5))
    assert analysis.diagnostics.fringe is None
    assert not any("small groups only" in c for c in analysis.caveats)
    assert fringe_split(np.arange(20.0), ["a"] * 10 + ["b"] * 10) is None


# ------------------------------------------------------------------ pole words and the orders within periods
def test_pole_words_are_the_words_pulling_hardest_each_way():
    analysis = wordfish(corpus(group_strength=1.5))
    poles = analysis.diagnostics.poles
    beta = {w.term: w.beta for w in analysis.result.words}
    assert len(poles["low"]) == len(poles["high"]) == 10 and not set(poles["low"]) & set(poles["high"])
    assert max(beta[w] for w in poles["low"]) < 0 < min(beta[w] for w in poles["high"])


def test_each_period_s_order_is_tallied():
    analysis = wordfish(corpus(group_strength=1.5, n=60, years=10), period="year")
    orders = {(o["low"], o["high"]): o for o in analysis.orders}
    low, high = ("a", "c") if ("a", "c") in orders else ("c", "a")  # the sign of the axis is arbitrary
    assert orders[(low, high)] == {"low": low, "high": high, "below": 10, "periods": 10}
    assert len(orders) == 3 and all(o["below"] >= 8 for o in orders.values())


# ------------------------------------------------------------------ Wordscores: corroboration
def _references(docs, truth_order=True):
    X, names = feature_matrix(docs)
    refs = {i: GROUP_AT[docs.labels[i]] for i in range(6)}  # two of each group
    if not truth_order:
        refs = dict(zip(refs, [1.0, 0.0, -1.0, 1.0, -1.0, 0.0]))  # a scale the texts do not bear out
    return X, names, refs


def test_references_that_agree_are_corroborated():
    docs = corpus(group_strength=1.5)
    X, names, refs = _references(docs)
    analysis = analyse_wordscores(docs, X, names, reference=refs, bootstrap=0)
    corroboration = analysis.diagnostics.corroboration
    assert corroboration["corroborated"] and corroboration["rho"] >= 0.7 and corroboration["n_references"] == 6
    assert all(g.supported for g in analysis.groups if g.period == "all")
    assert not any("cannot be corroborated" in c for c in analysis.caveats)


def test_references_that_disagree_support_nothing():
    docs = corpus(group_strength=1.5)
    X, names, refs = _references(docs, truth_order=False)
    analysis = analyse_wordscores(docs, X, names, reference=refs, bootstrap=0)
    assert not analysis.diagnostics.corroboration["corroborated"]
    assert not any(g.supported for g in analysis.groups)
    assert any("cannot be corroborated" in c for c in analysis.caveats)


def test_wordscores_within_a_decade_reads_each_text_against_its_contemporaries():
    docs = corpus(time_strength=1.5, group_strength=0.5)
    X, names, refs = _references(docs)
    analysis = analyse_wordscores(docs, X, names, reference=refs, within="decade", bootstrap=0)
    by_decade: dict[str, list[float]] = {}
    where = {d: i for i, d in enumerate(docs.ids)}
    for d in analysis.result.documents:
        if not d.reference:
            by_decade.setdefault(docs.published[where[d.id]][:3], []).append(d.score)
    assert all(abs(np.mean(v)) < 1e-9 for v in by_decade.values())


# ------------------------------------------------------------------ the run's positions stage
def test_corpus_scale_refuses_an_undated_selection_before_fitting(monkeypatch):
    from nlp.scaling.wordfish import Wordfish

    def no_fit(*args, **kwargs):
        raise AssertionError("fitted a scale the stage would throw away")

    monkeypatch.setattr(Wordfish, "fit", no_fit)
    with pytest.raises(ScalingError, match="no document in the selection is dated"):
        corpus_scale(corpus(group_strength=1.5, dated=False))


def test_corpus_scale_passes_its_diagnostics_to_the_report():
    _, info = corpus_scale(corpus(time_strength=1.5), high="c", low="a")
    assert abs(info["diagnostics"]["time_correlation"]) >= 0.7 and info["diagnostics"]["poles"]["high"]
    assert any("track time" in c for c in info["caveats"])
