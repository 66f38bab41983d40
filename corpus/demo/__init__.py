"""The bundled demo corpus: SYNTHETIC articles, written for softleft's demo.

Every outlet, author and article in ``articles/`` is invented; nothing is copied from a real outlet.
See ``README.md`` in this folder.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from ..dates import parse_date
from ..errors import CorpusError
from ..labels import LabelSet
from ..models import Article

DEMO_DIR = Path(__file__).parent
ARTICLES_DIR = DEMO_DIR / "articles"
LABELS_FILE = DEMO_DIR / "labels.toml"
HEADER_KEYS = ("outlet", "title", "authors", "published", "section", "tags", "tendency")
NOTICE = "Synthetic demo corpus: invented outlets, authors and articles written for softleft's demo."


def parse_demo_file(path: Path) -> Article:
    """Read one demo article (a ``key: value`` header, a ``---`` line, then the body)."""
    raw = path.read_text(encoding="utf-8")
    head, sep, body = raw.partition("\n---\n")
    if not sep:
        raise CorpusError(f"{path.name}: no '---' line between header and body")
    meta: dict[str, str] = {}
    for line in head.splitlines():
        if line.strip():
            key, _, value = line.partition(":")
            meta[key.strip().lower()] = value.strip()
    missing = [k for k in ("outlet", "title", "authors", "published") if not meta.get(k)]
    if missing:
        raise CorpusError(f"{path.name}: header lacks {', '.join(missing)}")
    published, _ = parse_date(meta["published"])
    text = "\n\n".join(" ".join(p.split()) for p in body.strip().split("\n\n") if p.strip())
    return Article(
        outlet=meta["outlet"],
        title=meta["title"],
        authors=tuple(a.strip() for a in meta["authors"].split(";")),
        published=published,
        section=meta.get("section") or None,
        tags=tuple(t.strip() for t in meta.get("tags", "").split(",")),
        label=meta.get("tendency") or None,
        text=text,
        url=f"https://demo.invalid/{meta['outlet']}/{path.stem}",
        source="demo",
        metadata={"synthetic": True, "demo_file": path.name},
    )


def iter_demo_articles() -> Iterator[Article]:
    """Every demo article, in file-name (date) order."""
    for path in sorted(ARTICLES_DIR.glob("*.md")):
        yield parse_demo_file(path)


def demo_labels() -> LabelSet:
    """The demo outlets' default tendencies and the Labour Ledger authors' labels."""
    return LabelSet.from_toml(LABELS_FILE)


def fill_demo(store: Any) -> Any:
    """Load the demo labels and add every demo article to ``store``; the store's ``AddResult``."""
    store.load_labels(demo_labels())
    return store.add_many(iter_demo_articles())
