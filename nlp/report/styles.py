"""How the report shows groups: a tendency's display name, colour and order, from the label set alone.

The ``[tendencies]`` table of the labels file (:class:`corpus.labels.TendencyStyle`) is the one source. A
group without a configured colour (a tendency the file does not style, a topic) gets a palette colour by
its rank among the sorted names the report declares, so the same name has the same colour in every chart.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from corpus.labels import LabelSet, TendencyStyle

PALETTE = ("#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666", "#1f78b4",
           "#b2df8a", "#fb9a99", "#cab2d6", "#d95f02")


def palette_colours(names: Iterable[str]) -> dict[str, str]:
    """Palette colours for ``names`` by their sorted order: the same set of names, the same colours."""
    return {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(sorted(set(names)))}


@dataclass(frozen=True)
class Styles:
    """Display names, colours and order for the report's tendencies and other groups.

    Parameters
    ----------
    tendencies : mapping of str to TendencyStyle
        The label set's ``[tendencies]`` table.
    known : iterable of str
        Every other name the report may colour (tendencies in the corpus without a style); palette
        colours go to these by sorted name, so they do not depend on which chart asks first.
    """

    tendencies: Mapping[str, TendencyStyle] = field(default_factory=dict)
    known: frozenset[str] = frozenset()
    #: Outlet id -> display name (the labels file's outlet ``name``).
    outlets: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_labels(cls, labels: LabelSet, names: Iterable[str] = ()) -> "Styles":
        """Styles from a label set, knowing every tendency it names plus ``names`` (e.g. the corpus's)."""
        outlets = {key: (label.name or key) for key, label in labels.outlets.items()}
        return cls(dict(labels.tendencies), frozenset(labels.tendency_keys()) | frozenset(names), outlets)

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
        """The configured colour of ``key``, else a palette colour by its rank among the unstyled names."""
        style = self.tendencies.get(key)
        if style and style.colour:
            return style.colour
        return palette_colours(self._unstyled() | {key})[key]

    def ordered(self, keys: Iterable[str]) -> list[str]:
        """``keys`` in display order: configured order first, then by name."""
        def rank(key: str) -> tuple[int, int, str]:
            style = self.tendencies.get(key)
            order = style.order if style else None
            return (0, order, key) if order is not None else (1, 0, key)
        return sorted(dict.fromkeys(keys), key=rank)

    def legend(self, keys: Iterable[str]) -> dict[str, str]:
        """``{display name: colour}`` for ``keys``, in display order (a chart's series and colours)."""
        return {self.name(k): self.colour(k) for k in self.ordered(keys)}

    def _unstyled(self) -> set[str]:
        return {k for k in self.known if not (k in self.tendencies and self.tendencies[k].colour)}
