"""Self-names: the words with which a side names itself, masked to see what a classifier learns besides them.

A classifier that tells Labour manifestos from Conservative ones by the words ``labour`` and ``conservative``
has learnt nothing about what the parties argue; nor has a tendency classifier that keys on ``tribune`` or
``soft_left``, or a press classifier that keys on ``guardian_news``. :func:`self_names` gathers, in one
place, every name a group of the selection may call itself by, so that
:func:`nlp.tendencies.classify.evaluate` can score the classifier again without them (``masked_macro_f1``)
and :func:`nlp.tendencies.contrast.contrast` can drop them (``--mask-names``). Everything comes from the
corpus and from files, nothing from code: a corpus of another country's parties or papers gets its own
names.

The mask holds, case-folded:

* the **label values** of the selection (``soft_left``, ``Lab``, ``Con``) and, for each, its **aliases**
  from the names files (``Lab`` brings ``labour``, ``Con`` brings ``conservative``, ``tory``, ``tories``;
  the shipped ``self_names.toml`` holds the UK parties' codes);
* the **outlets** of the selection (``tribune``), the **domains** of its articles' URLs
  (``www.theguardian.com``: ``theguardian`` and ``theguardiancom``; ``guardian.co.uk``: ``guardian`` and
  ``guardiancouk``) and its **authors** (``polly_toynbee`` and the surname ``toynbee``);
* from the **labels file** (:class:`corpus.labels.LabelSet`): every outlet key, outlet display name (also
  without a leading "the") and tendency value;
* from the **phrase vocabulary** (:func:`nlp.text.vocabulary.load_vocabulary`): the canonical term and the
  spellings of every ``faction`` and ``outlet`` entry, and of the ``group`` entries that name a party (whose
  name ends in *party* or *democrats*: ``labour_party``, ``liberal_democrats``; not ``trade_union`` or
  ``house_of_commons``, which no side owns);
* the ``names`` of the **names files** (the shipped one and ``--names FILE``).

A multi-word name enters as one term joined by ``_`` (what preprocessing emits for it: ``open_labour``),
never as its separate words, so ``open`` and ``left`` stay in the vocabulary. Outlet names, domains and the
names files' ``names`` also mask every **compound** that contains them as a part (``guardian`` masks
``guardian_news`` and ``guardian_media_group``); label values, aliases and authors mask whole terms only,
because they are often ordinary words (a label ``right`` must not take ``human_right``, ``labour`` must
not take ``labour_market``).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping
from urllib.parse import urlsplit

import numpy as np

log = logging.getLogger(__name__)

#: The shipped names file: the UK parties' codes and their aliases (extend it with ``--names FILE``).
NAMES_FILE = Path(__file__).with_name("self_names.toml")
#: Vocabulary categories whose entries are all self-names.
SELF_NAME_CATEGORIES = ("faction", "outlet")
_PARTY_NAME = re.compile(r"\b(party|parties|democrats?)$", re.IGNORECASE)
#: Labels of a host name that name no outlet (``www.``, ``m.``) or are a public suffix (``.co.uk``).
_HOST_NOISE = frozenset({"www", "www2", "m", "amp", "mobile", "com", "org", "net", "co", "uk", "ie", "eu", "info",
                         "news", "gov", "ac", "edu", "int", "us", "au", "ca", "nz", "de", "fr", "io"})


def _joined(name: str) -> str:
    """A name as the one term preprocessing makes of it: case-folded, words joined by ``_``."""
    return "_".join(re.findall(r"[\w']+", name.casefold()))


def load_names_file(path: str | Path | None = None) -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """``(names, aliases)`` of a names file (TOML: ``names = [...]`` and an ``[aliases]`` table of label
    value -> names; see ``nlp/tendencies/self_names.toml``); the shipped file when ``path`` is None.

    Raises
    ------
    nlp.errors.NlpError
        A missing or malformed file, with a one-line message saying what is wrong.
    """
    from corpus.tomlfile import read_toml
    from nlp.errors import NlpError

    data = read_toml(path or NAMES_FILE, "names file", NlpError, see=NAMES_FILE)
    unknown = sorted(set(data) - {"names", "aliases"})
    names, aliases = data.get("names", []), data.get("aliases", {})
    if unknown or not isinstance(names, list) or not isinstance(aliases, dict) or not all(
            isinstance(n, str) for n in names) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in aliases.values()):
        raise NlpError(f"names file {path}: write `names = [\"...\"]` and an [aliases] table of "
                       f"LABEL = [\"...\"] lists only" + (f" (unknown keys: {', '.join(unknown)})" if unknown else "")
                       + f"; see {NAMES_FILE}")
    return (frozenset(_joined(n) for n in names if _joined(n)),
            {_joined(k): tuple(_joined(x) for x in v if _joined(x)) for k, v in aliases.items()})


#: Words a party is called by, for the label values that are the usual abbreviations of UK parties (read
#: from the shipped ``self_names.toml``; extend it with a names file of your own).
PARTY_ALIASES: dict[str, tuple[str, ...]] = load_names_file()[1]


@dataclass(frozen=True)
class SelfNames:
    """The mask: names masked as whole terms, and names that also mask every term joined with them.

    Iterating gives every name (sorted), so it can stand wherever a list of names is taken;
    ``term in names`` and :meth:`masks` apply the compound rule (``guardian_news`` when ``guardian`` is an
    outlet name) and mask a phrase of several terms (a contrast's bigram) when any of its parts is masked.
    """

    whole: frozenset[str] = frozenset()
    compounds: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_multi", tuple(f"_{c}_" for c in self.compounds if "_" in c))

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.whole | self.compounds))

    def __len__(self) -> int:
        return len(self.whole | self.compounds)

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.masks(term)

    def masks(self, term: str) -> bool:
        """Whether ``term`` is masked (any of its space-separated parts; the compound rule)."""
        for part in str(term).casefold().split(" "):
            if part in self.whole or part in self.compounds:
                return True
            if "_" in part and self.compounds:
                if any(p in self.compounds for p in part.split("_")):
                    return True
                padded = f"_{part}_"  # a name of several words inside a longer term: die_linke_fraktion
                if any(c in padded for c in self._multi):  # type: ignore[attr-defined]
                    return True
        return False


def _as_names(names: Iterable[str]) -> SelfNames:
    """``names`` as a :class:`SelfNames` (a plain list masks whole terms only)."""
    if isinstance(names, SelfNames):
        return names
    return SelfNames(frozenset(n.casefold() for n in names))


def domain_names(urls: Iterable[str | None]) -> set[str]:
    """The names an outlet's web addresses give it: each host's distinctive label and the host run together
    without its dots (``https://www.theguardian.com/x``: ``theguardian``, ``theguardiancom``)."""
    out: set[str] = set()
    for host in {urlsplit(u).hostname or "" for u in urls if u}:
        parts = [p for p in host.casefold().split(".") if p]
        while parts and parts[0] in _HOST_NOISE:
            parts = parts[1:]
        if len(parts) < 2:
            continue
        out.add("".join(parts))
        out.update(_joined(p) for p in parts if p not in _HOST_NOISE and len(p) >= 3)
    return out


def author_names(authors: Iterable[Iterable[str]]) -> set[str]:
    """Each author's name as one term, and their surname (the last word, at least three letters)."""
    out: set[str] = set()
    for name in {a for names in authors for a in names if a}:
        words = re.findall(r"[\w']+", name.casefold())
        if words:
            out.add("_".join(words))
            if len(words[-1]) >= 3:
                out.add(words[-1])
    return out


def self_names(docs: Any = None, vocabulary: Any = None, labels: Any = None,
               extra: Iterable[str] = (), names_file: str | Path | None = None) -> SelfNames:
    """Every name a group of the selection may call itself by, case-folded (see the module doc).

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms, optional
        Its label values, outlets, URLs' domains and authors are self-names.
    vocabulary : nlp.text.vocabulary.Vocabulary, optional
        The phrase vocabulary; default the shipped one (``load_vocabulary()``).
    labels : corpus.labels.LabelSet, optional
        The labels in force (``store.labels``); default the shipped defaults.
    extra : iterable of str
        More label values (of another field, such as a party column).
    names_file : str or Path, optional
        A names file of your own (``--names``), read after the shipped one.

    Returns
    -------
    SelfNames
        The mask (iterable of str: a multi-word name joined by ``_``), with the compound rule.
    """
    if vocabulary is None:
        from nlp.text.vocabulary import load_vocabulary
        vocabulary = load_vocabulary()
    if labels is None:
        from corpus.labels import LabelSet
        labels = LabelSet.default()
    file_names, aliases = load_names_file()
    if names_file is not None:
        more_names, more_aliases = load_names_file(names_file)
        file_names = file_names | more_names
        aliases = {**aliases, **{k: aliases.get(k, ()) + v for k, v in more_aliases.items()}}
    whole: set[str] = set()
    compounds: set[str] = set(file_names)
    values: set[str] = set(extra)  # label values: whole terms, with their aliases
    outlets: set[str] = set()  # outlet names: also in compounds
    if docs is not None:
        values.update(docs.labels)
        outlets.update(o for o in docs.outlets if o)
        compounds.update(domain_names(docs.urls))
        whole.update(author_names(docs.authors))
    for key, label in labels.outlets.items():
        outlets.update(v for v in (key, label.name) if v)
        values.update(v for v in (label.tendency,) if v)
    for table in (labels.authors, labels.articles):
        values.update(label.tendency for label in table.values())
    for entry in vocabulary:
        if entry.category in SELF_NAME_CATEGORIES or (entry.category == "group" and _PARTY_NAME.search(entry.name)):
            whole.update(_joined(v) for v in (entry.term, entry.name, *entry.patterns))
    for value in values:
        term = _joined(value)
        if term and term not in ("unlabelled", "mixed"):
            whole.add(term)
            whole.update(aliases.get(term, ()))
    for outlet in outlets:
        term = _joined(outlet)
        compounds.update(t for t in (term, re.sub(r"^the_", "", term)) if t)
    whole.discard("")
    return SelfNames(frozenset(whole - compounds), frozenset(compounds - {""}))


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
    """Indices of the ``vocabulary`` terms that ``names`` mask (compared case-folded).

    A phrase of several terms joined by a space (a contrast's bigram) is masked when any of its parts is; with
    a :class:`SelfNames`, so is a compound that contains a compound-masking name (``guardian_news``).
    """
    mask = _as_names(names)
    return np.asarray([i for i, term in enumerate(vocabulary) if mask.masks(str(term))], dtype=np.int64)


def is_self_name(term: str, names: Iterable[str] | set[str]) -> bool:
    """Whether ``term`` (or a part of a phrase) is one of ``names``."""
    return _as_names(names).masks(term)


#: A class's top features are dominated by people's names when at least this share of them are names ...
PERSON_NAME_SHARE = 1 / 3
#: ... and at least this many.
PERSON_NAME_MIN = 3
#: Documents read per top feature to judge how the text writes it (a sample: capitals and titles show early).
PERSON_NAME_DOCUMENTS = 100


def person_names_in_top_features(docs: Any, top_features: Mapping[str, list[Mapping[str, Any]]],
                                 max_documents: int = PERSON_NAME_DOCUMENTS) -> tuple[dict[str, list[str]], list[str]]:
    """Which of each class's top features are people's names, and a caveat for each class they dominate.

    Names are found from capitalisation in the raw text (:func:`nlp.text.names.person_names_in_texts`: a
    word written with a capital inside sentences, after a title or a given name), read from up to
    ``max_documents`` documents that use each feature (:meth:`nlp.documents.DocumentTerms.texts`). A class
    whose top features are at least :data:`PERSON_NAME_SHARE` names (and at least :data:`PERSON_NAME_MIN`)
    gets a caveat: the classifier tells the groups apart by who speaks or is spoken of (candidates in their
    own speeches, an outlet's columnists), not by what is argued.

    Returns
    -------
    (dict, list of str)
        Class -> its top features that are names (empty lists when the texts cannot be read), and the
        caveats.
    """
    terms = sorted({f["term"] for feats in top_features.values() for f in feats})
    index = {t: i for i, t in enumerate(docs.vocabulary)}
    columns = [index[t] for t in terms if t in index]
    if not columns or docs.text_source is None:
        return {c: [] for c in top_features}, []
    users = docs.matrix[:, columns].tocsc()
    rows: dict[str, np.ndarray] = {}
    for k, j in enumerate(columns):
        found = users.indices[users.indptr[k]:users.indptr[k + 1]]
        step = max(1, len(found) // max_documents)  # spread over the selection, not its first documents
        rows[docs.vocabulary[j]] = found[::step][:max_documents]
    wanted = sorted({int(i) for r in rows.values() for i in r})
    text_of = dict(zip(wanted, docs.texts(wanted)))
    from nlp.text.names import person_names_in_texts

    names = {t for t in rows if person_names_in_texts([t], (text_of[int(i)] for i in rows[t]))}
    flagged = {c: [f["term"] for f in feats if f["term"] in names] for c, feats in top_features.items()}
    caveats = []
    for c, feats in top_features.items():
        found = flagged[c]
        if feats and len(found) >= PERSON_NAME_MIN and len(found) >= PERSON_NAME_SHARE * len(feats):
            caveats.append(
                f"People's names dominate the top features of {c} ({', '.join(found[:6])}: {len(found)} of "
                f"{len(feats)}): the classifier may tell the groups apart by who speaks or is spoken of, not by "
                "what is argued")
    return flagged, caveats
