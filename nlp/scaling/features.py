"""Document-word count matrices for the scaling estimators.

``--features words`` counts plain word tokens the way quanteda's ``tokens(remove_punct = TRUE)`` followed by
``dfm(tolower = TRUE)`` does for the published Wordfish and Wordscores references: lower-cased words,
punctuation removed and nothing else dropped. Numbers stay (``2010``, ``4.5``, ``1,000``), words keep their
inner apostrophes and hyphens (``government's``, ``long-term``), and currency signs stay as tokens of their own
(``€``, ``£``), as quanteda keeps symbols unless asked to remove them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from .errors import ScalingError

# A word: letters/digits joined by single inner apostrophes, hyphens, or (between digits) points and commas.
_WORD = r"[^\W_]+(?:(?:['’\-][^\W_]+)|(?:(?<=\d)[.,](?=\d)\d+))*"
_CURRENCY = r"[$£€¥]"
_TOKEN = re.compile(rf"{_WORD}|{_CURRENCY}")


def tokenize_words(text: str) -> list[str]:
    """Lower-cased word tokens of ``text`` with punctuation removed (see the module docstring).

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    list of str
        The tokens in text order; curly apostrophes become straight ones.
    """
    return [t.replace("’", "'") for t in _TOKEN.findall(text.lower())]


def terms_matrix(
    documents: Iterable[Sequence[str]], vocabulary: Sequence[str] | Mapping[str, int] | None = None
) -> tuple[sp.csr_matrix, list[str]]:
    """Count matrix of documents given as term lists (for example preprocessed terms).

    Parameters
    ----------
    documents : iterable of sequences of str
        One list of terms per document (read once; a generator is fine).
    vocabulary : sequence of str or mapping of str to int, optional
        Fixed columns (out-of-sample use): terms not in it are dropped and the columns follow its order. Without
        it the columns are every term seen, in sorted order.

    Returns
    -------
    (scipy.sparse.csr_matrix, list of str)
        Documents × terms counts (float64) and the column names.
    """
    if vocabulary is None:
        index: dict[str, int] = {}
        grow = True
    else:
        index = dict(vocabulary) if isinstance(vocabulary, Mapping) else {t: i for i, t in enumerate(vocabulary)}
        if len(set(index.values())) != len(index):
            raise ScalingError("the vocabulary repeats a term or a column; pass each term once")
        grow = False
    indptr, indices = [0], []
    for terms in documents:
        if isinstance(terms, str):
            raise ScalingError("terms_matrix takes one list of terms per document, not a string; use word_matrix for raw text")
        for term in terms:
            j = index.get(term)
            if j is None:
                if not grow:
                    continue
                j = index[term] = len(index)
            indices.append(j)
        indptr.append(len(indices))
    n_cols = (max(index.values()) + 1) if index else 0
    data = np.ones(len(indices), dtype=np.float64)
    X = sp.csr_matrix((data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
                      shape=(len(indptr) - 1, n_cols))
    X.sum_duplicates()
    names = [""] * n_cols
    for term, j in index.items():
        names[j] = term
    if vocabulary is None and names:
        order = np.argsort(np.asarray(names, dtype=object), kind="stable")
        X = X[:, order].tocsr()
        names = [names[j] for j in order]
    X.sort_indices()
    return X, names


def word_matrix(
    texts: Iterable[str], vocabulary: Sequence[str] | Mapping[str, int] | None = None
) -> tuple[sp.csr_matrix, list[str]]:
    """Count matrix of raw texts over lower-cased word tokens (``--features words``).

    Parameters
    ----------
    texts : iterable of str
        One text per document.
    vocabulary : sequence of str or mapping of str to int, optional
        Fixed columns, as in :func:`terms_matrix` (unknown words dropped).

    Returns
    -------
    (scipy.sparse.csr_matrix, list of str)
        Documents × words counts and the column names.

    Examples
    --------
    >>> X, words = word_matrix(["Cuts now, growth later.", "Growth now!"])
    >>> words
    ['cuts', 'growth', 'later', 'now']
    """
    return terms_matrix((tokenize_words(t) for t in texts), vocabulary)
