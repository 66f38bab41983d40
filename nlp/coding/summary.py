"""What a selection's documents carry about the people's coding (``DocumentTerms.meta["coding"]``), and the
small readings of a corpus' codes that the ``code`` commands share with it.

Kept apart from :mod:`nlp.coding.study` so :mod:`nlp.documents` can use it without importing the analyses
that work on documents.
"""
from __future__ import annotations

from typing import Any, Sequence

from corpus.codebook import Codebook
from corpus.coding import codebook_in_force, consensus
from nlp.coding.agreement import REPLICATES, agreement


def variable_agreement(store: Any, codebook: Codebook, name: str, replicates: int = REPLICATES,
                       seed: int = 0) -> dict[str, Any]:
    """Krippendorff's alpha of one codebook variable over the corpus' codes (``VariableAgreement.to_dict``)."""
    variable = codebook.variable(name)
    units = {a: u.coders for a, u in consensus(store, name).items() if u.coders}
    return agreement(units, name, level=variable.level, categories=variable.values, numeric=variable.numeric,
                     replicates=replicates, seed=seed).to_dict()


def list_labels(store: Any, ids: Sequence[str]) -> dict[str, str]:
    """The label each of ``ids`` gets from the outlet, author and article lists alone (without its codes)."""
    lists = store.labels.with_coded({})
    return {a.id: lists.resolve(a.outlet, a.authors, a.label, keys=(a.id, a.canonical_url, a.url))[0]
            for a in store.articles(ids=list(ids), with_text=False)}


def coding_meta(store: Any) -> dict[str, Any] | None:
    """What a selection's documents carry about the coding (``DocumentTerms.meta["coding"]``): how many
    articles, coders and coded labels, the coders' alpha on the tendency variable, and the label the lists
    give each coded article (for :func:`~nlp.coding.validate.machine_vs_coders`). None without codes."""
    from corpus.coding import coding_summary

    summary = coding_summary(store)
    if summary is None:
        return None
    name = summary["tendency_variable"]
    if name:
        a = variable_agreement(store, codebook_in_force(store), name)  # as `code agreement` computes it
        summary["agreement"] = {k: a[k] for k in ("variable", "alpha", "lo", "hi", "n_units", "n_coders", "reading")}
        summary["list_labels"] = list_labels(store, sorted(store.labels.coded))
    return summary
