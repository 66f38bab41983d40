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

:func:`twin_articles` uses ``synthetic.realistic_articles`` (``bench/synthetic.py``'s realistic generator,
``RealisticCorpus``) when it is there; until it is, a stand-in of the same kind (:func:`_stand_in_articles`,
below), which then goes.
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


def twin_articles(n: int, words_per_article: int, seed: int = 0) -> Iterator[Any]:
    """``n`` synthetic articles of about ``words_per_article`` words each, with a realistic vocabulary."""
    try:
        from synthetic import RealisticCorpus, realistic_articles
    except ImportError:  # the realistic generator is not on this branch yet
        yield from _stand_in_articles(n, words_per_article, seed)
        return
    # its texts put an English function word before about 80 % of the terms: ~1.8 words a term
    yield from realistic_articles(n, seed=seed, generator=RealisticCorpus(mean_length=round(words_per_article / 1.8),
                                                                         seed=seed))


def twin_documents(n: int, words_per_article: int = 720, seed: int = 0) -> Any:
    """:func:`twin_articles`' terms as a :class:`nlp.documents.DocumentTerms` without spaCy (the invented words,
    lower-cased, function words left out), with their tendencies, outlets and dates: for benchmarks of what
    follows preprocessing at sizes spaCy would take minutes to reach."""
    try:
        from synthetic import RealisticCorpus, realistic_documents
    except ImportError:
        from nlp.documents import DocumentTerms

        articles = list(_stand_in_articles(n, words_per_article, seed))
        return DocumentTerms.from_terms(
            ([t for t in a.text.lower().replace(".", " ").split() if t not in _GLUE] for a in articles),
            ids=[f"r{i}" for i in range(n)], labels=[a.label for a in articles],
            outlets=[a.outlet for a in articles], published=[a.published for a in articles],
            authors=[a.authors for a in articles])
    return realistic_documents(n, seed=seed, generator=RealisticCorpus(mean_length=round(words_per_article / 1.8),
                                                                       seed=seed))


