"""The domain phrase vocabulary: names of the Labour debate that must stay one term.

The shipped file is ``nlp/text/vocabulary.toml``; a user file of the same shape extends it (an entry with the
same canonical term replaces the shipped one).
"""
from __future__ import annotations

import difflib
import hashlib
import logging
from dataclasses import dataclass, field
from functools import cached_property

from corpus.tomlfile import read_toml
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
    exact_patterns : tuple of str
        Spellings always matched exactly as written, whatever ``case_sensitive`` says (acronyms: ``"CWB"``).
    context_patterns : tuple of str
        Spellings matched exactly as written, and merged only in a text (or 100,000-character chunk) that
        also has one of the words of ``context`` (``"Campaign Group"`` only where ``"Labour"`` is written).
    context : tuple of str
        Words (matched exactly as written) one of which must be in the text for ``context_patterns``.
    """

    term: str
    category: str
    name: str
    patterns: tuple[str, ...]
    case_sensitive: bool = False
    exact_patterns: tuple[str, ...] = ()
    context_patterns: tuple[str, ...] = ()
    context: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every spelling merged into the term (patterns, exact and contextual ones)."""
        return self.patterns + self.exact_patterns + self.context_patterns


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

    def term_for(self, name: str) -> str | None:
        """The canonical term of a name, whatever its case, hyphens or underscores; None if it names no entry.

        ``"nhs"``, ``"NHS"``, ``"National Health Service"`` and ``"national_health_service"`` all give
        ``"national_health_service"``; ``"soft-left"`` gives ``"soft_left"``.

        Examples
        --------
        >>> load_vocabulary().term_for("nhs")
        'national_health_service'
        >>> load_vocabulary().term_for("Campaign Group")
        'socialist_campaign_group'
        """
        return self._names.get(_name_key(name))

    @cached_property
    def _names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for e in self.entries.values():  # a term's own spelling wins over another entry's pattern
            for spelling in (*e.spellings, e.name):
                names.setdefault(_name_key(spelling), e.term)
        for e in self.entries.values():
            names[_name_key(e.term)] = e.term
        return names

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def fingerprint(self) -> str:
        """A hash of everything that changes what the pipeline emits."""
        h = hashlib.sha256()
        for term in sorted(self.entries):
            e = self.entries[term]
            h.update(f"{e.term}|{e.case_sensitive}|{'|'.join(e.patterns)}|{'|'.join(e.exact_patterns)}|"
                     f"{'|'.join(e.context_patterns)}|{'|'.join(e.context)}\n".encode())
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
        context_patterns = _strings(spec.get("context_patterns"))
        context = _strings(spec.get("context"))
        if bool(context_patterns) != bool(context):
            raise VocabularyError(f"{path}: [terms.{term}] needs both context_patterns and context, or neither")
        entries[term] = VocabularyEntry(
            term=term, category=category, name=str(spec.get("name") or term.replace("_", " ")),
            patterns=_strings(patterns), case_sensitive=bool(spec.get("case_sensitive", False)),
            exact_patterns=_strings(spec.get("exact_patterns")), context_patterns=context_patterns,
            context=context,
        )
    lemmas = {str(k).lower(): normalise_term(str(v)) for k, v in (data.get("lemmas") or {}).items()}
    stop = data.get("stop_words") or {}
    stop_words = frozenset(str(w).lower() for w in (stop.get("extra", []) if isinstance(stop, dict) else stop))
    log.debug("read %d phrase entries from %s", len(entries), path)
    return Vocabulary(entries=entries, lemmas=lemmas, stop_words=stop_words, sources=[str(path)])


def _strings(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    return tuple(str(v) for v in value if str(v).strip())  # type: ignore[union-attr]


def _name_key(text: str) -> str:
    """How names compare: case-folded, with hyphens, underscores and runs of spaces as one space."""
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").replace("’", "'").split())


def nearest_terms(word: str, known: Iterable[str], n: int = 5, vocabulary: "Vocabulary | None" = None
                  ) -> list[str]:
    """The known terms closest in spelling to ``word`` (``difflib``), for "did you mean" messages.

    With a ``vocabulary``, the spellings of its known entries count too (``"nhz"`` is near ``"NHS"``, so
    ``national_health_service`` is suggested).

    Examples
    --------
    >>> nearest_terms("teacherz", ["teacher", "school"])
    ['teacher']
    >>> nearest_terms("nhz", ["national_health_service", "health"], vocabulary=load_vocabulary())
    ['national_health_service']
    """
    known = set(known)
    candidates = {t: t for t in known}
    if vocabulary is not None:
        for e in vocabulary:
            if e.term in known:
                for spelling in (*e.spellings, e.name):
                    candidates.setdefault(_name_key(spelling).replace(" ", "_"), e.term)
    key = word.casefold().replace(" ", "_")
    out: list[str] = []
    for match in difflib.get_close_matches(key, list(candidates), n=n * 3, cutoff=0.6):
        if candidates[match] not in out:
            out.append(candidates[match])
    return out[:n]


def normalise_term(text: str) -> str:
    """``"Soft Left"`` -> ``"soft_left"``: the form a multi-word term takes in the pipeline's output."""
    return "_".join(text.lower().replace("-", " ").split())


def terms_of(entries: Iterable[VocabularyEntry]) -> list[str]:
    return [e.term for e in entries]
