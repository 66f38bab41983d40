"""The domain phrase vocabulary: names of the Labour debate that must stay one term.

The shipped file is ``nlp/text/vocabulary.toml``; a user file of the same shape extends it (an entry with the
same canonical term replaces the shipped one).
"""
from __future__ import annotations

import hashlib
import logging
from corpus.tomlfile import read_toml
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from nlp.errors import VocabularyError

log = logging.getLogger(__name__)

#: The vocabulary shipped with the toolkit.
DEFAULT_VOCABULARY = Path(__file__).with_name("vocabulary.toml")

CATEGORIES = ("faction", "group", "outlet", "person", "policy", "concept")


@dataclass(frozen=True)
class VocabularyEntry:
    """One name of the debate.

    Parameters
    ----------
    term : str
        The canonical term the pipeline emits, e.g. ``"soft_left"``.
    category : str
        One of :data:`CATEGORIES`; ``"faction"`` entries are mined by ``mentions``.
    name : str
        How people write it (for labels and reports).
    patterns : tuple of str
        Spellings merged into ``term``.
    case_sensitive : bool
        Match ``patterns`` exactly as written (for names that are also ordinary words).
    """

    term: str
    category: str
    name: str
    patterns: tuple[str, ...]
    case_sensitive: bool = False


@dataclass
class Vocabulary:
    """The phrase vocabulary in force: entries, lemma overrides and extra stop words.

    Attributes
    ----------
    entries : dict of str to VocabularyEntry
        By canonical term.
    lemmas : dict of str to str
        Lower-cased word -> term, overriding the lookup lemmatiser ("left" stays "left").
    stop_words : frozenset of str
        Extra stop words (added to spaCy's English list).
    sources : list of str
        The files read, in order.
    """

    entries: dict[str, VocabularyEntry] = field(default_factory=dict)
    lemmas: dict[str, str] = field(default_factory=dict)
    stop_words: frozenset[str] = frozenset()
    sources: list[str] = field(default_factory=list)

    def by_category(self, category: str) -> list[VocabularyEntry]:
        """The entries of one category (e.g. ``"faction"``), sorted by term."""
        return sorted((e for e in self.entries.values() if e.category == category), key=lambda e: e.term)

    @property
    def factions(self) -> list[VocabularyEntry]:
        return self.by_category("faction")

    def __iter__(self):
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def fingerprint(self) -> str:
        """A hash of everything that changes what the pipeline emits."""
        h = hashlib.sha256()
        for term in sorted(self.entries):
            e = self.entries[term]
            h.update(f"{e.term}|{e.case_sensitive}|{'|'.join(e.patterns)}\n".encode())
        for word in sorted(self.lemmas):
            h.update(f"L{word}={self.lemmas[word]}\n".encode())
        for word in sorted(self.stop_words):
            h.update(f"S{word}\n".encode())
        return h.hexdigest()[:16]

    def merged(self, other: "Vocabulary") -> "Vocabulary":
        return Vocabulary(
            entries={**self.entries, **other.entries},
            lemmas={**self.lemmas, **other.lemmas},
            stop_words=self.stop_words | other.stop_words,
            sources=self.sources + other.sources,
        )


def load_vocabulary(path: str | Path | None = None, include_default: bool = True) -> Vocabulary:
    """Load the phrase vocabulary.

    Parameters
    ----------
    path : str or Path, optional
        A user vocabulary (same TOML shape as ``nlp/text/vocabulary.toml``) that extends the shipped one.
    include_default : bool
        False reads only ``path``.

    Returns
    -------
    Vocabulary

    Raises
    ------
    VocabularyError
        When a file is missing or malformed; the message names the file and the entry.

    Examples
    --------
    >>> vocab = load_vocabulary()
    >>> vocab.entries["soft_left"].category
    'faction'
    >>> "labour_first" in [e.term for e in vocab.factions]
    True
    """
    vocab = Vocabulary()
    files: list[Path] = []
    if include_default:
        files.append(DEFAULT_VOCABULARY)
    if path is not None:
        files.append(Path(path))
    for file in files:
        vocab = vocab.merged(_read(file))
    return vocab


def _read(path: Path) -> Vocabulary:
    data = read_toml(path, "phrase vocabulary", VocabularyError, see="nlp/text/vocabulary.toml")
    entries: dict[str, VocabularyEntry] = {}
    for term, spec in (data.get("terms") or {}).items():
        if not isinstance(spec, dict):
            raise VocabularyError(f"{path}: [terms.{term}] must be a table")
        term = normalise_term(term)
        category = str(spec.get("category", "concept"))
        if category not in CATEGORIES:
            raise VocabularyError(
                f"{path}: [terms.{term}] has category {category!r}; use one of {', '.join(CATEGORIES)}")
        patterns = spec.get("patterns") or [spec.get("name") or term.replace("_", " ")]
        if isinstance(patterns, str):
            patterns = [patterns]
        entries[term] = VocabularyEntry(
            term=term, category=category, name=str(spec.get("name") or term.replace("_", " ")),
            patterns=tuple(str(p) for p in patterns if str(p).strip()),
            case_sensitive=bool(spec.get("case_sensitive", False)),
        )
    lemmas = {str(k).lower(): normalise_term(str(v)) for k, v in (data.get("lemmas") or {}).items()}
    stop = data.get("stop_words") or {}
    stop_words = frozenset(str(w).lower() for w in (stop.get("extra", []) if isinstance(stop, dict) else stop))
    log.debug("read %d phrase entries from %s", len(entries), path)
    return Vocabulary(entries=entries, lemmas=lemmas, stop_words=stop_words, sources=[str(path)])


def normalise_term(text: str) -> str:
    """``"Soft Left"`` -> ``"soft_left"``: the form a multi-word term takes in the pipeline's output."""
    return "_".join(text.lower().replace("-", " ").split())


def terms_of(entries: Iterable[VocabularyEntry]) -> list[str]:
    return [e.term for e in entries]
