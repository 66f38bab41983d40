"""Where a selection's labels come from, and the unit its comparisons must use.

A tendency label resolves at one of several levels (:meth:`corpus.labels.LabelSet.resolve`): the article's
own (or coded) label, its author's, or its outlet's default. Whatever the level, inference depends on how
the labels fall across outlets (METHODS.md, "When the label is a property of the outlet"):

- **constant within outlets** (press labelled by paper; writers who each write for one single-tendency
  outlet): the outlets are the independent units. A classifier scored on folds that split an outlet learns
  house style; a permutation over documents treats one paper's 400 articles as 400 witnesses. Hold outlets
  out, permute outlets, and say how many there are on each side (with 2 against 6 outlets, the smallest
  two-sided permutation p is 2/28).
- **shared outlets** (LabourList publishes every faction; author and article labels): compare within each
  outlet and pool, so that what is compared is "soft-left writers against hard-left writers on the same
  outlets", not one outlet's house style against another's.
- **partly shared**: most articles come from single-tendency outlets and a few from outlets that publish
  several. The outlet stays the unit of a comparison pooled over outlets; a within-outlet comparison rests
  on the few (``within="outlet"`` forces it).

:func:`label_design` describes the labels of a selection (the classifier, the run); :func:`pair_design`
one comparison of two groups of documents (contrasts, meaning, topic effects). Both are pure functions of
data returning frozen results with ``to_dict()``. The thresholds are :data:`MIN_STRATUM_DOCS`,
:data:`WITHIN_SHARE` and :data:`FEW_OUTLETS`; docs/methods.md ("The unit of analysis") explains them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from math import comb
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from nlp.documents import DocumentTerms, GroupError, UNUSABLE_TENDENCIES, check_field, check_groups, group_matches

#: An outlet is shared by two groups (a stratum of their within-outlet comparison) when it holds at least
#: this many documents of each: one stray article-level label does not make a paper "shared".
MIN_STRATUM_DOCS = 2
#: A comparison is made within outlets (automatically) when outlets shared by both sides hold at least this
#: share of the two sides' documents: most of the evidence then compares writers on the same outlets.
WITHIN_SHARE = 0.5
#: With fewer outlets than this on a side (or when no permutation of outlets can reach p < 0.05), house
#: style and the label cannot be separated: a caveat says so.
FEW_OUTLETS = 3
#: ``within`` values: choose from the design, compare within outlets and pool, or pool across outlets.
WITHIN = ("auto", "outlet", "none")
#: Fields whose comparisons are made within outlets automatically (a ``year`` contrast within outlets is
#: available with ``within="outlet"``; ``outlet`` groups cannot be compared within outlets).
AUTO_WITHIN_FIELDS = ("tendency", "author")
#: Labels that are not a class (left out of :func:`label_design`).
NOT_A_CLASS = (*UNUSABLE_TENDENCIES, "mixed")

ONE_OUTLET, OUTLET_CONSTANT, PARTLY_SHARED, SHARED, OUTLET_GROUPS = (
    "one outlet", "constant within outlets", "partly shared", "shared outlets", "outlets compared")


def min_outlet_p(n_a: int, n_b: int) -> float:
    """The smallest two-sided p a permutation of ``n_a + n_b`` whole outlets between two sides can reach:
    2 / C(n_a + n_b, n_a) (2/28 for 2 against 6 outlets), at most 1."""
    if n_a < 1 or n_b < 1:
        return 1.0
    return min(1.0, 2 / comb(n_a + n_b, n_a))


def _plural(field: str) -> str:
    return {"tendency": "tendencies"}.get(field, f"{field}s")


def _listing(counts: Mapping[str, int], most: int = 4) -> str:
    names = sorted(counts, key=lambda o: (-counts[o], o))
    shown = ", ".join(o or "(no outlet)" for o in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


@dataclass(frozen=True)
class PairDesign:
    """How two groups of documents fall across outlets, and the comparison that follows.

    Attributes
    ----------
    a, b, field : str
        The groups and the field they are values of.
    outlets_a, outlets_b : dict of str to int
        Documents of each side per outlet.
    strata : tuple of str
        Outlets holding at least :data:`MIN_STRATUM_DOCS` documents of each side.
    kind : str
        ``"constant within outlets"`` (no outlet holds both sides), ``"partly shared"``, ``"shared
        outlets"`` (shared outlets hold at least :data:`WITHIN_SHARE` of the documents), ``"one outlet"`` or
        ``"outlets compared"`` (the groups are outlets).
    within : {"outlet", "none"}
        The comparison made: within the strata and pooled, or pooled across outlets.
    chosen : {"auto", "forced"}
    """

    a: str
    b: str
    field: str
    outlets_a: dict[str, int]
    outlets_b: dict[str, int]
    strata: tuple[str, ...]
    kind: str
    within: str
    chosen: str

    @property
    def docs_a(self) -> int:
        return sum(self.outlets_a.values())

    @property
    def docs_b(self) -> int:
        return sum(self.outlets_b.values())

    @property
    def docs_in_strata(self) -> int:
        return sum(self.outlets_a[o] + self.outlets_b[o] for o in self.strata)

    @property
    def unit(self) -> str:
        """``"outlet"`` when outlets carry the comparison (constant or partly shared labels, pooled across
        outlets), ``"document within outlet"`` for a within-outlet comparison, else ``"document"``."""
        if self.within == "outlet":
            return "document within outlet"
        return "outlet" if self.kind in (OUTLET_CONSTANT, PARTLY_SHARED) else "document"

    @property
    def min_p(self) -> float | None:
        """The smallest two-sided p of a permutation of outlets (None unless the outlet is the unit)."""
        return min_outlet_p(len(self.outlets_a), len(self.outlets_b)) if self.unit == "outlet" else None

    @property
    def few_outlets(self) -> bool:
        """Too few outlets on a side to tell house style from the label (see :data:`FEW_OUTLETS`)."""
        return (min(len(self.outlets_a), len(self.outlets_b)) < FEW_OUTLETS
                or min_outlet_p(len(self.outlets_a), len(self.outlets_b)) > 0.05)

    def caveats(self) -> list[str]:
        """Sentences a reader must see beside the comparison (none for a within-outlet one, one outlet, or
        groups that are outlets)."""
        a, b, na, nb = self.a, self.b, len(self.outlets_a), len(self.outlets_b)
        sides = f"{a} comes from {na} outlet{'s' * (na != 1)} ({_listing(self.outlets_a)}) and {b} from {nb} " \
                f"({_listing(self.outlets_b)})"
        if self.kind == OUTLET_CONSTANT:
            if self.few_outlets:
                return [f"{sides}, and no outlet publishes both: the outlet is the unit, and with so few outlets "
                        f"house style and {self.field} cannot be separated (there are only {comb(na + nb, na)} ways "
                        f"to split these {na + nb} outlets {na} against {nb}); a difference may be one outlet's "
                        "house style, not its side's"]
            return [f"{sides}, and no outlet publishes both: the outlet is the unit; a difference is its side's only "
                    f"where it holds across that side's outlets, not in one outlet's house style"]
        if self.kind == PARTLY_SHARED and self.within == "none":
            return [f"Only {self.docs_in_strata} of {self.docs_a + self.docs_b} articles come from outlets that "
                    f"publish both {a} and {b} ({', '.join(self.strata)}); the rest compare outlets as much as "
                    f"{_plural(self.field)}: {sides}. --within outlet compares within the shared outlets only"]
        if self.kind == SHARED and self.within == "none":
            return [f"{a} and {b} share outlets ({', '.join(self.strata)}), but this comparison pools across "
                    f"outlets (--within none): each outlet's house style is mixed into the difference"]
        return []

    def describe(self) -> str:
        """One sentence: which comparison was made, and why."""
        if self.within == "outlet":
            how = "chosen because they hold most of the articles" if self.chosen == "auto" else "as asked"
            return (f"within outlets: {self.a} against {self.b} inside each of {len(self.strata)} outlet(s) that "
                    f"publish both ({', '.join(self.strata)}; {self.docs_in_strata} articles), pooled ({how})")
        return f"across outlets ({self.kind}): {len(self.outlets_a)} outlet(s) against {len(self.outlets_b)}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "within": self.within, "chosen": self.chosen, "unit": self.unit,
                "description": self.describe(),
                "n_outlets_a": len(self.outlets_a), "n_outlets_b": len(self.outlets_b),
                "outlets_a": dict(sorted(self.outlets_a.items())), "outlets_b": dict(sorted(self.outlets_b.items())),
                "strata": [{"outlet": o, "docs_a": self.outlets_a[o], "docs_b": self.outlets_b[o]} for o in self.strata],
                "docs_in_strata": self.docs_in_strata, "min_p": self.min_p, "caveats": self.caveats()}


def pair_design(outlets_a: Iterable[str], outlets_b: Iterable[str], a: str = "A", b: str = "B",
                field: str = "tendency", within: str = "auto") -> PairDesign:
    """The design of a comparison of two groups of documents, from each document's outlet.

    Parameters
    ----------
    outlets_a, outlets_b : iterable of str
        The outlet of each document of side A and of side B (a document on both sides belongs to neither).
    a, b, field : str
        Names, for the result and its sentences.
    within : {"auto", "outlet", "none"}
        ``auto``: within outlets when shared outlets hold at least :data:`WITHIN_SHARE` of the documents
        (for the fields of :data:`AUTO_WITHIN_FIELDS`); ``outlet``: within the shared outlets whatever their
        share; ``none``: across outlets.

    Raises
    ------
    GroupError
        ``within="outlet"`` when the groups are outlets, or when no outlet holds :data:`MIN_STRATUM_DOCS`
        documents of each side.
    """
    if within not in WITHIN:
        raise GroupError(f"Unknown --within {within!r}; use one of: {', '.join(WITHIN)}")
    ca, cb = Counter(outlets_a), Counter(outlets_b)
    strata = tuple(sorted(o for o in ca if ca[o] >= MIN_STRATUM_DOCS and cb.get(o, 0) >= MIN_STRATUM_DOCS))
    n = sum(ca.values()) + sum(cb.values())
    shared_docs = sum(ca[o] + cb[o] for o in strata)
    if field == "outlet":
        kind = OUTLET_GROUPS
    elif len(set(ca) | set(cb)) <= 1:
        kind = ONE_OUTLET
    elif not strata:
        kind = OUTLET_CONSTANT
    elif n and shared_docs / n >= WITHIN_SHARE:
        kind = SHARED
    else:
        kind = PARTLY_SHARED
    if within == "outlet":
        if kind == OUTLET_GROUPS:
            raise GroupError("Outlets cannot be compared within outlets; use --within none, or another --by")
        if not strata:
            raise GroupError(f"No outlet publishes at least {MIN_STRATUM_DOCS} articles of both {a!r} and {b!r}: "
                             "they cannot be compared within outlets; use --within none")
    chosen_within = within == "outlet" or (within == "auto" and kind == SHARED and field in AUTO_WITHIN_FIELDS)
    return PairDesign(a=a, b=b, field=field, outlets_a=dict(ca), outlets_b=dict(cb), strata=strata, kind=kind,
                      within="outlet" if chosen_within else "none", chosen="auto" if within == "auto" else "forced")


def side_masks(docs: DocumentTerms, a: str, b: str | None,
               field: str) -> tuple[np.ndarray, np.ndarray, str, int]:
    """Which documents belong to group ``a`` and which to ``b`` (``None`` or ``"rest"``: every other one).

    A document in both groups (co-authored across them) belongs to neither. Returns ``(in_a, in_b, b_name,
    overlap)``, ``overlap`` the number of documents in both.

    Raises
    ------
    GroupError
        When a group name matches no document (the message lists the known groups), or A and B are one group.
    """
    check_field(field)
    rest = b is None or b.casefold() == "rest"
    if not rest and a.casefold().strip() == b.casefold().strip():  # type: ignore[union-attr]
        raise GroupError(f"Contrast needs two different groups, got {a!r} twice")
    # each distinct value (tuple) is matched once: a selection has few tendencies, outlets or years
    values = ([(v,) for v in docs.labels] if field == "tendency" else [docs.values(i, field) for i in range(len(docs))])
    distinct = Counter(values)
    known: Counter = Counter()
    for key, n in distinct.items():
        for v in set(key):
            known[v] += n
    check_groups([a] if rest else [a, b], known, field)  # type: ignore[list-item]
    side = {key: (group_matches(a, key, field), not rest and group_matches(b, key, field)) for key in distinct}
    in_a = np.fromiter((side[key][0] for key in values), dtype=bool, count=len(values))
    in_b = ~in_a if rest else np.fromiter((side[key][1] for key in values), dtype=bool, count=len(values))
    both = in_a & in_b
    return in_a & ~both, in_b & ~both, "rest" if rest else b, int(both.sum())  # type: ignore[return-value]


def documents_pair_design(docs: DocumentTerms, a: str, b: str | None = None, field: str = "tendency",
                          within: str = "auto") -> PairDesign:
    """:func:`pair_design` of two groups of a selection (``b`` None or ``"rest"``: every other document)."""
    in_a, in_b, b_name, _ = side_masks(docs, a, b, field)
    outlets = np.asarray(docs.outlets, dtype=object)
    return pair_design(outlets[in_a].tolist(), outlets[in_b].tolist(), a, b_name, field, within)


@dataclass(frozen=True)
class LabelDesign:
    """Where the labels of a selection come from, and how they fall across outlets.

    Attributes
    ----------
    field : str
        The label (``tendency``).
    levels : dict of str to int
        Labelled documents per label level (``article``, ``coded``, ``author``, ``outlet``).
    by_outlet : dict of str to dict of str to int
        Labelled documents per outlet and label.
    shared : tuple of str
        Outlets holding at least :data:`MIN_STRATUM_DOCS` documents of two labels or more.
    kind : str
        As :attr:`PairDesign.kind`, over all the labels.
    """

    field: str
    levels: dict[str, int]
    by_outlet: dict[str, dict[str, int]]
    shared: tuple[str, ...]
    kind: str

    @property
    def n_labelled(self) -> int:
        return sum(sum(c.values()) for c in self.by_outlet.values())

    @property
    def docs_in_shared(self) -> int:
        return sum(sum(self.by_outlet[o].values()) for o in self.shared)

    @property
    def source(self) -> str | None:
        """The level most labels come from."""
        return max(sorted(self.levels), key=self.levels.get) if self.levels else None

    @property
    def unit(self) -> str:
        """``"outlet"`` when the label is constant (or nearly) within outlets, else ``"document"``."""
        return "outlet" if self.kind in (OUTLET_CONSTANT, PARTLY_SHARED) else "document"

    @property
    def constant_within_outlets(self) -> bool:
        return self.kind == OUTLET_CONSTANT

    def outlets_per_label(self) -> dict[str, dict[str, int]]:
        """Per label, its documents per outlet."""
        out: dict[str, dict[str, int]] = {}
        for outlet, labels in self.by_outlet.items():
            for label, n in labels.items():
                out.setdefault(label, {})[outlet] = n
        return dict(sorted(out.items()))

    def summary(self) -> str:
        """``"left from 2 outlets (guardian, mirror), right from 6 (...)"``."""
        per = list(self.outlets_per_label().items())
        return ", ".join(f"{label} from {len(o)}{' outlet' + 's' * (len(o) != 1) if i == 0 else ''} ({_listing(o)})"
                         for i, (label, o) in enumerate(per))

    @property
    def few_outlets(self) -> bool:
        per = self.outlets_per_label()
        return bool(per) and min(len(o) for o in per.values()) < FEW_OUTLETS

    def caveats(self, group_by: str) -> list[str]:
        """What a classifier evaluated with folds by ``group_by`` must say about the unit."""
        if self.unit != "outlet":
            return []
        how = ("is constant within outlets" if self.kind == OUTLET_CONSTANT else
               f"is nearly constant within outlets (only {self.docs_in_shared} of {self.n_labelled} labelled "
               f"articles are in outlets that publish two: {', '.join(self.shared)})")
        if group_by != "outlet":
            return [f"The {self.field} {how}: {self.summary()}. Folds by {group_by} put each outlet's articles in "
                    f"training and testing alike, so this score measures house style as much as {self.field}: the "
                    "outlet is the unit; read the score with --by outlet"]
        few = (f"; with so few, house style and {self.field} cannot be separated" if self.few_outlets else "")
        return [f"The outlet is the unit: the {self.field} {how}, so this score rests on "
                f"{len(self.by_outlet)} held-out outlets: {self.summary()}{few}"]

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "kind": self.kind, "unit": self.unit, "source": self.source,
                "label_levels": dict(sorted(self.levels.items())), "n_labelled": self.n_labelled,
                "outlets": {o: dict(sorted(c.items())) for o, c in sorted(self.by_outlet.items())},
                "outlets_per_label": {k: len(v) for k, v in self.outlets_per_label().items()},
                "shared_outlets": list(self.shared), "docs_in_shared_outlets": self.docs_in_shared}


def label_design(docs: DocumentTerms, rows: Sequence[int] | None = None, labels: Sequence[str] | None = None,
                 field: str = "tendency") -> LabelDesign:
    """Where the labels of a selection come from and whether they are constant within outlets.

    Parameters
    ----------
    docs : DocumentTerms
    rows, labels : sequences, optional
        The documents to describe and their labels (as the classifier uses them); default every document
        with its resolved tendency, leaving out ``unlabelled`` and ``mixed``.
    field : str
        The label's name, for sentences.
    """
    if rows is None:
        rows = [i for i, t in enumerate(docs.labels) if t not in NOT_A_CLASS]
    if labels is None:
        labels = [docs.labels[i] for i in rows]
    levels: Counter = Counter(docs.label_levels[i] for i in rows)
    by_outlet: dict[str, Counter] = {}
    for i, label in zip(rows, labels):
        by_outlet.setdefault(docs.outlets[i], Counter())[label] += 1
    shared = tuple(sorted(o for o, c in by_outlet.items() if sum(n >= MIN_STRATUM_DOCS for n in c.values()) >= 2))
    n = len(rows)
    in_shared = sum(sum(by_outlet[o].values()) for o in shared)
    kind = (ONE_OUTLET if len(by_outlet) <= 1 else OUTLET_CONSTANT if not shared
            else SHARED if n and in_shared / n >= WITHIN_SHARE else PARTLY_SHARED)
    return LabelDesign(field=field, levels=dict(levels), by_outlet={o: dict(c) for o, c in by_outlet.items()},
                       shared=shared, kind=kind)
