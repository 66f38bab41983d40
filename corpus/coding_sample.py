"""Drawing a sample of articles for people to code: stratified, seeded, and optionally the least certain.

Articles are grouped into strata by their resolved tendency, outlet and/or period (year); the sample is
shared out over the strata **equally** (each gets as many as it can, the rest going to the larger ones:
small tendencies are then coded often enough to be checked) or **proportionally** to their size (largest
remainders), and drawn within each stratum at random (seeded) or, given a priority per article (the
classifier's certainty), least certain first. The sample's order is shuffled so coders do not meet the
strata one block at a time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from .codebook import CodingError
from .store import CorpusStore

STRATA = ("tendency", "outlet", "period")
ALLOCATIONS = ("equal", "proportional")


@dataclass
class Sample:
    """A drawn sample: the article ids in coding order, and what each stratum held and gave."""

    ids: list[str]
    by: list[str]
    seed: int
    allocation: str
    uncertain: bool = False
    strata: dict[str, dict[str, int]] = field(default_factory=dict)
    excluded_coded: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"articles": len(self.ids), "by": self.by, "seed": self.seed, "allocation": self.allocation,
                "uncertain": self.uncertain, "excluded_coded": self.excluded_coded, "strata": self.strata,
                "ids": self.ids}


def allocate(sizes: Mapping[str, int], n: int, allocation: str = "equal") -> dict[str, int]:
    """How many of ``n`` each stratum gives (never more than it holds).

    Parameters
    ----------
    sizes : mapping of str to int
        Articles available per stratum.
    n : int
    allocation : {"equal", "proportional"}
        ``equal``: the same number from each stratum, a small stratum's shortfall shared among the others;
        ``proportional``: shares of ``n`` by size, rounded by largest remainders.

    Examples
    --------
    >>> allocate({"a": 50, "b": 5, "c": 50}, 30)
    {'a': 13, 'b': 5, 'c': 12}
    """
    if allocation not in ALLOCATIONS:
        raise CodingError(f"unknown allocation {allocation!r}; use {' or '.join(ALLOCATIONS)}")
    keys = sorted(sizes)
    out = {k: 0 for k in keys}
    remaining = min(n, sum(sizes.values()))
    if allocation == "proportional" and remaining:
        total = sum(sizes.values())
        exact = {k: remaining * sizes[k] / total for k in keys}
        out = {k: min(sizes[k], int(exact[k])) for k in keys}
        for k in sorted(keys, key=lambda k: (-(exact[k] - int(exact[k])), -sizes[k], k)):
            if sum(out.values()) >= remaining:
                break
            if out[k] < sizes[k]:
                out[k] += 1
        return out
    open_ = [k for k in keys if sizes[k] > 0]
    while remaining and open_:
        share = remaining // len(open_)
        if share == 0:  # fewer left than open strata: one more each for those with the most left to give
            for k in sorted(open_, key=lambda k: (-(sizes[k] - out[k]), k))[:remaining]:
                out[k] += 1
            break
        for k in open_:
            take = min(share, sizes[k] - out[k])
            out[k] += take
            remaining -= take
        open_ = [k for k in open_ if out[k] < sizes[k]]
    return out


def stratum_of(store: CorpusStore, article: Any, by: Sequence[str]) -> str:
    """The stratum of an article: its values of ``by`` joined with `` / ``."""
    values = []
    for field_ in by:
        if field_ == "tendency":
            values.append(store.tendency(article))
        elif field_ == "outlet":
            values.append(article.outlet)
        else:
            values.append(str(article.year) if article.year else "undated")
    return " / ".join(values)


def draw_sample(store: CorpusStore, n: int, by: Sequence[str] = ("tendency",), seed: int = 0,
                allocation: str = "equal", exclude: Sequence[str] | set[str] = (),
                priority: Mapping[str, float] | None = None, **filters: Any) -> Sample:
    """Draw ``n`` articles to code.

    Parameters
    ----------
    store : CorpusStore
    n : int
    by : sequence of {"tendency", "outlet", "period"}
        The fields whose combinations are the strata (an empty sequence: one stratum).
    seed : int
    allocation : {"equal", "proportional"}
        See :func:`allocate`.
    exclude : collection of str
        Article ids never drawn (those already coded, for ``--exclude-coded``).
    priority : mapping of str to float, optional
        Per article id, lower first (the classifier's margin between its two likeliest tendencies:
        ``--uncertain``); articles without a priority are not drawn. Without it, articles are drawn at random.
    **filters
        The selection (``outlet``, ``tendency``, ``author``, ``since``, ``until``).

    Raises
    ------
    CodingError
        ``n`` is not positive, a field is unknown, or the selection holds no article to draw.
    """
    if n < 1:
        raise CodingError(f"a sample needs at least one article, not {n}")
    unknown = [f for f in by if f not in STRATA]
    if unknown:
        raise CodingError(f"unknown stratum field {unknown[0]!r}; use {', '.join(STRATA)}")
    exclude = set(exclude)
    strata: dict[str, list[str]] = {}
    excluded = 0
    for article in store.articles(**filters, with_text=False):
        if article.id in exclude:
            excluded += 1
            continue
        if priority is not None and article.id not in priority:
            continue
        strata.setdefault(stratum_of(store, article, by), []).append(article.id)
    if not strata:
        why = " that the classifier could score" if priority is not None else ""
        raise CodingError(f"no article{why} left to sample" + (f" ({excluded} already coded are excluded)"
                                                               if excluded else "") + "; widen the selection")
    counts = allocate({k: len(v) for k, v in strata.items()}, n, allocation)
    rng = np.random.default_rng(seed)
    chosen: list[str] = []
    for key in sorted(strata):
        ids = strata[key]
        shuffled = [ids[i] for i in rng.permutation(len(ids))]
        if priority is not None:  # least certain first; the shuffle breaks ties at random
            shuffled.sort(key=lambda i: priority[i])
        chosen += shuffled[:counts[key]]
    order = rng.permutation(len(chosen))
    return Sample(ids=[chosen[i] for i in order], by=list(by), seed=seed, allocation=allocation,
                  uncertain=priority is not None, excluded_coded=excluded,
                  strata={k: {"available": len(strata[k]), "drawn": counts[k]} for k in sorted(strata)})
