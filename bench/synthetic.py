"""Reproducible synthetic corpora for the benchmarks: resampled demo articles, and text with a realistic vocabulary.

**Resampled demo text** (:func:`articles`, :func:`term_lists`, :func:`labelled_documents`): every synthetic
document is one demo article with its pieces (paragraphs, or runs of 20 terms) shuffled, about a fifth of
them dropped and one or two pieces of another article of the same outlet added: the demo corpus' vocabulary
and topics, never two identical documents. Articles get their own title, URL and date (spread over
2015-2024), so the store keeps them all. Its vocabulary is tiny (a few thousand terms however many
documents), so it understates what real text costs.

**Realistic vocabulary** (:class:`RealisticCorpus`, :func:`realistic_documents`, :func:`realistic_articles`):
invented words drawn from a Zipf–Mandelbrot law, clustered by topic, with a planted position axis and a
planted time axis; about 38,000 distinct terms per million terms (see :class:`RealisticCorpus`).
"""
from __future__ import annotations

import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Iterator, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _resample(pieces: list, others: list[list], rnd: random.Random) -> list:
    kept = [p for p in pieces if rnd.random() > 0.2] or pieces[:1]
    rnd.shuffle(kept)
    other = rnd.choice(others)
    for _ in range(rnd.randint(1, 2)):
        kept.insert(rnd.randrange(len(kept) + 1), rnd.choice(other))
    return kept


