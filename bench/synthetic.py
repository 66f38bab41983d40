"""Reproducible synthetic corpora made by resampling the demo articles (for the scale and topic benchmarks).

Every synthetic document is one demo article with its pieces (paragraphs, or runs of 20 terms) shuffled,
about a fifth of them dropped and one or two pieces of another article of the same outlet added: the demo
corpus' vocabulary and topics, never two identical documents. Articles get their own title, URL and date
(spread over 2015-2024), so the store keeps them all.
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
