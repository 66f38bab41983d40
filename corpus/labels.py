"""Tendency labels, resolved per article: coded label, article label, then author label, then outlet default.

Labels are data the researcher edits (a TOML file), never constants in code. A :class:`LabelSet` is built
from the shipped defaults, then the labels loaded into a store, then a file passed for one run; each layer
overrides the one before. Above them all sit the **coded** labels: what the people who coded an article
said (the majority of its coders, or a decision on their tie; see :mod:`corpus.coding`), which the store
adds from its codes.

The same file says how each tendency is shown (its ``[tendencies]`` table: display name, colour and place in
legends and tables); the report takes these from the label set and from nowhere else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Mapping

from .errors import LabelsError
from .tomlfile import read_toml

DEFAULT_LABELS_FILE = Path(__file__).with_name("default_labels.toml")
UNLABELLED = "unlabelled"
KINDS = ("outlet", "author", "article")
SECTIONS = ("outlets", "authors", "articles", "tendencies")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Label:
    tendency: str
    contested: bool = False
    note: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class TendencyStyle:
    """How the report shows one tendency; a field left ``None`` keeps the value of a lower layer.

    Attributes
    ----------
    name : str, optional
        Display name in charts and tables ("Soft left"); the key itself when unset.
    colour : str, optional
        ``#rrggbb``; unset, the report picks a palette colour by the key's name.
    order : int, optional
        Place in legends and tables (lower first); unset tendencies follow, by name.
    """

    name: str | None = None
    colour: str | None = None
    order: int | None = None

    def over(self, base: "TendencyStyle") -> "TendencyStyle":
        """This style with the fields it leaves unset taken from ``base``."""
        return replace(base, **{k: v for k, v in vars(self).items() if v is not None})


@dataclass
class LabelSet:
    """Labels for outlets, authors and articles, and how each tendency is shown.

    Attributes
    ----------
    outlets, authors, articles : dict of str to Label
        Author keys are case-folded names; article keys are article ids or URLs.
    tendencies : dict of str to TendencyStyle
        Display name, colour and order per tendency key (the ``[tendencies]`` table).
    coded : dict of str to Label
        Coded labels by article id (:func:`corpus.coding.coded_labels`); they outrank every other label.
        Never read from or written to a labels file: they come from the corpus' codes.
    """

    outlets: dict[str, Label] = field(default_factory=dict)
    authors: dict[str, Label] = field(default_factory=dict)
    articles: dict[str, Label] = field(default_factory=dict)
    tendencies: dict[str, TendencyStyle] = field(default_factory=dict)
    coded: dict[str, Label] = field(default_factory=dict)

    # -- building -----------------------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: str | Path) -> "LabelSet":
        data = read_toml(path, "labels file", LabelsError, see="corpus/default_labels.toml")
        return cls.from_mapping(data, origin=str(path))

    @classmethod
    def from_mapping(cls, data: Mapping, origin: str = "labels") -> "LabelSet":
        unknown = set(data) - set(SECTIONS)
        if unknown:
            raise LabelsError(f"{origin}: unknown section(s) {', '.join(sorted(unknown))}; use "
                              + ", ".join(f"[{s}]" for s in SECTIONS))
        out = cls()
        for kind, target in (("outlets", out.outlets), ("authors", out.authors), ("articles", out.articles)):
            for key, value in (data.get(kind) or {}).items():
                target[_key(kind, key)] = _parse_label(value, f"{origin}: {kind}.{key}")
        for key, value in (data.get("tendencies") or {}).items():
            out.tendencies[normalise_tendency(key)] = _parse_style(value, f"{origin}: tendencies.{key}")
        return out

    @classmethod
    def default(cls) -> "LabelSet":
        return cls.from_toml(DEFAULT_LABELS_FILE)

    def merged(self, other: "LabelSet") -> "LabelSet":
        """A new set where ``other`` overrides this one, entry by entry (a tendency's style field by field)."""
        return LabelSet(
            outlets={**self.outlets, **other.outlets},
            authors={**self.authors, **other.authors},
            articles={**self.articles, **other.articles},
            tendencies={**self.tendencies,
                        **{k: s.over(self.tendencies.get(k, TendencyStyle())) for k, s in other.tendencies.items()}},
            coded={**self.coded, **other.coded},
        )

    def with_coded(self, coded: dict[str, Label]) -> "LabelSet":
        """This set with ``coded`` as its coded labels (``{}``: the labels the lists alone give)."""
        return replace(self, coded=dict(coded))

    def tendency_keys(self) -> set[str]:
        """Every tendency the set names: styled ones and those any label resolves to."""
        return (set(self.tendencies) | {label.tendency for _, _, label in self.rows()}
                | {label.tendency for label in self.coded.values()})

    def rows(self) -> Iterable[tuple[str, str, Label]]:
        """``(kind, key, label)`` for every entry of the lists (coded labels are not listed: see ``coded``)."""
        for kind, table in (("outlet", self.outlets), ("author", self.authors), ("article", self.articles)):
            for key, label in sorted(table.items()):
                yield kind, key, label

    # -- resolving ----------------------------------------------------------------------------
    def resolve(
        self,
        outlet: str,
        authors: Iterable[str] = (),
        article_label: str | None = None,
        keys: Iterable[str | None] = (),
    ) -> tuple[str, str]:
        """Return ``(tendency, level)``, most specific first.

        Parameters
        ----------
        outlet : str
        authors : iterable of str
        article_label : str, optional
            The label stored with the article (hand-coded or imported).
        keys : iterable of str
            The article's id and URLs, looked up in ``coded`` (by id), then in ``articles``.

        Returns
        -------
        tendency : str
            ``"unlabelled"`` when nothing applies. When an article's authors carry different labels the
            tendency is ``"mixed"``.
        level : {"coded", "article", "author", "outlet", "none"}
        """
        tendency, level, _ = self.explain(outlet, authors, article_label, keys)
        return tendency, level

    def explain(
        self,
        outlet: str,
        authors: Iterable[str] = (),
        article_label: str | None = None,
        keys: Iterable[str | None] = (),
    ) -> tuple[str, str, str | None]:
        """Like :meth:`resolve`, plus the key of the label that decided (``None`` for a stored label)."""
        keys = tuple(keys)
        if self.coded:
            for key in keys:
                if key and key in self.coded:
                    return self.coded[key].tendency, "coded", key
        for key in keys:
            if key and key in self.articles:
                return self.articles[key].tendency, "article", key
        if article_label:
            return article_label, "article", None
        found = {a.casefold(): self.authors[a.casefold()].tendency for a in authors if a.casefold() in self.authors}
        tendencies = set(found.values())
        if len(tendencies) == 1:
            return tendencies.pop(), "author", next(iter(found))
        if len(tendencies) > 1:
            return "mixed", "author", ";".join(sorted(found))
        if outlet in self.outlets:
            return self.outlets[outlet].tendency, "outlet", outlet
        return UNLABELLED, "none", None


def normalise_tendency(value: str) -> str:
    """Trim a label; labels are otherwise kept as written (``Lab`` stays ``Lab``)."""
    return " ".join(str(value).split())


def _key(kind: str, key: str) -> str:
    return key.casefold().strip() if kind == "authors" else key.strip()


def _parse_label(value: object, where: str) -> Label:
    if isinstance(value, str):
        if not value.strip():
            raise LabelsError(f"{where}: empty tendency")
        return Label(normalise_tendency(value))
    if isinstance(value, dict):
        tendency = value.get("tendency")
        if not isinstance(tendency, str) or not tendency.strip():
            raise LabelsError(f"{where}: needs tendency = \"soft_left\" (or another label)")
        return Label(
            normalise_tendency(tendency),
            contested=bool(value.get("contested", False)),
            note=value.get("note"),
            name=value.get("name"),
        )
    raise LabelsError(f"{where}: expected a string or a table with a tendency")


def _parse_style(value: object, where: str) -> TendencyStyle:
    example = 'name = "Soft left", colour = "#d35400", order = 1'
    if not isinstance(value, dict):
        raise LabelsError(f"{where}: expected a table like {{ {example} }}")
    unknown = set(value) - {"name", "colour", "order"}
    if unknown:
        raise LabelsError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; use name, colour, order")
    name, colour, order = value.get("name"), value.get("colour"), value.get("order")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise LabelsError(f"{where}: name must be a non-empty string")
    if colour is not None and not (isinstance(colour, str) and _COLOUR.fullmatch(colour)):
        raise LabelsError(f"{where}: colour must look like \"#d35400\", not {colour!r}")
    if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
        raise LabelsError(f"{where}: order must be a whole number, not {order!r}")
    return TendencyStyle(name=" ".join(name.split()) if name else None, colour=colour and colour.lower(), order=order)
