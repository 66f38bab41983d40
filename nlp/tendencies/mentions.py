"""How each faction is talked about, and by whom: faction-mention mining.

For every faction or group of the phrase vocabulary (category ``"faction"``: soft_left, hard_left,
momentum, labour_first, ...) this finds

* where it is mentioned (outlets) and how often, by each writing tendency, per 10,000 terms;
* self-mentions (writers of the faction's own tendency, see ``nlp/tendencies/faction_tendencies.toml``) against
  mentions by others;
* the words each tendency uses around it: the terms in a window of ``window`` terms either side of every
  mention, contrasted with (a) that tendency's overall usage (``terms``: what it says *about this faction*
  rather than what it says anyway) and (b) the other tendencies' words around the same faction
  (``distinctive``: how the soft right talks about the hard left, against how the soft left does).

Both contrasts are the weighted log-odds of :mod:`nlp.contrast` (Monroe et al. 2008). Terms are read
without data-driven collocations so every faction name is a term of its own.
"""
from __future__ import annotations

import logging
from corpus.tomlfile import read_toml
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from nlp.results import Result
from nlp.tendencies.contrast import rank_terms
from nlp.documents import DocumentTerms, EmptySelectionError, GroupError

log = logging.getLogger(__name__)

DEFAULT_AFFILIATIONS = Path(__file__).with_name("faction_tendencies.toml")


@dataclass
class TendencyMentions:
    """Mentions of one faction by the writers of one tendency."""

    mentions: int = 0
    articles: int = 0
    window: Counter = field(default_factory=Counter)


@dataclass
class FactionMentions:
    """Everything found about one faction."""

    term: str
    name: str
    tendency: str | None
    mentions: int = 0
    articles: int = 0
    by_outlet: Counter = field(default_factory=Counter)
    by_tendency: dict[str, TendencyMentions] = field(default_factory=dict)


@dataclass(frozen=True)
class AroundTerm:
    """A term typical of the words around a faction's mentions: its ``z`` (weighted log-odds) and its
    ``count`` in the windows."""

    term: str
    z: float
    count: int


@dataclass(frozen=True, kw_only=True)
class WriterMentions:
    """How the writers of one tendency mention one faction.

    Attributes
    ----------
    mentions, articles : int
        Its mentions by these writers, and their articles mentioning it.
    per_10k_terms : float
        Mentions per 10,000 of these writers' terms.
    self : bool
        Whether these writers are of the faction's own tendency.
    terms : list of AroundTerm
        The words around the mentions, against these writers' overall usage.
    distinctive : list of AroundTerm
        The words around the mentions, against the other tendencies' words around the same faction.
    """

    mentions: int
    articles: int
    per_10k_terms: float
    self: bool
    terms: list[AroundTerm]
    distinctive: list[AroundTerm]


@dataclass(frozen=True)
class MentionedFaction:
    """Everything found about one faction: who mentions it, where, how often and in which words.

    Attributes
    ----------
    faction, name : str
        Its vocabulary term and display name.
    tendency : str or None
        Its own tendency (``faction_tendencies.toml``).
    mentions, articles : int
    self_mentions, other_mentions : int
        Mentions by writers of its own tendency, and by the others.
    by_outlet : dict of str to int
        Mentions by outlet, most first.
    by_tendency : dict of str to WriterMentions
        By the writers' tendency, most mentions first.
    """

    faction: str
    name: str
    tendency: str | None
    mentions: int
    articles: int
    self_mentions: int
    other_mentions: int
    by_outlet: dict[str, int]
    by_tendency: dict[str, WriterMentions]


@dataclass(frozen=True)
class WriterTotals:
    """A writing tendency's articles and terms in the selection."""

    articles: int
    terms: int


