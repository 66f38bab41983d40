"""The ``meaning`` command's library side: queries through the pipeline, vectors from the cache, KWIC examples."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Sequence

from nlp.documents import DocumentTerms
from nlp.meaning.analysis import TermMeaning, analyse_term
from nlp.meaning.embeddings import MIN_TRAINING_TERMS, corpus_embeddings
from nlp.meaning.occurrences import resolve_sequence
from nlp.text.markers import without_markers

log = logging.getLogger(__name__)

SNIPPET_LIMIT = 5000  # KWIC lines read per term for the examples


def query_terms(store: Any, query: str) -> list[str]:
    """The terms the corpus's own pipeline makes of ``query`` (before collocations)."""
    from nlp.text.preprocess import Preprocessor

    return Preprocessor.from_store(store, collocations=None).terms(query)


def kwic_snippets(store: Any, docs: DocumentTerms, query: str, window: int = 8) -> dict[int, list[str]]:
    """Short keyword-in-context lines from the stored text, per document index of ``docs``."""
    from nlp.text.kwic import kwic

    position = {doc_id: i for i, doc_id in enumerate(docs.ids)}
    out: dict[int, list[str]] = {}
    for line in kwic(store, query.replace("_", " "), window=window, limit=SNIPPET_LIMIT):
        i = position.get(line.id)
        if i is not None:
            out.setdefault(i, []).append(f"{line.left} [{line.match}] {line.right}".strip())
    return out


def meaning(docs: DocumentTerms, queries: Sequence[str], store: Any = None, by: str = "tendency",
            training: DocumentTerms | None = None, background: str | Path | None = None,
            cache_dir: str | Path | None = None, seed: int = 0, n_models: int = 1,
            min_terms: int = MIN_TRAINING_TERMS, progress: Callable[[str, int, int], Any] | None = None,
            keep_markers: bool = False, **options: Any) -> list[TermMeaning]:
    """What each query term means to each group of ``docs``.

    Parameters
    ----------
    docs : DocumentTerms
        The selection, read with ``raw=True``.
    queries : sequence of str
        Words or phrases; with ``store`` they go through the corpus's own preprocessing (a phrase that
        makes several terms is matched as that sequence of terms).
    store : CorpusStore, optional
        For the query mapping, the KWIC examples and the model cache (``<db>.runs/meaning``).
    training : DocumentTerms, optional
        The corpus the vectors are trained on (default ``docs``); ignored with ``background``.
    background : str or Path, optional
        A model folder trained on a larger corpus, used instead of training here.
    cache_dir : str or Path, optional
        Where trained models are cached (default ``<db>.runs/meaning`` with a store, none without).
    seed : int
        Word2Vec's seed (the first model) and the analysis' seed.
    n_models : int
        Word-vector models trained with seeds ``seed, seed + 1, ...``; neighbour lists are tallied over all.
    min_terms : int
        Smallest corpus trained locally.
    progress : callable, optional
        ``progress(step, done, total)``.
    keep_markers : bool
        Keep the outlet markers (:mod:`nlp.text.markers`) in the contexts; by default they are left out of
        them (never the queried terms themselves) and listed in each result's ``outlet_markers``. The word
        vectors are trained on the documents as they are either way.
    **options
        Passed to :func:`nlp.meaning.analysis.analyse_term` (``period``, ``groups``, ``min_support``,
        ``n_boot``, ``n_perm``, ``top``, ``senses``).

    Raises
    ------
    MeaningError
        A corpus too small to train on (without a background model), a bad model folder, an unknown term.
    """
    if cache_dir is None and store is not None and background is None:
        from nlp.topics.runs import runs_root

        cache_dir = runs_root(store) / "meaning"
    sequences = []
    for q in queries:  # every query is checked before any training
        terms = query_terms(store, q) if store is not None else q.casefold().split()
        sequences.append(resolve_sequence(docs, terms, q))
    if training is None:
        training = docs
    docs, markers = without_markers(docs, keep=keep_markers, exempt={t for seq in sequences for t in seq})
    models = [corpus_embeddings(training, cache_dir=cache_dir, seed=seed + m,
                                background=background, min_terms=min_terms, progress=progress)
              for m in range(1 if background is not None else n_models)]
    results = []
    for q, seq in zip(queries, sequences):
        if progress:
            progress(f"analysing {q!r}", 0, 1)
        snippets = kwic_snippets(store, docs, q) if store is not None else None
        result = analyse_term(docs, seq, models, by=by, seed=seed, query=q, snippets=snippets, **options)
        result.outlet_markers = markers.to_dict()
        results.append(result)
    return results


