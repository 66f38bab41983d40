"""Which body to keep, chosen per page by evidence: :func:`choose_body`.

A page gives up to four readings of its body: the outlet's CSS selectors (for an outlet added by
configuration, generic WordPress-style ones), trafilatura in its default (balanced) mode, trafilatura
favouring precision, and JSON-LD ``articleBody``. None is right on every page: selectors match
containers full of furniture (related links, teasers) or, after a redesign, nothing or the wrong thing;
trafilatura's balanced mode keeps some furniture and occasionally drops paragraphs. So the body is not
picked by a word-count threshold but by agreement between the readings, measured on word 4-gram
shingles:

* An outlet with its own selectors keeps the selector body while it agrees with the generic reading
  (it covers most of the precise generic text, and most of it is text the generic extractor also
  found). When it does not, the page falls back to the generic body and the field is flagged as drift
  (``metadata["drift"]``); a crawl counts those pages per outlet.
* Otherwise the body is the consensus: paragraphs that at least two independent readings share, plus
  paragraphs the selectors found between two agreed ones that read as prose (low link density), so a
  paragraph the generic extractor dropped in the middle of an article comes back while the furniture
  around an article does not.

Pure: text in, text out (paragraphs separated by blank lines).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

__all__ = ["BodyChoice", "Block", "agreement", "choose_body", "key", "shingles"]

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f\u1000-\u109f"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+", re.UNICODE)
N = 4
#: A line counts as found in another reading when this share of its shingles is there.
SUPPORTED = 0.5
#: The selector body agrees with the generic one when it covers this share of the precise generic text
#: and this share of its own text is text the balanced generic extractor found too.
AGREE_COVER = 0.6
AGREE_PURITY = 0.6
#: A paragraph with more than this share of its text inside links is furniture (menus, teasers, tag
#: lists), whichever reading holds it.
LINK_FURNITURE = 0.5
#: A paragraph only the selectors found is kept between two agreed paragraphs when at most this share of
#: its text is link text, and it has at least this many words.
PROSE_LINK_SHARE = 0.2
PROSE_WORDS = 12


@dataclass(frozen=True)
class Block:
    """A paragraph the selectors found, with the share of its text that is link text."""

    text: str
    link_share: float = 0.0


@dataclass
class BodyChoice:
    """The body kept, the layer it came from and the evidence for it (stored as ``metadata["body"]``)."""

    text: str
    layer: str  # "selectors", "generic", "consensus", "json-ld" or "none"
    reason: str
    agreement: float | None = None  # F1 of the selector body's and the generic body's shingles
    drift: bool = False  # the outlet's own selectors disagreed with the generic reading
    words: dict[str, int] = field(default_factory=dict)

    def evidence(self) -> dict[str, Any]:
        return {"layer": self.layer, "reason": self.reason,
                "agreement": None if self.agreement is None else round(self.agreement, 3),
                "drift": self.drift, "words": self.words}


def tokens(text: str) -> list[str]:
    """Lower-cased words (each CJK or Thai character counts as one)."""
    return [t.lower() for t in _TOKEN.findall(text or "")]


def shingles(text: str | Sequence[str], n: int = N) -> set[tuple[str, ...]]:
    """The set of word ``n``-grams of a text (a short text is one shingle of all its words)."""
    toks = tokens(text) if isinstance(text, str) else list(text)
    if len(toks) < n:
        return {tuple(toks)} if toks else set()
    return {tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)}


def _share(a: set, b: set) -> float:
    """The share of ``a`` found in ``b`` (0 for an empty ``a``)."""
    return len(a & b) / len(a) if a else 0.0


def agreement(a: str, b: str) -> float:
    """F1 between two texts' shingle sets: 1 for the same text, 0 for nothing in common."""
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    common = len(sa & sb)
    return 2 * common / (len(sa) + len(sb))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"\n\s*\n|\n", text or "") if line.strip()]


def key(text: str) -> str:
    """A paragraph's text as readings are matched on (lower case, words only)."""
    return " ".join(tokens(text))


def _prose(text: str, links: dict[str, float]) -> str:
    """A reading without the paragraphs the page has inside links (its furniture)."""
    if not links:
        return text
    return "\n\n".join(line for line in _lines(text) if links.get(key(line), 0.0) <= LINK_FURNITURE)


def _supported(line: str, others: Sequence[tuple[set, str]]) -> bool:
    """Whether another reading holds ``line`` (most of its shingles, or all of a short line's text)."""
    own = shingles(line)
    if not own:
        return False
    if len(tokens(line)) < N:
        key = " ".join(tokens(line))
        return any(key in text for _, text in others)
    return any(_share(own, sh) >= SUPPORTED for sh, _ in others)


