"""How the report shows groups: a tendency's display name, colour and order, from the label set alone.

The ``[tendencies]`` table of the labels file (:class:`corpus.labels.TendencyStyle`) is the one source. A
group without a configured colour (a tendency the file does not style, a party of an imported corpus) gets
one of :data:`GROUP_PALETTE`'s distinct hues by its rank among the unstyled groups — largest first when the
report knows the groups' sizes, else by name — skipping hues close to a configured colour; beyond the
palette (or beyond the groups the report names: ``named``) a group is drawn in :data:`OTHER_COLOUR` grey,
so no two named groups share a colour and the many small ones recede. The same name has the same colour in
every chart of a report: the scale plots take their colours from here too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Mapping

from corpus.labels import LabelSet, TendencyStyle

#: Ten distinct hues for the groups a report names (matplotlib's "tab10" without its grey, plus navy).
GROUP_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                 "#bcbd22", "#393b79")
#: The groups a report names by default, at most (one hue each); ``--top-groups N`` sets another number.
MAX_NAMED = len(GROUP_PALETTE)
#: Groups a report does not name (past the palette, or folded into "other").
OTHER_COLOUR = "#b0b0b0"
#: The name a chart gives the groups it folds together.
OTHER = "other"
#: Colours for series that are not groups (topics in a stack, outlets), cycled by sorted name.
PALETTE = GROUP_PALETTE + ("#66a61e", "#a6761d")
#: A palette hue this close (RGB distance) to a configured colour in use is skipped for unstyled groups.
_NEAR = 80


def palette_colours(names: Iterable[str]) -> dict[str, str]:
    """Palette colours for ``names`` by their sorted order: the same set of names, the same colours."""
    return {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(sorted(set(names)))}


def named_groups(sizes: Mapping[str, int], min_support: int, top: int | None = None,
                 styled: Iterable[str] = ()) -> tuple[str, ...]:
    """The groups a report names, largest first.

    Without ``top``: the groups with at least ``min_support`` articles, at most :data:`MAX_NAMED` (one
    distinct hue each), plus every group the labels file styles (a configured name or colour is an
    explicit choice). With ``top`` (``--top-groups N``): the ``N`` largest groups, whatever their size.
    """
    ranked = sorted(sizes, key=lambda k: (-sizes[k], k))
    if top is not None:
        return tuple(ranked[:top])
    styled = set(styled)
    return tuple(k for k in ranked if k in styled) + tuple(
        [k for k in ranked if k not in styled and sizes[k] >= min_support][:MAX_NAMED])


def listing(names: Iterable[str], limit: int = 12) -> str:
    """Names as one line: "A, B, C" or "A, B, … and 31 more" past ``limit``."""
    names = list(names)
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _near(a: str, b: str) -> bool:
    return sum((x - y) ** 2 for x, y in zip(_rgb(a), _rgb(b))) ** 0.5 < _NEAR


@dataclass(frozen=True)
class Styles:
    """Display names, colours and order for the report's tendencies and other groups.

    Parameters
    ----------
    tendencies : mapping of str to TendencyStyle
        The label set's ``[tendencies]`` table.
    known : iterable of str
        Every other name the report may colour (tendencies in the corpus without a style); palette
        colours go to these by rank, so they do not depend on which chart asks first.
    outlets : mapping of str to str
        Outlet id -> display name (the labels file's outlet ``name``).
    sizes : mapping of str to int
        Articles per group, when known: unstyled groups take the palette's hues largest first.
    named : iterable of str, optional
        The unstyled groups the report names (its ``--top-groups``); the others are drawn grey. None: the
        first ten by rank.
    """

    tendencies: Mapping[str, TendencyStyle] = field(default_factory=dict)
    known: frozenset[str] = frozenset()
    outlets: Mapping[str, str] = field(default_factory=dict)
    sizes: Mapping[str, int] = field(default_factory=dict)
    named: tuple[str, ...] | None = None

    @classmethod
    def from_labels(cls, labels: LabelSet, names: Iterable[str] = (), sizes: Mapping[str, int] | None = None
                    ) -> "Styles":
        """Styles from a label set, knowing every tendency it names plus ``names`` (e.g. the corpus's), and
        the groups' ``sizes`` (articles per group) when given."""
        outlets = {key: (label.name or key) for key, label in labels.outlets.items()}
        known = frozenset(labels.tendency_keys()) | frozenset(names) | frozenset(sizes or ())
        return cls(dict(labels.tendencies), known, outlets, dict(sizes or {}))

    def naming(self, named: Iterable[str]) -> "Styles":
        """The same styles, naming only ``named`` (and the groups the labels style): the others are drawn grey
        and folded into "other" in charts and into one line in lists."""
        from dataclasses import replace

        return replace(self, named=tuple(named), known=self.known | frozenset(named))

    def planned(self, min_support: int, top: int | None = None) -> "Styles":
        """The same styles, naming the groups a report can say something about (:func:`named_groups`)."""
        return self.naming(named_groups(self.sizes, min_support, top, styled=self._styled()))

    def is_named(self, key: str) -> bool:
        """Whether the report shows ``key`` on its own (every group, unless :meth:`naming` chose some)."""
        return self.named is None or key in self.named or key in self._styled()

    def fold(self, keys: Iterable[str]) -> list[str]:
        """``keys`` a chart draws: the named ones in display order, then "other" when any is folded."""
        keys = list(dict.fromkeys(keys))
        shown = [k for k in keys if self.is_named(k)]
        return self.ordered(shown) + ([OTHER] if len(shown) < len(keys) else [])

    def folded(self, keys: Iterable[str]) -> list[str]:
        """The ``keys`` a chart folds into "other", largest first."""
        return sorted((k for k in dict.fromkeys(keys) if not self.is_named(k)),
                      key=lambda k: (-self.sizes.get(k, 0), k))

    def fold_values(self, values: Mapping[str, float]) -> dict[str, float]:
        """``{group: value}`` with the groups that are not named summed into "other"."""
        out: dict[str, float] = {}
        for key, value in values.items():
            target = key if self.is_named(key) else OTHER
            out[target] = out.get(target, 0) + value
        return out

    def _styled(self) -> frozenset[str]:
        return frozenset(k for k, s in self.tendencies.items() if s.colour or s.name)

    def outlet_name(self, key: str) -> str:
        """An outlet's display name (its id when the labels give none)."""
        return self.outlets.get(key) or key

    def outlet_colour(self, key: str) -> str:
        """One colour per outlet, the same in every chart: a palette colour by its rank among every outlet
        the labels name (plus ``key``), so it does not depend on which outlets a chart shows."""
        return palette_colours(set(self.outlets) | {key})[key]

    @classmethod
    def default(cls) -> "Styles":
        """Styles from the shipped labels file (``corpus/default_labels.toml``)."""
        return cls.from_labels(LabelSet.default())

    def name(self, key: str) -> str:
        """The display name of ``key`` (the key itself when the label set gives none)."""
        style = self.tendencies.get(key)
        return style.name if style and style.name else key

    def colour(self, key: str) -> str:
        """The configured colour of ``key``; else a distinct hue by its rank among the unstyled groups (grey
        past the palette, for a group the report does not name, and for "other")."""
        style = self.tendencies.get(key)
        if style and style.colour:
            return style.colour
        return self._hues.get(key, OTHER_COLOUR)

    def ordered(self, keys: Iterable[str]) -> list[str]:
        """``keys`` in display order: configured order first, then the largest groups (when sizes are known),
        then by name; "other" last."""
        def rank(key: str) -> tuple[int, int, int, str]:
            style = self.tendencies.get(key)
            order = style.order if style else None
            if key == OTHER:
                return (2, 0, 0, key)
            return (0, order, 0, key) if order is not None else (1, 0, -self.sizes.get(key, 0), key)
        return sorted(dict.fromkeys(keys), key=rank)

    def legend(self, keys: Iterable[str]) -> dict[str, str]:
        """``{display name: colour}`` for ``keys``, in display order (a chart's series and colours)."""
        return {self.name(k): self.colour(k) for k in self.ordered(keys)}

    @cached_property
    def _hues(self) -> dict[str, str]:
        """Unstyled group -> hue, by rank (largest first where sizes are known, then by name), skipping the
        hues close to a configured colour of a known group."""
        present = (lambda k: self.sizes.get(k, 0) > 0) if self.sizes else (lambda k: k in self.known)
        configured = [s.colour for k, s in self.tendencies.items() if s.colour and present(k)]
        free = [c for c in GROUP_PALETTE if not any(_near(c, used) for used in configured)]
        unstyled = [k for k in self.known | frozenset(self.named or ())
                    if k != OTHER and not (k in self.tendencies and self.tendencies[k].colour)]
        ranked = sorted(unstyled, key=lambda k: (-self.sizes.get(k, 0), k))
        if self.named is not None:
            ranked = [k for k in ranked if k in self.named]
        return dict(zip(ranked, free))