def articles(n: int, seed: int = 0) -> Iterator:
    """``n`` synthetic :class:`corpus.Article` s (text resampled by paragraph)."""
    from corpus.demo import iter_demo_articles

    base = list(iter_demo_articles())
    paragraphs = [[p for p in a.text.split("\n\n") if p.strip()] or [a.text] for a in base]
    by_outlet: dict[str, list[list[str]]] = {}
    for a, paras in zip(base, paragraphs):
        by_outlet.setdefault(a.outlet, []).append(paras)
    rnd = random.Random(seed)
    for i in range(n):
        j = rnd.randrange(len(base))
        a = base[j]
        text = "\n\n".join(_resample(paragraphs[j], by_outlet[a.outlet], rnd))
        year, month = 2015 + i % 10, 1 + (i // 10) % 12
        yield replace(a, title=f"{a.title} ({i})", url=f"https://synthetic.invalid/{a.outlet}/{i}",
                      published=f"{year}-{month:02d}-{1 + i % 28:02d}", text=text)


def demo_terms() -> list[list[str]]:
    """The demo articles' terms (default preprocessing, no collocations)."""
    from corpus.demo import iter_demo_articles
    from nlp.text.preprocess import Preprocessor

    pre = Preprocessor()
    return [terms for terms, _ in pre.pipe(((a.text, i) for i, a in enumerate(iter_demo_articles())),
                                           collocations=False)]


def term_lists(n: int, seed: int = 0, base: Sequence[list[str]] | None = None) -> list[list[str]]:
    """``n`` synthetic term lists: demo articles' terms resampled in runs of 20 terms."""
    base = list(base) if base is not None else demo_terms()
    pieces = [[t[k:k + 20] for k in range(0, len(t), 20)] or [t] for t in base]
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        j = rnd.randrange(len(base))
        out.append([w for piece in _resample(pieces[j], pieces, rnd) for w in piece])
    return out


def labelled_documents(n: int, seed: int = 0):
    """``n`` synthetic documents as a :class:`nlp.documents.DocumentTerms` with the demo corpus' metadata: each
    is a demo article's terms resampled in runs of 20 terms (as :func:`term_lists`), keeping that article's
    outlet and tendency (the demo labels), dated over 2015-2024 as :func:`articles` dates them."""
    import tempfile

    from corpus import CorpusStore
    from corpus.demo import demo_labels, iter_demo_articles
    from nlp.documents import DocumentTerms, load_documents
    from nlp.text.preprocess import preprocess_corpus

    with tempfile.TemporaryDirectory() as tmp, CorpusStore(Path(tmp) / "demo.db") as store:
        store.load_labels(demo_labels())
        store.add_many(iter_demo_articles())
        preprocess_corpus(store)
        base = load_documents(store, preprocess=False)
    terms = [base.terms(i) for i in range(len(base))]
    pieces = [[t[k:k + 20] for k in range(0, len(t), 20)] or [t] for t in terms]
    rnd = random.Random(seed)
    picks = [rnd.randrange(len(base)) for _ in range(n)]
    docs = [[w for piece in _resample(pieces[j], pieces, rnd) for w in piece] for j in picks]
    return DocumentTerms.from_terms(
        docs, ids=[f"s{i}" for i in range(n)], labels=[base.labels[j] for j in picks],
        outlets=[base.outlets[j] for j in picks],
        published=[f"{2015 + i % 10}-{1 + (i // 10) % 12:02d}-{1 + i % 28:02d}" for i in range(n)])


#: Tendencies, their share of the planted corpus and their two outlets (the larger first).
PLANTED_TENDENCIES = {"soft_left": (0.5, ("renewal", "plural")), "hard_left": (0.3, ("tribune", "redcorner")),
                      "soft_right": (0.2, ("progress", "forwardbench"))}


def planted_documents(n: int, k: int = 10, seed: int = 0, vocabulary: int = 3000, length: int = 150):
    """``n`` documents drawn from LDA's own generative model, with ``k`` planted topics (a
    :class:`nlp.documents.DocumentTerms`): topics are Dirichlet(0.02) over ``vocabulary`` words ``w0000``...;
    each tendency favours three topics (prior 1.0 against 0.1), a document's shares are drawn from its
    tendency's prior and its length from Poisson(``length``). Tendencies as :data:`PLANTED_TENDENCIES` (an
    outlet's larger one 70% of its articles), dated uniformly over 2015-2024. A corpus whose topics are well
    defined, so that what a sample fit loses is not hidden by what another seed changes."""
    import numpy as np

    from nlp.documents import DocumentTerms

    rng = np.random.default_rng(seed)
    words = np.array([f"w{j:04d}" for j in range(vocabulary)])
    cdf = np.cumsum(rng.dirichlet(np.full(vocabulary, 0.02), size=k), axis=1)
    names = list(PLANTED_TENDENCIES)
    priors = np.full((len(names), k), 0.1)
    for t in range(len(names)):
        priors[t, [(3 * t + j) % k for j in range(3)]] = 1.0
    tendency = rng.choice(len(names), size=n, p=[PLANTED_TENDENCIES[t][0] for t in names])
    second = rng.random(n) > 0.7
    lengths = np.maximum(rng.poisson(length, size=n), 5)
    topics = np.concatenate([rng.choice(k, size=m, p=rng.dirichlet(priors[t])) for t, m in zip(tendency, lengths)])
    u = rng.random(len(topics))
    ids = np.empty(len(topics), dtype=np.int64)
    for z in range(k):
        at = topics == z
        ids[at] = np.minimum(np.searchsorted(cdf[z], u[at] * cdf[z, -1]), vocabulary - 1)
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    years = rng.integers(2015, 2025, size=n)
    return DocumentTerms.from_terms(
        (words[ids[bounds[i]:bounds[i + 1]]].tolist() for i in range(n)), ids=[f"p{i}" for i in range(n)],
        labels=[names[t] for t in tendency],
        outlets=[PLANTED_TENDENCIES[names[t]][1][int(s)] for t, s in zip(tendency, second)],
        published=[f"{y}-{1 + i % 12:02d}-15" for i, y in enumerate(years.tolist())])


# ---------------------------------------------------------------------------------------------------------
# Text with a realistic vocabulary
# ---------------------------------------------------------------------------------------------------------
#: Syllables of the invented words: consonant + vowel, so every word is pronounceable, ends in a vowel and
#: is rarely an English word (the few that are stop words are skipped).
_CONSONANTS, _VOWELS = "bdfgklmnprstvz", "aeiou"
_SYLLABLES = [c + v for c in _CONSONANTS for v in _VOWELS]

#: English function words with rough relative frequencies: written between the content words of the text
#: form (:func:`realistic_articles`), so that preprocessing has stop words to drop, as in real text.
_FUNCTION_WORDS = {"the": 60, "of": 30, "and": 28, "to": 26, "a": 22, "in": 20, "is": 10, "that": 10, "for": 9,
                   "it": 8, "on": 7, "with": 7, "as": 6, "was": 6, "be": 5, "by": 5, "at": 5, "this": 5, "are": 4,
                   "from": 4, "or": 3, "but": 3, "not": 3, "have": 3, "an": 3, "they": 3, "which": 2, "their": 2,
                   "has": 2, "been": 2, "would": 2, "will": 2, "more": 2, "we": 2, "its": 2, "than": 1, "who": 1}


def invented_words(n: int) -> list[str]:
    """The first ``n`` invented words, shortest first (so the frequent ranks get the short words, as in real
    language): two syllables, then three, ...; none is an English stop word."""
    from spacy.lang.en.stop_words import STOP_WORDS

    out: list[str] = []
    size = 2
    while len(out) < n:
        base = len(_SYLLABLES)
        for code in range(base ** size):
            word = "".join(_SYLLABLES[(code // base ** p) % base] for p in range(size))
            if word not in STOP_WORDS:
                out.append(word)
                if len(out) == n:
                    break
        size += 1
    return out


class RealisticCorpus:
    """A generator of documents whose vocabulary behaves like real text's (numbers only; see :meth:`draw`).

    Each document's terms are drawn from a mixture of four parts:

    * **common language** (weight ``1 − topic_weight − axis_weight − time_weight``): a Zipf–Mandelbrot law
      p(r) ∝ (r + 2.7)^(−``exponent``) over ``vocabulary`` ranks;
    * **topics** (``topic_weight``): each document takes two of ``topics`` topics; a topic is the same law
      over its own permutation of the vocabulary, so rare words cluster in the documents of their topics
      (bursty, as in real text, rather than spread evenly);
    * **position** (``axis_weight``): ``axis_words`` mid-frequency words whose use tilts with the document's
      position θ (each word's rate ∝ exp(b_w θ), b_w ~ N(0, 1));
    * **time** (``time_weight``): ``axis_words`` other words whose use tilts with the document's date
      (rate ∝ exp(g_w t), t the date mapped to [−1, 1]).

    With the defaults (exponent 1.3 over 200,000 ranks) a million terms hold about 38,000 distinct ones and
    two million about 55,000 (measured: ``python bench/synthetic.py``), against 35,196 in 1.9 M words of real
    newspaper text after preprocessing (docs/benchmarks.md); the demo resampling keeps about 6,000 at any
    size. Document lengths are log-normal around ``mean_length`` terms.
    """

    def __init__(self, vocabulary: int = 200_000, exponent: float = 1.45, topic_exponent: float = 1.8, topics: int = 60,
                 topic_weight: float = 0.3, axis_weight: float = 0.08, time_weight: float = 0.04,
                 axis_words: int = 2000, mean_length: int = 400, seed: int = 0):
        import numpy as np

        if not 0 <= topic_weight + axis_weight + time_weight < 1:
            raise ValueError("topic_weight + axis_weight + time_weight must be below 1")
        self.vocabulary, self.exponent, self.topics = vocabulary, exponent, topics
        self.weights = np.array([1 - topic_weight - axis_weight - time_weight, topic_weight, axis_weight,
                                 time_weight])
        self.mean_length, self.seed = mean_length, seed
        rng = np.random.default_rng(seed)
        law = 1.0 / (np.arange(1, vocabulary + 1) + 2.7) ** exponent
        self.cdf = np.cumsum(law / law.sum())
        topical = 1.0 / (np.arange(1, vocabulary + 1) + 2.7) ** topic_exponent
        self.topic_cdf = np.cumsum(topical / topical.sum())
        # a topic's permutation of the ranks: r -> (r * multiplier + offset) mod vocabulary (multiplier coprime)
        odd = [m for m in rng.integers(vocabulary // 7, vocabulary, size=4 * topics) if np.gcd(m, vocabulary) == 1]
        self.topic_maps = [(int(m), int(o)) for m, o in zip(odd[:topics], rng.integers(0, vocabulary, topics))]
        # the two axes: mid-frequency ranks (200 to 20,000), disjoint, each with its slope and base rate
        ranks = rng.choice(np.arange(200, 20_000), size=2 * axis_words, replace=False)
        self.axis_ranks, self.time_ranks = ranks[:axis_words], ranks[axis_words:]
        self.axis_slopes, self.time_slopes = rng.normal(0, 1, axis_words), rng.normal(0, 1, axis_words)
        self.axis_base = law[self.axis_ranks] / law[self.axis_ranks].sum()
        self.time_base = law[self.time_ranks] / law[self.time_ranks].sum()
        self._words: list[str] | None = None

    def draw(self, positions, times, seed: int = 0):
        """Term ids (ranks) for documents at ``positions`` θ and ``times`` t in [−1, 1]: a list of arrays."""
        import numpy as np

        rng = np.random.default_rng((self.seed, seed))
        n = len(positions)
        lengths = np.maximum(5, rng.lognormal(np.log(self.mean_length) - 0.18, 0.6, n).astype(int))
        parts = np.array([rng.multinomial(m, self.weights) for m in lengths])
        out = []
        for i in range(n):
            common, topical, axis, era = parts[i]
            ids = [np.minimum(np.searchsorted(self.cdf, rng.random(common)), self.vocabulary - 1)]
            pair = rng.choice(self.topics, size=2, replace=False)
            for t, m in zip(pair, rng.multinomial(topical, [0.6, 0.4])):
                mult, off = self.topic_maps[t]
                ranks = np.minimum(np.searchsorted(self.topic_cdf, rng.random(m)), self.vocabulary - 1)
                ids.append((ranks * mult + off) % self.vocabulary)
            for count, ranks, base, slopes, x in ((axis, self.axis_ranks, self.axis_base, self.axis_slopes,
                                                   positions[i]),
                                                  (era, self.time_ranks, self.time_base, self.time_slopes, times[i])):
                p = base * np.exp(slopes * x)
                ids.append(ranks[np.minimum(np.searchsorted(np.cumsum(p / p.sum()), rng.random(count)),
                                            len(ranks) - 1)])
            doc = np.concatenate(ids)
            rng.shuffle(doc)
            out.append(doc)
        return out

    def words(self, ids) -> list[str]:
        """The invented words of term ids."""
        if self._words is None:
            self._words = invented_words(self.vocabulary)
        return [self._words[int(i)] for i in ids]


def _realistic_design(n: int, seed: int):
    """Tendency, outlet, position and date of ``n`` documents (tendencies and outlets as the planted corpus)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    names = list(PLANTED_TENDENCIES)
    centre = {"hard_left": -1.0, "soft_left": 0.0, "soft_right": 1.0}
    tendency = rng.choice(len(names), size=n, p=[PLANTED_TENDENCIES[t][0] for t in names])
    second = rng.random(n) > 0.7
    positions = np.array([centre[names[t]] for t in tendency]) + rng.normal(0, 0.5, n)
    days = rng.integers(0, 3652, size=n)  # 2015-01-01 .. 2024-12-31
    dates = (np.datetime64("2015-01-01") + days).astype(str).tolist()
    return ([names[t] for t in tendency], [PLANTED_TENDENCIES[names[t]][1][int(s)] for t, s in zip(tendency, second)],
            positions, dates, days / 3651 * 2 - 1)


def realistic_documents(n: int, seed: int = 0, generator: RealisticCorpus | None = None):
    """``n`` documents with a realistic vocabulary as a :class:`nlp.documents.DocumentTerms` (no spaCy): the
    terms of :class:`RealisticCorpus`, tendencies and outlets as :data:`PLANTED_TENDENCIES`, a tendency's
    documents placed around −1 (hard left), 0 (soft left) or +1 (soft right) on the planted position axis,
    dated uniformly over 2015-2024. The true positions are in ``docs.meta["positions"]``."""
    from nlp.documents import DocumentTerms

    generator = generator or RealisticCorpus(seed=seed)
    labels, outlets, positions, dates, times = _realistic_design(n, seed)
    ids = generator.draw(positions, times, seed=seed)
    return DocumentTerms.from_terms((generator.words(d) for d in ids), ids=[f"r{i}" for i in range(n)],
                                    labels=labels, outlets=outlets, published=dates,
                                    titles=[f"Synthetic piece {i}" for i in range(n)],
                                    meta={"positions": positions.tolist(), "synthetic": "bench/synthetic.py"})


def realistic_articles(n: int, seed: int = 0, generator: RealisticCorpus | None = None) -> Iterator:
    """``n`` synthetic :class:`corpus.Article` s whose text carries :func:`realistic_documents`' terms: the
    invented words in sentences (capitalised, full stops, paragraphs of 3-6 sentences) with English function
    words between them (about 45 % of the tokens), as preprocessing meets real text. The same design (labels,
    outlets, dates, positions) as :func:`realistic_documents` with the same ``n`` and ``seed``."""
    import numpy as np

    from corpus import Article

    generator = generator or RealisticCorpus(seed=seed)
    labels, outlets, positions, dates, times = _realistic_design(n, seed)
    function = list(_FUNCTION_WORDS)
    share = np.array(list(_FUNCTION_WORDS.values()), dtype=float)
    rng = np.random.default_rng((seed, 1))
    for i, ids in enumerate(generator.draw(positions, times, seed=seed)):
        words = generator.words(ids)
        glue = rng.choice(len(function), size=len(words), p=share / share.sum())
        tokens = [w for k, word in enumerate(words) for w in ((function[glue[k]], word) if rng.random() < 0.8
                                                                else (word,))]
        sentences, start = [], 0
        while start < len(tokens):
            stop = start + int(rng.integers(12, 30))
            piece = tokens[start:stop]
            sentences.append(piece[0].capitalize() + " " + " ".join(piece[1:]) + ".")
            start = stop
        paragraphs, start = [], 0
        while start < len(sentences):
            stop = start + int(rng.integers(3, 7))
            paragraphs.append(" ".join(sentences[start:stop]))
            start = stop
        yield Article(outlet=outlets[i], source="imported", title=f"Synthetic piece {i}",
                      url=f"https://synthetic.invalid/realistic/{outlets[i]}/{i}", published=dates[i],
                      authors=(f"Invented Author {i % 97}",), text="\n\n".join(paragraphs), label=labels[i],
                      metadata={"synthetic": "bench/synthetic.py"})


def vocabulary_growth(sizes=(100_000, 1_000_000, 2_000_000), seed: int = 0) -> list[tuple[int, int]]:
    """``(terms, distinct terms)`` of :class:`RealisticCorpus` at each size (the figure its docs quote)."""
    import numpy as np

    generator = RealisticCorpus(seed=seed)
    out = []
    for size in sizes:
        n = max(1, size // generator.mean_length)
        _, _, positions, _, times = _realistic_design(n, seed)
        ids = np.concatenate(generator.draw(positions, times, seed=seed))
        out.append((int(ids.size), int(np.unique(ids).size)))
    return out


if __name__ == "__main__":
    for terms, distinct in vocabulary_growth():
        print(f"{terms:>10,} terms: {distinct:>7,} distinct ({distinct / terms * 1e6:,.0f} per million terms)")
