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
