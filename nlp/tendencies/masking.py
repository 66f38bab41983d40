"""Self-names: the words with which a side names itself, masked to see what a classifier learns besides them.

A classifier that tells Labour manifestos from Conservative ones by the words ``labour`` and ``conservative``
has learnt nothing about what the parties argue; nor has a tendency classifier that keys on ``tribune`` or
``soft_left``. :func:`self_names` gathers, in one place, every name a group of the selection may call
itself by, so that :func:`nlp.tendencies.classify.evaluate` can score the classifier again without them
(``masked_macro_f1``) and :func:`nlp.tendencies.contrast.contrast` can drop them (``--mask-names``).

The mask holds, case-folded:

* the **label values** of the selection (``soft_left``, ``Lab``, ``Con``) and the **outlets** in it
  (``tribune``, ``labourlist``);
* from the **labels file** (:class:`corpus.labels.LabelSet`): every outlet key, outlet display name and
  tendency value;
* from the **phrase vocabulary** (:func:`nlp.text.vocabulary.load_vocabulary`): the canonical term and the
  spellings of every ``faction`` and ``outlet`` entry, and of the ``group`` entries that name a party (whose
  name ends in *party* or *democrats*: ``labour_party``, ``liberal_democrats``; not ``trade_union`` or
  ``house_of_commons``, which no side owns);
* the **party aliases** of :data:`PARTY_ALIASES` for the label values that are party abbreviations
  (``Lab`` brings ``labour``, ``Con`` brings ``conservative``, ``tory``, ``tories``).

A multi-word name enters as one term joined by ``_`` (what preprocessing emits for it: ``open_labour``),
never as its separate words, so ``open`` and ``left`` stay in the vocabulary.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Iterable

import numpy as np

log = logging.getLogger(__name__)

#: Words a party is called by, for the label values that are the usual abbreviations of UK parties (the
#: codes of the Manifesto Project and quanteda's UK manifestos). Extend it for other party systems.
PARTY_ALIASES: dict[str, tuple[str, ...]] = {
    "lab": ("labour", "labour_party", "new_labour", "old_labour", "labourite", "labourites"),
    "slab": ("labour", "labour_party", "scottish_labour"),
    "con": ("conservative", "conservatives", "conservative_party", "tory", "tories", "toryism", "unionist_party"),
    "scon": ("conservative", "conservatives", "conservative_party", "tory", "tories", "unionist"),
    "lib": ("liberal", "liberals", "liberal_party", "liberalism"),
    "ld": ("liberal", "liberals", "liberal_democrats", "liberal_democrat", "democrat", "democrats", "lib_dem",
           "lib_dems"),
    "sld": ("liberal", "liberals", "liberal_democrats", "liberal_democrat", "democrat", "democrats", "lib_dem",
            "lib_dems"),
    "libsdp": ("liberal", "liberals", "sdp", "alliance", "social_democrat", "social_democrats"),
    "snp": ("snp", "scottish_national_party", "nationalist", "nationalists"),
    "pcy": ("plaid", "cymru", "plaid_cymru"),
    "ukip": ("ukip",),
    "gr": ("green", "greens", "green_party"),
    "sgr": ("green", "greens", "green_party"),
    "bnp": ("bnp",),
    "dup": ("dup", "democratic_unionist", "unionist", "unionists"),
    "uup": ("uup", "ulster_unionist", "unionist", "unionists"),
    "sf": ("sinn", "fein", "sinn_fein"),
    "sdlp": ("sdlp",),
    "comm": ("communist", "communists", "communist_party"),
}
#: Vocabulary categories whose entries are all self-names.
SELF_NAME_CATEGORIES = ("faction", "outlet")
_PARTY_NAME = re.compile(r"\b(party|parties|democrats?)$", re.IGNORECASE)


def _joined(name: str) -> str:
    """A name as the one term preprocessing makes of it: case-folded, words joined by ``_``."""
    return "_".join(re.findall(r"[\w']+", name.casefold()))


def self_names(docs: Any = None, vocabulary: Any = None, labels: Any = None,
               extra: Iterable[str] = ()) -> list[str]:
    """Every name a group of the selection may call itself by, case-folded and sorted (see the module doc).

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms, optional
        Its label values and outlets are self-names.
    vocabulary : nlp.text.vocabulary.Vocabulary, optional
        The phrase vocabulary; default the shipped one (``load_vocabulary()``).
    labels : corpus.labels.LabelSet, optional
        The labels in force (``store.labels``); default the shipped defaults.
    extra : iterable of str
        More names (label values of another field, such as a party column).

    Returns
    -------
    list of str
        The mask, as terms (a multi-word name joined by ``_``).
    """
    if vocabulary is None:
        from nlp.text.vocabulary import load_vocabulary
        vocabulary = load_vocabulary()
    if labels is None:
        from corpus.labels import LabelSet
        labels = LabelSet.default()
    names: set[str] = set()
    values: set[str] = set(extra)
    if docs is not None:
        values.update(docs.labels)
        values.update(o for o in docs.outlets if o)
    for key, label in labels.outlets.items():
        values.update(v for v in (key, label.name, label.tendency) if v)
    for table in (labels.authors, labels.articles):
        values.update(label.tendency for label in table.values())
    for entry in vocabulary:
        if entry.category in SELF_NAME_CATEGORIES or (entry.category == "group" and _PARTY_NAME.search(entry.name)):
            values.update((entry.term, entry.name, *entry.patterns))
    for value in values:
        term = _joined(value)
        if term and term not in ("unlabelled", "mixed"):
            names.add(term)
            names.update(PARTY_ALIASES.get(term, ()))
    return sorted(names)


def corpus_vocabulary(store: Any) -> Any:
    """The phrase vocabulary the corpus was preprocessed with (the shipped one plus its ``--phrases`` file),
    so its own names are masked too; the shipped vocabulary when that cannot be rebuilt (logged)."""
    from nlp.errors import NlpError
    from nlp.text.preprocess import Preprocessor
    from nlp.text.vocabulary import load_vocabulary

    try:
        return Preprocessor.from_store(store).vocabulary
    except (NlpError, OSError) as exc:
        log.warning("masking the shipped vocabulary's names only: %s", exc)
        return load_vocabulary()


def masked_columns(vocabulary: Iterable[str], names: Iterable[str]) -> np.ndarray:
    """Indices of the ``vocabulary`` terms that are in ``names`` (compared case-folded).

    A phrase of several terms joined by a space (a contrast's bigram) is masked when any of its parts is.
    """
    mask = {n.casefold() for n in names}
    return np.asarray([i for i, term in enumerate(vocabulary)
                       if any(part.casefold() in mask for part in str(term).split(" "))], dtype=np.int64)


def is_self_name(term: str, names: Iterable[str] | set[str]) -> bool:
    """Whether ``term`` (or a part of a phrase) is one of ``names``."""
    return len(masked_columns([term], names)) > 0