#: The stand-in's English function words (what preprocessing drops as stop words), weighted roughly as in text.
_GLUE = ("the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "on", "with", "as", "by", "at", "this")


def _stand_in_articles(n: int, words_per_article: int, seed: int = 0) -> Iterator[Any]:
    """A stand-in for ``synthetic.realistic_articles``: invented words of two syllables and more drawn from a
    Zipf–Mandelbrot law p(r) ∝ (r + 2.7)^-1.3 over 200,000 ranks, a third of each article from two of 60 topics
    (the same law over the topic's own shuffle of the ranks, so rare words cluster in their topics' articles), a
    function word before most terms, sentences of 8–20 words; three tendencies, six outlets, dated 2015–2024.
    About 38,000 distinct terms in a million terms and 55,000 in two million (``python bench/realtext.py``)."""
    import numpy as np

    from corpus import Article

    rng = np.random.default_rng(seed)
    ranks = 200_000
    law = 1.0 / (np.arange(1, ranks + 1) + 2.7) ** 1.45
    cdf = np.cumsum(law / law.sum())
    topical_law = 1.0 / (np.arange(1, ranks + 1) + 2.7) ** 1.8
    topic_cdf = np.cumsum(topical_law / topical_law.sum())
    shuffles = [rng.permutation(ranks) for _ in range(60)]
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    base = len(syllables)

    def word(r: int) -> str:  # rank -> an invented word, the frequent ranks the short words
        size, r = 2, int(r)
        while r >= base ** size:
            r, size = r - base ** size, size + 1
        return "".join(syllables[(r // base ** p) % base] for p in range(size))

    tendencies = ("soft_left", "hard_left", "soft_right")
    for i in range(n):
        terms = max(5, int(rng.lognormal(np.log(words_per_article / 1.8) - 0.18, 0.6)))
        common = np.minimum(np.searchsorted(cdf, rng.random(terms - terms // 3)), ranks - 1)
        pair = rng.choice(60, size=2, replace=False)
        topical = np.concatenate([shuffles[t][np.minimum(np.searchsorted(topic_cdf, rng.random(m)), ranks - 1)]
                                  for t, m in zip(pair, rng.multinomial(terms // 3, [0.6, 0.4]))])
        ids = np.concatenate([common, topical])
        rng.shuffle(ids)
        tokens = [w for r in ids for w in ((_GLUE[rng.integers(len(_GLUE))], word(r)) if rng.random() < 0.8
                                           else (word(r),))]
        cuts = np.cumsum(rng.integers(8, 21, size=len(tokens) // 8 + 1))
        sentences = [" ".join(tokens[a:b]).capitalize() + "." for a, b in zip(np.r_[0, cuts], cuts) if a < len(tokens)]
        tendency = tendencies[i % 3]
        yield Article(outlet=f"{tendency}_{i % 2}", source="imported", title=f"Synthetic piece {i}",
                      url=f"https://synthetic.invalid/twin/{i}", published=f"{2015 + i % 10}-{1 + i % 12:02d}-15",
                      authors=(f"Invented Author {i % 40}",), label=tendency,
                      text="\n\n".join(" ".join(sentences[k:k + 5]) for k in range(0, len(sentences), 5)))


def plain_wordfish(Y: Any, high: int, low: int, tol: float = 1e-7, max_iter: int = 300):
    """A plain numpy Wordfish following METHODS.md (relative tolerance): ``bench_scaling.plain_wordfish`` when
    that file has it, else the stand-in below. Returns ``(theta, rounds)``."""
    import bench_scaling

    if hasattr(bench_scaling, "plain_wordfish"):
        return bench_scaling.plain_wordfish(Y, high, low, tol=tol, max_iter=max_iter)
    return _stand_in_wordfish(Y, high, low, tol, max_iter)


def _stand_in_wordfish(Y: Any, high: int, low: int, tol: float, max_iter: int):
    """Wordfish in plain numpy, from METHODS.md: starting values from the chi-square residuals; per round one
    Newton step for every word (ψ, β; β ~ N(0, 3²)), then for every document (α, θ; θ ~ N(0, 1)), half a step
    in round one and each step capped at 1; α centred and θ standardised; stopped when a round gains less than
    ``tol`` of the log-posterior's size."""
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.linalg import svds

    Y = sp.csr_matrix(Y, dtype=float)
    r, c = np.asarray(Y.sum(1)).ravel(), np.asarray(Y.sum(0)).ravel()
    expected = np.outer(r, c) / c.sum()
    theta = svds((Y.toarray() - expected) / np.sqrt(expected) / np.sqrt(r / c.sum())[:, None], k=1)[0][:, 0]
    theta = (theta - theta.mean()) / theta.std(ddof=1)
    alpha, psi, beta = np.log(r / r.mean()), np.log(c / Y.shape[0]), np.zeros(Y.shape[1])

    def newton(g0, g1, h00, h01, h11, step):
        det = h00 * h11 - h01 * h01
        d0, d1 = -step * (h11 * g0 - h01 * g1) / det, -step * (h00 * g1 - h01 * g0) / det
        cap = np.minimum(1.0, 1.0 / np.maximum(np.maximum(np.abs(d0), np.abs(d1)), 1e-300))
        return d0 * cap, d1 * cap

    last = -np.inf
    for it in range(max_iter + 1):
        lam = np.exp(alpha[:, None] + psi[None, :] + np.outer(theta, beta))
        lp = r @ alpha + c @ psi + theta @ (Y @ beta) - lam.sum() - beta @ beta / 18 - theta @ theta / 2
        if (it >= 2 and lp - last <= tol * abs(lp)) or it == max_iter:
            return theta, it
        last, step = lp, 0.5 if it == 0 else 1.0
        d0, d1 = newton(c - lam.sum(0), Y.T @ theta - theta @ lam - beta / 9, -lam.sum(0), -(theta @ lam),
                        -((theta * theta) @ lam) - 1 / 9, step)
        psi, beta = psi + d0, beta + d1
        lam = np.exp(alpha[:, None] + psi[None, :] + np.outer(theta, beta))
        d0, d1 = newton(r - lam.sum(1), Y @ beta - lam @ beta - theta, -lam.sum(1), -(lam @ beta),
                        -(lam @ (beta * beta)) - 1, step)
        alpha, theta = alpha + d0, theta + d1
        alpha, theta = alpha - alpha.mean(), (theta - theta.mean()) / theta.std(ddof=1)
        if theta[high] < theta[low]:
            theta, beta = -theta, -beta
    return theta, max_iter


def vocabulary_growth(n_terms: int = 1_000_000, seed: int = 0) -> tuple[int, int]:
    """``(terms, distinct terms)`` of :func:`twin_articles` (720-word articles) up to ``n_terms``, a term being
    a lower-cased word that is not one of the function words (what preprocessing keeps, roughly)."""
    seen: set[str] = set()
    total = 0
    for article in twin_articles(n_terms // 400 + 1, 720, seed):
        tokens = [t for t in article.text.lower().replace(".", " ").split() if t not in _GLUE]
        total += len(tokens)
        seen.update(tokens)
        if total >= n_terms:
            break
    return total, len(seen)


if __name__ == "__main__":
    for size in (100_000, 1_000_000, 2_000_000):
        total, distinct = vocabulary_growth(size)
        print(f"{total:>10,} terms: {distinct:>7,} distinct ({distinct / total * 1e6:,.0f} per million terms)")
