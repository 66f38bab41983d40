"""bench/synthetic.py's realistic generator keeps the properties the benchmarks rely on (issue 27): a vocabulary
that grows as real text's, a head no heavier than real prose's, the contested words at plausible rates, and
text written at the rates the word/term conversion assumes. Floors and bounds, not exact figures."""
import ast
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import synthetic  # noqa: E402  (bench/synthetic.py)


@pytest.fixture(scope="module")
def generator():
    return synthetic.RealisticCorpus(seed=0)


@pytest.fixture(scope="module")
def sample(generator):
    design = synthetic._realistic_design(800, 0)
    return Counter(np.concatenate(generator.draw(design.positions, design.times)).tolist())


def test_a_million_terms_hold_at_least_30_000_distinct_ones(generator):
    design = synthetic._realistic_design(1_000_000 // generator.mean_length, 0)
    ids = np.concatenate(generator.draw(design.positions, design.times))
    assert ids.size > 900_000
    assert np.unique(ids).size / ids.size * 1e6 >= 30_000


def test_the_head_is_as_light_as_real_prose(generator, sample):
    counts = np.array(sorted(sample.values(), reverse=True))
    shares = np.cumsum(counts) / counts.sum()
    assert shares[0] < 0.02  # the UK manifestos: 0.9 %; the old invented-word head: 6.7 %
    assert 0.18 < shares[99] < 0.40  # manifestos: 29 %
    assert generator.lexicon.terms[int(max(sample, key=sample.get))] in {"government", "people", "work", "service",
                                                                         "new", "year", "need", "policy"}


def _stage_contested() -> tuple[str, ...]:
    """``nlp.stages.scaling.CONTESTED``, read from its source (importing the stage takes seconds)."""
    source = (ROOT / "nlp" / "stages" / "scaling.py").read_text(encoding="utf-8")
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.Assign)
                and any(getattr(t, "id", None) == "CONTESTED" for t in n.targets))
    return ast.literal_eval(node.value)


def test_the_contested_words_come_at_plausible_rates(generator, sample):
    CONTESTED = _stage_contested()
    assert "socialism" in CONTESTED
    total = sum(sample.values())
    index = {term: i for i, term in enumerate(generator.lexicon.terms)}
    per_million = {word: sample[index[word]] / total * 1e6 for word in CONTESTED}
    assert all(rate > 0 for rate in per_million.values()), per_million
    assert 2_000 < per_million["community"] < 8_000  # manifestos: 4,243
    assert 100 < per_million["socialism"] < 800  # manifestos: 223
    assert per_million["community"] > per_million["democracy"] > per_million["socialism"] > per_million["pluralism"]
    assert sample[index["momentum"]] > 0  # a faction name for the mentions stage


def test_articles_are_written_at_the_rates_the_word_count_assumes(generator):
    lengths = [600] * 20
    design = synthetic.design_like(["Lab", "Con"] * 10, ["lab", "con"] * 10,
                                   [f"{1950 + 5 * i}-06-01" for i in range(20)], lengths=lengths, line_break="\n")
    articles = list(synthetic.realistic_articles(20, generator=generator, design=design))
    text = "\n".join(a.text for a in articles)
    words = text.split()
    assert abs(len(words) / sum(lengths) / synthetic.WORDS_PER_TERM - 1) < 0.1
    stop = synthetic.stop_words()
    assert 0.3 < np.mean([w.strip(".,;:()“”").lower() in stop for w in words]) < 0.55  # manifestos: 0.44
    sentences = len(re.findall(r"[.?!](?:\s|$)", text))
    assert 12 < len(words) / sentences < 32  # manifestos: 21 words a sentence
    assert 0.02 < text.count(",") / len(words) < 0.06  # manifestos: 0.035
    assert "\n\n" not in text and text.count("\n") > 20 * 10  # single line breaks, as asked
    assert re.search(r"\bcommunit(y|ies)\b", text, re.IGNORECASE)
    assert {a.label for a in articles} == {"Lab", "Con"} and articles[3].published == "1965-06-01"
    assert all(a.url.startswith("https://synthetic.invalid/") and a.metadata["synthetic"] for a in articles)


def test_design_like_keeps_the_metadata_and_places_each_label():
    design = synthetic.design_like(["hard_left", "soft_right", "Lab"], ["a", "b", "c"],
                                   ["1945-06-01", "1970-06-01", "2005-06-01"], lengths=[10, 20, 30])
    assert design.labels == ["hard_left", "soft_right", "Lab"] and list(design.lengths) == [10, 20, 30]
    assert list(design.times) == [-1.0, pytest.approx(-1 + 2 * 25 / 60, abs=0.01), 1.0]
    assert len(design.positions) == 3 and design.line_break == "\n\n"
