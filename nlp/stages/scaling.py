"""The run's scaling stages: where each tendency stands (Wordfish positions) and what the contested words
mean to each (à-la-carte embeddings)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nlp.documents import DocumentTerms
from nlp.engine import Runtime
from nlp.errors import NlpError
from nlp.meaning.analysis import TermMeaning
from nlp.results import Result
from nlp.scaling.positions import GroupPosition
from nlp.scaling.results import ScalingResult
from nlp.defaults import BOOTSTRAP, MIN_SUPPORT


# ----------------------------------------------------------------------------- positions
@dataclass(frozen=True)
class PositionsParams:
    seed: int = 0
    period: str = "year"
    bootstrap: int = BOOTSTRAP
    min_support: int = MIN_SUPPORT


@dataclass(frozen=True)
class PositionsResult(Result):
    """The corpus scale (every article's position, the words' weights), each tendency's position by period
    and overall, and how the scale was made (``info``: articles and terms fitted on, orientation...)."""

    scale: ScalingResult
    positions: list[GroupPosition]
    info: dict[str, Any]


def positions_stage(docs: DocumentTerms, params: PositionsParams, runtime: Runtime) -> PositionsResult:
    """Wordfish on the terms (at a bounded cost), positions per tendency and period."""
    from nlp.scaling.positions import corpus_scale, group_positions

    scale, info = corpus_scale(docs, seed=params.seed, executor=runtime.executor)
    positions = group_positions(docs, scale, by="tendency", period=params.period, bootstrap=params.bootstrap,
                                seed=params.seed, min_support=params.min_support)
    if not any(p.supported and p.group not in ("mixed", "unlabelled") for p in positions):
        raise NlpError("no labelled tendency has enough articles to place on the scale")
    return PositionsResult(scale=scale, positions=positions, info=info)


# ----------------------------------------------------------------------------- meaning
#: The words the factions share and fight over, read by the "meaning" stage.
CONTESTED = ("pluralism", "socialism", "ownership", "community", "democracy", "power")

#: Word vectors for the meaning stage are trained on at most about this many terms (a seeded sample of
#: whole articles): within the 0.9-1.9M terms on which these settings gave stable vectors (docs/meaning.md),
#: at a bounded cost on a large corpus (about a minute of one core).
MEANING_TRAINING_TERMS = 1_000_000


@dataclass(frozen=True)
class MeaningParams:
    """``background``: a folder of word vectors trained on a larger corpus, and ``background_manifest`` its
    manifest's text (so new vectors in the same folder make a new key)."""

    contested: tuple[str, ...] = CONTESTED
    seed: int = 0
    min_support: int = MIN_SUPPORT
    background: str | None = None
    background_manifest: str | None = None
    n_perm: int = 500
    n_boot: int = 50


@dataclass(frozen=True)
class MeaningResult(Result):
    """What each contested word means to each tendency; words that could not be read, with why."""

    terms: list[TermMeaning]
    skipped: dict[str, str]


def training_sample(docs: Any, max_terms: int, seed: int = 0) -> Any:
    """The documents themselves, or a seeded random sample of whole documents holding about ``max_terms``."""
    if len(docs.tokens) <= max_terms:
        return docs
    order = np.random.default_rng(seed).permutation(len(docs))
    lengths = np.diff(docs.offsets)[order]
    keep = order[: int(np.searchsorted(np.cumsum(lengths), max_terms)) + 1]
    return docs.subset(np.sort(keep))


def meaning_stage(docs: DocumentTerms, params: MeaningParams, runtime: Runtime) -> MeaningResult:
    """Each contested word, where the corpus is large enough to train word vectors (else the stage is skipped,
    and says how to use a background model). Vectors trained on a spare core since preprocessing
    (``runtime.resources["word vectors"]``) are found in the cache; the store is read for example lines."""
    from nlp.meaning import MeaningError, meaning

    training = training_sample(docs, MEANING_TRAINING_TERMS, params.seed)
    prefetched = runtime.resource("word vectors")
    if prefetched is not None:
        prefetched.result()
    terms, skipped = [], {}
    for term in params.contested:
        try:
            terms += meaning(docs, [term], store=runtime.resource("store"), by="tendency", seed=params.seed,
                             training=training, min_support=params.min_support, background=params.background,
                             cache_dir=runtime.cache_dir, n_perm=params.n_perm, n_boot=params.n_boot)
        except MeaningError as exc:
            if "too small" in str(exc) or "background" in str(exc):
                raise  # the whole stage cannot run: say so once
            skipped[term] = str(exc)
    if not terms:
        raise NlpError("none of the contested words is used in this selection")
    return MeaningResult(terms=terms, skipped=skipped)
