"""Text for the benchmarks that has a real vocabulary: the UK manifestos, and synthetic text of the same size.

Resampled demo text (``bench/synthetic.py``'s :func:`articles`) keeps about 6,000 distinct terms at any size,
where real text keeps growing (about 35,000 in 1.9 M words of newspaper text): it understates what a topic
model, coherence, Wordfish or a classifier costs. The scale benchmarks therefore measure on

* :func:`manifesto_records` — the UK general-election manifestos in ``../shared/data`` (real, about 1 M
  words), without the entries its README calls defective (the 1959 "Conservative" text, which is Labour's, and
  the 1979 Labour and Conservative entries, which hold 1979–1997 joined together); and
* :func:`twin_articles` — synthetic articles whose vocabulary grows as real text's does (Zipfian, tens of
  thousands of distinct terms per million words), as many and as long as asked.

Where ``../shared/data`` is absent, callers skip what needs the manifestos.

:func:`twin_articles` and :func:`twin_documents` come from ``bench/synthetic.py``'s realistic generator
(``RealisticCorpus``).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DATA = ROOT.parent / "shared" / "data"
MANIFESTOS = DATA / "uk-manifestos" / "manifestos.jsonl"


def have_manifestos() -> bool:
    return MANIFESTOS.is_file()


def manifesto_records() -> list[dict[str, Any]]:
    """The usable manifestos (98 of 101), as JSON records (``doc_id``, ``Year``, ``Party``, ``text``...)."""
    with open(MANIFESTOS, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    return [r for r in records if r["doc_id"] != "UK_natl_1959_en_Con"
            and not (str(r["Year"]) == "1979" and r["Party"] in ("Lab", "Con"))]


def manifesto_articles() -> Iterator[Any]:
    """The usable manifestos as :class:`corpus.Article` s: party as the label and outlet, the year as the date."""
    from corpus import Article

    for r in manifesto_records():
        yield Article(outlet=r["Party"].lower(), source="imported", title=r["doc_id"], text=r["text"],
                      published=f"{r['Year']}-06-01", label=r["Party"], authors=(r["Party"],))


def words(text: str) -> int:
    return len(text.split())


def manifesto_design(seed: int = 0) -> Any:
    """The usable manifestos' metadata (party as label and outlet and author, the election year as the date,
    each one's length in terms, single line breaks as in their text), no text: ``synthetic.design_like`` for a
    twin of the same shape."""
    from synthetic import WORDS_PER_TERM, design_like

    records = manifesto_records()
    parties = [r["Party"] for r in records]
    return design_like(parties, [p.lower() for p in parties], [f"{r['Year']}-06-01" for r in records],
                       lengths=[max(5, round(words(r["text"]) / WORDS_PER_TERM)) for r in records], authors=parties,
                       line_break="\n", seed=seed)


def twin_articles(n: int, words_per_article: int, seed: int = 0, design: Any = None) -> Iterator[Any]:
    """``n`` synthetic articles of about ``words_per_article`` words each, with a realistic vocabulary written
    as political prose (``bench/synthetic.py``'s :class:`RealisticCorpus` and :func:`realistic_articles`);
    with ``design`` (e.g. :func:`manifesto_design`), that design's labels, outlets, dates and lengths."""
    from synthetic import WORDS_PER_TERM, RealisticCorpus, realistic_articles

    generator = RealisticCorpus(mean_length=round(words_per_article / WORDS_PER_TERM), seed=seed)
    yield from realistic_articles(n, seed=seed, generator=generator, design=design)


def twin_documents(n: int, words_per_article: int = 720, seed: int = 0) -> Any:
    """:func:`twin_articles`' terms as a :class:`nlp.documents.DocumentTerms` without spaCy, with their
    tendencies, outlets and dates: for benchmarks of what follows preprocessing at sizes spaCy would take
    minutes to reach."""
    from synthetic import WORDS_PER_TERM, RealisticCorpus, realistic_documents

    return realistic_documents(n, seed=seed, generator=RealisticCorpus(
        mean_length=round(words_per_article / WORDS_PER_TERM), seed=seed))


def plain_wordfish(Y: Any, high: int, low: int, tol: float = 1e-7, max_iter: int = 300):
    """A plain numpy Wordfish following METHODS.md (relative tolerance): ``bench_scaling.plain_wordfish``.
    Returns ``(theta, rounds)``."""
    import bench_scaling

    return bench_scaling.plain_wordfish(Y, high, low, tol=tol, max_iter=max_iter)


def vocabulary_growth(n_terms: int = 1_000_000, seed: int = 0) -> tuple[int, int]:
    """``(terms, distinct terms)`` of :func:`twin_articles`' terms (720-word articles) up to ``n_terms``: the
    terms the generator writes (what preprocessing makes of its text, collocations aside)."""
    from synthetic import WORDS_PER_TERM

    docs = twin_documents(round(n_terms / (720 / WORDS_PER_TERM)) + 1, 720, seed)
    seen: set[str] = set()
    total = 0
    for terms in docs.iter_terms():
        total += len(terms)
        seen.update(terms)
        if total >= n_terms:
            break
    return total, len(seen)


if __name__ == "__main__":
    for size in (100_000, 1_000_000, 2_000_000):
        total, distinct = vocabulary_growth(size)
        print(f"{total:>10,} terms: {distinct:>7,} distinct ({distinct / total * 1e6:,.0f} per million terms)")
