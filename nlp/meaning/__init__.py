"""Meaning in context: what a contested word means to each tendency, outlet or author.

À-la-carte embeddings of each occurrence of a term (Khodak et al. 2018), averaged per group and compared
with document-level inference, as the R package conText does (Rodriguez, Spirling and Stewart 2023).

- :mod:`nlp.meaning.embeddings`: Word2Vec vectors and the à-la-carte transform; trained, cached or loaded
  from a background model, on disk without pickles.
- :mod:`nlp.meaning.occurrences`: where a term occurs and the embedding of each occurrence.
- :mod:`nlp.meaning.analysis`: per-group embeddings, neighbours, tests, Fightin' Words on the contexts, senses.
- :mod:`nlp.meaning.run`: the ``meaning`` command's entry point (:func:`meaning`) and its text output.
"""
from nlp.meaning.analysis import TermMeaning, analyse_term
from nlp.meaning.embeddings import (
    MIN_TRAINING_TERMS, Embeddings, MeaningError, corpus_embeddings, load_embeddings, save_embeddings,
    train_embeddings,
)
from nlp.meaning.run import format_meaning, meaning

__all__ = ["MIN_TRAINING_TERMS", "Embeddings", "MeaningError", "TermMeaning", "analyse_term", "corpus_embeddings",
           "format_meaning", "load_embeddings", "meaning", "save_embeddings", "train_embeddings"]