def format_meaning(result: TermMeaning) -> list[str]:
    """The result as plain text lines for the terminal."""
    lines = [f"== {result.term!r} (terms: {' '.join(result.terms)}) by {result.by}"
             + (f" and {result.period}" if result.period else "")]
    fit = result.embeddings.get("fit") or {}
    lines.append(f"   vectors: {result.embeddings.get('source', '?')}; transform held-out cosine "
                 f"{fit.get('heldout_cosine', '?')}")
    for g in result.groups:
        head = f"-- {g.group}: {g.n_occurrences} occurrences in {g.n_documents} documents"
        if not g.supported:
            lines.append(head + f" (fewer than {result.params['min_support']} documents: no claims)")
            continue
        lines.append(head)
        lines.append("   neighbours:  " + ", ".join(f"{n['term']} ({n['stability']:.0%})" for n in g.neighbours))
        if g.distinctive:
            lines.append("   distinctive: " + ", ".join(f"{n['term']} ({n['stability']:.0%})" for n in g.distinctive))
        lines.extend(f"   e.g. {e}" for e in g.examples)
    for c in result.comparisons:
        lines.append(f"-- {c.a} vs {c.b}: cosine {c.cosine:.3f} [{c.lo:.3f}, {c.hi:.3f}], shuffled {_units(c)} "
                     f"{c.null_cosine:.3f}, p = {c.p:.3f} ({_counts(c)})")
        lines.append(f"   around it in {c.a}: " + ", ".join(t["term"] for t in c.context_terms_a))
        lines.append(f"   around it in {c.b}: " + ", ".join(t["term"] for t in c.context_terms_b))
        lines.extend(f"   caveat: {caveat}" for caveat in c.caveats)
    for c in result.placebos:
        lines.append(f"-- placebo, two outlets of one side: {c.a} vs {c.b}: cosine {c.cosine:.3f}, shuffled "
                     f"documents {c.null_cosine:.3f}, p = {c.p:.3f} ({c.n_documents_a} / {c.n_documents_b} documents)")
    for s in result.senses:
        shares = ", ".join(f"{g} {v:.0%}" for g, v in s.shares.items())
        lines.append(f"-- sense {s.sense} ({s.n_occurrences} occurrences): {', '.join(s.neighbours)}"
                     + (f"; share: {shares}" if shares else ""))
        lines.extend(f"   e.g. {e}" for e in s.examples[:2])
    return lines


def _units(c: Any) -> str:
    return {"outlet": "outlets", "document within outlet": "documents within outlets"}.get(c.unit, "documents")


def _counts(c: Any) -> str:
    """``"14 / 12 documents"``, or the outlets on each side and the smallest p they allow."""
    if c.unit == "outlet":
        return (f"{c.n_units_a} / {c.n_units_b} outlets, {c.n_documents_a} / {c.n_documents_b} documents; "
                f"{'every split counted' if c.exact else 'random splits'}, p cannot fall below {c.min_p:.3f}")
    if c.unit == "document within outlet":
        return f"{c.n_documents_a} / {c.n_documents_b} documents; {c.n_units} of them in outlets holding both"
    return f"{c.n_documents_a} / {c.n_documents_b} documents"
