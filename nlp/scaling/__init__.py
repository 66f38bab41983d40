"""Text scaling: Wordfish and Wordscores positions of documents on one dimension.

Build a count matrix with :func:`word_matrix` (raw texts) or :func:`terms_matrix` (preprocessed terms),
fit an estimator, read :class:`ScalingResult` rows, and ``save``/``load`` a fitted scale without pickles.
"""
from .errors import ScalingError
from .features import terms_matrix, tokenize_words, word_matrix
from .results import DocumentPosition, ScalingResult, WordParameter
from .wordfish import Wordfish
from .wordscores import Wordscores

__all__ = [
    "DocumentPosition", "ScalingError", "ScalingResult", "WordParameter", "Wordfish", "Wordscores",
    "terms_matrix", "tokenize_words", "word_matrix",
]
