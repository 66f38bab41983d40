""""Now against before": a rise or fall is stated only when the intervals part and both windows rest on
enough articles; the section says so in plain words, with example sentences that link to the article."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

from nlp.documents import DocumentTerms
from nlp.errors import InvalidParameterError
from nlp.report.examples import ArticleText, example_sentences
from nlp.report.now_section import now_section
from nlp.topics.trends import (MovingTerm, MovingTopic, NowAgainstBefore, TendencyNow, now_against_before,
                               recent_windows)


def _corpus(n_per_window: int = 30, thin: str | None = None, seed: int = 0):
    """Two tendencies over 18 months; the soft left turns from topic 0 and 'rail' to topic 1 and 'devolution'
    in the last six months. With ``thin``, that tendency has only three recent articles."""
    rng = random.Random(seed)
    terms, labels, authors, published, theta = [], [], [], [], []
    filler = ["party", "member", "policy", "vote", "council", "labour"]
    for tendency in ("soft_left", "hard_left"):
        for window, months in (("before", range(1, 13)), ("now", range(13, 19))):
            count = 3 if (thin == tendency and window == "now") else n_per_window
            for i in range(count):
                month = list(months)[i % len(months)]
                day = f"{2023 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}-{1 + i % 27:02d}"
                changed = tendency == "soft_left" and window == "now"
                word = "devolution" if changed else "rail"
                terms.append([word] * rng.randint(4, 7) + rng.choices(filler, k=60))
                labels.append(tendency)
                authors.append((f"{tendency}-{window}-{i % 10}",))  # ten writers a window
                published.append(day)
                share = rng.uniform(0.6, 0.8)
                theta.append([1 - share, share] if changed else [share, 1 - share])
    docs = DocumentTerms.from_terms(terms, labels=labels, authors=authors, published=published)
    return docs, np.array(theta)


def test_rises_and_falls_are_found_with_intervals():
    docs, theta = _corpus()
    result = now_against_before(docs, theta, ["rail and buses", "devolution"], recent="6m", min_support=10,
                                bootstrap=200, seed=0)
    soft = result.tendencies["soft_left"]
    assert soft.enough and soft.n_now == 30 and soft.n_before == 30
    moves = {r.label: r.direction for r in soft.topics}
    assert moves == {"devolution": "rise", "rail and buses": "fall"}
    terms = {r.term: r for r in soft.terms}
    assert terms["devolution"].direction == "rise" and terms["rail"].direction == "fall"
    assert terms["devolution"].docs_now == 30 and terms["devolution"].docs_before == 0
    lo, hi = terms["devolution"].now_interval
    assert lo <= terms["devolution"].now <= hi and lo > 0
    # the hard left did not change: nothing is stated for it
    hard = result.tendencies["hard_left"]
    assert hard.enough and hard.topics == [] and all(r.term not in ("rail", "devolution") for r in hard.terms)
    assert all(i in docs.ids for r in soft.topics + soft.terms for i in r.ids)


def test_thin_windows_are_withheld():
    docs, theta = _corpus(thin="soft_left")
    result = now_against_before(docs, theta, None, recent="6m", min_support=5, bootstrap=50)
    soft = result.tendencies["soft_left"]
    assert not soft.enough and soft.topics == [] and soft.terms == []
    assert "3 articles in the recent window" in soft.reason
    section = now_section(result, min_support=5)
    html = section.html
    assert "Not enough evidence to say what changed" in html
    assert section.id == "now"


def test_windows_and_bad_values():
    w = recent_windows(["2024-03-31", "2023-01-05", None, "2024"], recent="3m")
    assert w == {"now": ("2023-12-31", "2024-03-31"), "before": ("2022-12-31", "2023-12-31")}
    with pytest.raises(InvalidParameterError, match="unknown window '2w'"):
        recent_windows(["2024-01-01"], recent="2w")


def test_section_states_moves_in_plain_words_with_linked_examples():
    docs, theta = _corpus()
    result = now_against_before(docs, theta, ["rail and buses", "devolution"], min_support=10, bootstrap=100)
    texts = {i: ArticleText(i, None, "A first sentence. Devolution to the cities came up again! Then nothing.",
                            "Tribune <b>", "2024-05-01", "https://example.org/" + i) for i in docs.ids}
    html = now_section(result, examples=lambda kind, ids, words: example_sentences(texts, ids, words),
                       min_support=10).html
    assert "The topic <b>devolution</b> rose from" in html and "<b>rail</b> used less often" in html
    assert "Devolution to the cities came up again!" in html
    assert 'href="https://example.org/' in html and "Tribune &lt;b&gt;" in html
    for jargon in ("|z|", "FREX", "c_v", "NPMI", "macro-F1", "log-odds"):
        assert jargon not in html
    assert "data:text/csv" in html and "<title>" in html  # the support chart: tooltips and its data


def test_a_corpus_without_tendencies_is_compared_as_a_whole():
    docs, theta = _corpus()
    docs.labels[:] = ["unlabelled"] * len(docs)
    result = now_against_before(docs, theta, None, min_support=10, bootstrap=50)
    assert list(result.tendencies) == ["all"] and result.tendencies["all"].n_now == 60
    assert "All articles (none has a tendency label)" in now_section(result).html


def test_the_result_is_typed_and_its_dict_is_the_documented_one():
    docs, theta = _corpus()
    result = now_against_before(docs, theta, ["rail and buses", "devolution"], min_support=10, bootstrap=50)
    assert isinstance(result, NowAgainstBefore)
    soft = result.tendencies["soft_left"]
    assert isinstance(soft, TendencyNow) and isinstance(soft.topics[0], MovingTopic)
    assert isinstance(soft.terms[0], MovingTerm)
    data = result.to_dict()
    assert list(data) == ["recent", "windows", "tendencies"]
    entry = data["tendencies"]["soft_left"]
    assert list(entry) == ["n_now", "n_before", "topics", "terms", "enough", "reason"]
    assert list(entry["topics"][0]) == ["topic", "label", "now", "before", "now_interval", "before_interval",
                                        "change", "direction", "ids"]
    assert list(entry["terms"][0]) == ["term", "now", "before", "now_interval", "before_interval", "docs_now",
                                       "docs_before", "direction", "ids"]
    assert isinstance(entry["terms"][0]["now_interval"], tuple) and isinstance(data["windows"]["now"], tuple)
    assert NowAgainstBefore.from_dict(data) == result
    assert NowAgainstBefore.from_dict(json.loads(json.dumps(data))) == result  # tuples come back from lists
    frame = result.to_frame()
    assert len(frame) == sum(len(e.topics) + len(e.terms) for e in result.tendencies.values())
    assert set(frame["kind"]) == {"topic", "term"} and (frame["now_lo"] <= frame["now_hi"]).all()