def _consensus(blocks: Sequence[Block], balanced: str, precise: str, json_ld: str) -> tuple[str, str]:
    """Paragraphs two readings share, in the order of the reading that holds most of them."""
    sel_text = "\n\n".join(b.text for b in blocks)
    readings = {"selectors": sel_text, "precise": precise, "json-ld": json_ld}
    norm = {k: (shingles(v), " ".join(tokens(v))) for k, v in readings.items() if v}
    core = shingles(precise) | shingles(json_ld) or shingles(balanced)
    if blocks and _share(core, norm["selectors"][0]) >= 0.8 and balanced:
        # The selectors hold the article: keep their paragraphs the generic reading confirms, and the
        # prose between two confirmed ones (a paragraph the generic extractor dropped).
        generic = [(shingles(balanced), " ".join(tokens(balanced)))]
        generic += [norm[k] for k in ("precise", "json-ld") if k in norm]
        confirmed = [_supported(b.text, generic) for b in blocks]
        if any(confirmed):
            first = confirmed.index(True)
            last = len(confirmed) - 1 - confirmed[::-1].index(True)
            kept = [b.text for i, b in enumerate(blocks) if confirmed[i] or (
                first < i < last and b.link_share <= PROSE_LINK_SHARE and len(tokens(b.text)) >= PROSE_WORDS)]
            return "\n\n".join(kept), "selector paragraphs the generic reading confirms"
    lines = _lines(balanced)
    others = [norm[k] for k in ("selectors", "precise", "json-ld") if k in norm]
    kept = [line for line in lines if _supported(line, others)]
    if not kept:
        return "\n\n".join(lines), "no second reading confirms the generic body"
    return "\n\n".join(kept), "generic paragraphs a second reading confirms"


def choose_body(blocks: Sequence[Block], balanced: str, precise: str = "", json_ld: str = "",
                own_selectors: bool = False, links: dict[str, float] | None = None) -> BodyChoice:
    """The body of a page from its readings.

    Parameters
    ----------
    blocks : sequence of Block
        The selector body's paragraphs, in page order (empty when the selectors matched nothing).
    balanced, precise : str
        trafilatura's body in its default mode and favouring precision (paragraphs one per line).
    json_ld : str
        The page's JSON-LD ``articleBody``, if any.
    own_selectors : bool
        The outlet has body selectors of its own: they win while they agree with the generic reading,
        and a disagreement is drift.
    links : dict, optional
        ``key(paragraph) -> share of its text inside links`` for every paragraph of the page: a
        paragraph that is mostly links is furniture in any reading.

    Returns
    -------
    BodyChoice
    """
    selected = "\n\n".join(b.text for b in blocks)
    generic = balanced or precise or json_ld
    words = {"selectors": len(tokens(selected)), "generic": len(tokens(balanced)),
             "precise": len(tokens(precise)), "json_ld": len(tokens(json_ld))}
    if not generic:
        return BodyChoice(selected, "selectors" if selected else "none",
                          "the generic extractor found nothing" if selected else "no reading found a body",
                          words=words)
    if not selected:
        layer = "generic" if balanced or precise else "json-ld"
        return BodyChoice(generic if not own_selectors else (precise or generic), layer,
                          "the selectors matched nothing", agreement=0.0 if own_selectors else None,
                          drift=own_selectors, words=words)
    agree = agreement(selected, generic)
    links = links or {}
    # Measured on prose: a selector body of teaser links agrees with nothing, even where the generic
    # extractor was fooled by the same links.
    sel_sh = shingles(selected)
    sel_prose = shingles("\n\n".join(b.text for b in blocks if b.link_share <= LINK_FURNITURE))
    cover = _share(shingles(_prose(precise, links) or _prose(generic, links)), sel_prose)
    purity = _share(sel_sh, shingles(_prose(balanced or generic, links)) | shingles(json_ld))
    if own_selectors:
        if cover >= AGREE_COVER and purity >= AGREE_PURITY:
            return BodyChoice(selected, "selectors", "the selector body agrees with the generic reading",
                              agreement=agree, words=words)
        text, why = _consensus((), _prose(balanced, links) or _prose(precise, links) or balanced,
                               _prose(precise, links), json_ld)
        return BodyChoice(text, "generic", f"the selector body disagrees with the generic reading "
                          f"(covers {cover:.0%} of it, {purity:.0%} of it confirmed); {why}",
                          agreement=agree, drift=True, words=words)
    prose = [b for b in blocks if b.link_share <= LINK_FURNITURE]
    balanced_prose, precise_prose = _prose(balanced, links), _prose(precise, links)
    if not balanced_prose and not precise_prose:
        balanced_prose, precise_prose = balanced, precise  # nothing but links: no evidence to go on
    text, why = _consensus(prose, balanced_prose or precise_prose, precise_prose if balanced_prose else "", json_ld)
    return BodyChoice(text, "consensus", why, agreement=agree, words=words)