@dataclass(frozen=True)
class MentionsResult(Result):
    """What :func:`mentions` (and :func:`mine_mentions`) found.

    ``to_dict()`` is the JSON document of ``mentions --json`` (CLI.md); ``to_frame()`` one row per faction
    and writing tendency (:func:`mentions_table`).

    Attributes
    ----------
    window : int
        Terms taken on each side of a mention.
    articles : int
        Articles in the selection.
    tendencies : dict of str to WriterTotals
        By writing tendency.
    factions : list of MentionedFaction
        Most mentioned first (unmentioned ones too).
    """

    window: int
    articles: int
    tendencies: dict[str, WriterTotals]
    factions: list[MentionedFaction]

    def to_frame(self, terms: int = 8):
        """:func:`mentions_table` as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(mentions_table(self, terms=terms))


def load_affiliations(path: str | Path | None = None) -> dict[str, str]:
    """Faction term -> tendency, from ``nlp/tendencies/faction_tendencies.toml`` or a file of the same shape."""
    path = Path(path) if path else DEFAULT_AFFILIATIONS
    data = read_toml(path, "Affiliations file", GroupError, see=DEFAULT_AFFILIATIONS)
    table = data.get("affiliations")
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise GroupError(f"Affiliations file {path} needs an [affiliations] table of faction = \"tendency\"")
    return {str(k): v for k, v in table.items()}


def faction_names(vocabulary: Any = None) -> dict[str, str]:
    """Faction term -> display name, from the phrase vocabulary (category ``"faction"``)."""
    if vocabulary is None:
        from nlp.text.vocabulary import load_vocabulary
        vocabulary = load_vocabulary()
    return {e.term: e.name for e in vocabulary.factions}


def mine_mentions(
    docs: Iterable[tuple[str, str, Sequence[str]]],
    factions: Mapping[str, str],
    affiliations: Mapping[str, str] | None = None,
    window: int = 10,
    top: int = 10,
    min_count: int = 2,
) -> MentionsResult:
    """Count and characterise mentions of each faction; the core of :func:`mentions`.

    Parameters
    ----------
    docs : iterable of (tendency, outlet, terms)
        The writer's resolved tendency, the outlet and the article's terms.
    factions : mapping of str to str
        Faction term -> display name.
    affiliations : mapping of str to str, optional
        Faction term -> its own tendency (for self-mentions).
    window : int
        Terms taken on each side of a mention.
    top : int
        Associated terms reported per faction and tendency.
    min_count : int
        A term must occur at least this often in the windows to be reported.

    Returns
    -------
    MentionsResult
        ``window``, ``articles``, ``tendencies`` (each writing tendency's articles and terms) and
        ``factions``, one :class:`MentionedFaction` each, most mentioned first (see :func:`mentions`).
    """
    if window < 1:
        raise GroupError(f"--window must be at least 1, not {window}")
    affiliations = affiliations or {}
    found = {t: FactionMentions(t, n, affiliations.get(t)) for t, n in factions.items()}
    usage: dict[str, Counter] = {}
    tendency_docs: Counter = Counter()
    n_docs = 0
    for tendency, outlet, terms in docs:
        n_docs += 1
        tendency_docs[tendency] += 1
        usage.setdefault(tendency, Counter()).update(terms)
        seen: set[str] = set()
        for i, term in enumerate(terms):
            f = found.get(term)
            if f is None:
                continue
            tm = f.by_tendency.setdefault(tendency, TendencyMentions())
            tm.mentions += 1
            f.mentions += 1
            f.by_outlet[outlet] += 1
            if term not in seen:
                tm.articles += 1
                f.articles += 1
                seen.add(term)
            # the faction's own name (a second mention close by) says nothing about how it is described
            tm.window.update(t for t in terms[max(0, i - window):i] if t != term)
            tm.window.update(t for t in terms[i + 1:i + 1 + window] if t != term)
    if n_docs == 0:
        raise EmptySelectionError("No preprocessed articles in the selection; import articles and run `nlp preprocess`")
    out = []
    for f in sorted(found.values(), key=lambda f: (-f.mentions, f.term)):
        by_tendency = {}
        for tendency in sorted(f.by_tendency, key=lambda t: (-f.by_tendency[t].mentions, t)):
            tm = f.by_tendency[tendency]
            rest = usage[tendency] - tm.window
            terms, _ = rank_terms(tm.window, rest, top=top, min_count=min_count) if rest else ([], [])
            others: Counter = Counter()
            for t2, tm2 in f.by_tendency.items():
                if t2 != tendency:
                    others.update(tm2.window)
            distinct, _ = rank_terms(tm.window, others, top=top, min_count=min_count) if others else ([], [])
            total = sum(usage[tendency].values())
            by_tendency[tendency] = WriterMentions(
                mentions=tm.mentions, articles=tm.articles,
                per_10k_terms=round(10000 * tm.mentions / total, 3) if total else 0.0,
                self=f.tendency is not None and tendency == f.tendency,
                terms=[AroundTerm(s.term, round(s.z, 3), s.count_a) for s in terms],
                distinctive=[AroundTerm(s.term, round(s.z, 3), s.count_a) for s in distinct])
        own = by_tendency.get(f.tendency) if f.tendency else None
        self_mentions = own.mentions if own is not None else 0
        out.append(MentionedFaction(
            faction=f.term, name=f.name, tendency=f.tendency, mentions=f.mentions, articles=f.articles,
            self_mentions=self_mentions, other_mentions=f.mentions - self_mentions,
            by_outlet=dict(sorted(f.by_outlet.items(), key=lambda kv: (-kv[1], kv[0]))), by_tendency=by_tendency))
    return MentionsResult(
        window=window, articles=n_docs,
        tendencies={t: WriterTotals(tendency_docs[t], sum(usage[t].values())) for t in sorted(usage)},
        factions=out)


def mentions(
    docs: DocumentTerms,
    window: int = 10,
    top: int = 10,
    min_count: int = 2,
    affiliations_file: str | Path | None = None,
    factions: Sequence[str] | None = None,
    vocabulary: Any = None,
) -> MentionsResult:
    """How each faction of the vocabulary is talked about in a selection (``mentions``).

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
        Read with ``raw=True`` so that faction names are counted before collocations.
    window, top, min_count
        See :func:`mine_mentions`.
    affiliations_file : path, optional
        Faction -> tendency file (default ``nlp/tendencies/faction_tendencies.toml``).
    factions : sequence of str, optional
        Only these factions, by term or any name of the vocabulary in any case (``"SCG"``, ``"soft left"``;
        default: every faction of the vocabulary).
    vocabulary : nlp.vocabulary.Vocabulary, optional
        Default: the shipped vocabulary.

    Returns
    -------
    MentionsResult
        ``factions``: one :class:`MentionedFaction` per faction, most mentioned first, each with its
        ``faction``, ``name``, ``tendency``, ``mentions``, ``articles``, ``self_mentions``,
        ``other_mentions``, ``by_outlet`` and ``by_tendency`` (:class:`WriterMentions`: ``mentions``,
        ``articles``, ``per_10k_terms``, ``self``, ``terms`` and ``distinctive``, each a list of
        :class:`AroundTerm`). ``to_dict()`` is the JSON document of ``mentions --json``: ``{"window",
        "articles", "tendencies": {T: {"articles", "terms"}}, "factions": [{"faction", ..., "by_tendency": {T:
        {"mentions", ..., "terms": [{"term", "z", "count"}], "distinctive": [..]}}}]}``.

    Raises
    ------
    GroupError
        For a faction name that is not in the vocabulary (the message lists the known ones).
    """
    if vocabulary is None:
        from nlp.text.vocabulary import load_vocabulary
        vocabulary = load_vocabulary()
    names = faction_names(vocabulary)
    if factions:
        # the vocabulary's own name mapping (as Preprocessor.query_terms): any case, spelling or pattern
        wanted = [vocabulary.term_for(f) or f for f in factions]
        unknown = [f for f in wanted if f not in names]
        if unknown:
            raise GroupError(f"Unknown faction {unknown[0]!r}; known factions: {', '.join(sorted(names))}")
        names = {f: names[f] for f in wanted}
    affiliations = load_affiliations(affiliations_file)
    rows = ((docs.labels[i], docs.outlets[i], docs.raw_terms(i)) for i in range(len(docs)))
    result = mine_mentions(rows, names, affiliations, window=window, top=top, min_count=min_count)
    log.info("mentions: %d articles, %d factions mentioned", result.articles,
             sum(1 for f in result.factions if f.mentions))
    return result


def mentions_table(result: MentionsResult, terms: int = 8) -> list[dict[str, Any]]:
    """Flat rows (faction, tendency) for a report table or CSV: counts and the top associated terms."""
    rows = []
    for f in result.factions:
        for tendency, t in f.by_tendency.items():
            rows.append({
                "faction": f.faction, "name": f.name, "faction_tendency": f.tendency or "",
                "writer_tendency": tendency, "self": t.self, "mentions": t.mentions,
                "articles": t.articles, "per_10k_terms": t.per_10k_terms,
                "terms": ", ".join(x.term for x in t.terms[:terms]),
                "distinctive": ", ".join(x.term for x in t.distinctive[:terms]),
            })
    return rows


def format_mentions(result: MentionsResult, terms: int = 8) -> list[str]:
    """Readable text lines: one block per mentioned faction, one line per writing tendency."""
    lines = []
    for f in result.factions:
        if not f.mentions:
            continue
        own = f"; a {f.tendency} faction" if f.tendency else ""
        lines.append(f"{f.name} ({f.faction}{own}): {f.mentions} mentions in {f.articles} articles, "
                     f"{f.self_mentions} by itself, {f.other_mentions} by others")
        for tendency, t in f.by_tendency.items():
            mark = " (self)" if t.self else ""
            lines.append(f"  by {tendency + mark:<18} {t.mentions:>5} mentions ({t.per_10k_terms:.1f} per 10k terms)")
            lines.append(f"    {'around it:':<17} " + (", ".join(x.term for x in t.terms[:terms]) or "-"))
            if t.distinctive:
                lines.append(f"    {'unlike others:':<17} " + ", ".join(x.term for x in t.distinctive[:terms]))
    unmentioned = [f.name for f in result.factions if not f.mentions]
    if unmentioned:
        lines.append("Not mentioned: " + ", ".join(unmentioned))
    return lines
