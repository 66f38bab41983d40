"""Article-body extraction on real pages: ``scrapers.parse_page`` against other extractors, side by side.

The pages are the test pages that extraction libraries ship, with their expected texts, in their source
distributions on PyPI. They are downloaded at run time (``pip download --no-binary :all:``) into
``bench/.cache/extract`` (git-ignored) and never committed. Sources looked at (see docs/benchmarks.md):
newspaper4k ships 25 page/expected-text pairs (``tests/data/html`` + ``tests/data/txt``);
trafilatura, goose3, readability-lxml, jusText and boilerpy3 ship no page/expected-text pairs in theirs.

Development and held-out pages are reported apart: rules in ``scrapers/body.py`` were developed on the
CNN pages only (``--dev-sites``); every other site is held out, and non-English pages are a third group.
Scores: body precision, recall and F1 over 4-gram word shingles (CJK characters count as words), each
averaged over pages, and F1 from the mean precision and recall; pages per second; pages that crashed.

    python bench/bench_extract.py                  # the table (downloads about 4 MB once)
    python bench/bench_extract.py --json out.json  # and every page's scores

Extractors beyond trafilatura (installed only for the bench: ``pip install -r bench/requirements.txt``)
are skipped with a note when missing.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CACHE = ROOT / "bench" / ".cache" / "extract"
SOURCES = {"newspaper4k": "newspaper4k==0.9.6"}
DEV_SITES = ("cnn",)
#: Pages whose expected text is not an article body (a front page, a feed, redirects, a video stub).
NOT_ARTICLES = {"cnn_main_site", "sample_rss", "ap_meta_refresh", "google_meta_refresh", "cnn_summary"}
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f\u1000-\u109f"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+", re.UNICODE)


@dataclass
class Page:
    source: str
    name: str
    html: str
    expected: str
    group: str  # "dev", "held-out", "held-out non-English"


# -- data ------------------------------------------------------------------------------------------
def download(spec: str) -> Path:
    """The sdist of ``spec`` in the cache (downloaded once with pip)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    name = spec.split("==")[0]
    found = sorted(CACHE.glob(f"{name.replace('-', '_')}-*.tar.gz")) + sorted(CACHE.glob(f"{name}-*.tar.gz"))
    if found:
        return found[0]
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                    spec, "-d", str(CACHE)], check=True)
    return download(spec)


def _english(text: str) -> bool:
    words = re.findall(r"[A-Za-z]+", text)
    return len(words) > 0.6 * max(1, len(_TOKEN.findall(text))) and \
        sum(w.lower() in ("the", "and", "of", "to", "a", "in") for w in words) > 0.05 * len(words)


def newspaper4k_pages(sdist: Path) -> list[Page]:
    pages = []
    with tarfile.open(sdist) as tar:
        members = {m.name: m for m in tar.getmembers()}
        for name, member in sorted(members.items()):
            m = re.search(r"/tests/data/html/([^/]+)\.html$", name)
            if not m or m.group(1) in NOT_ARTICLES:
                continue
            stem = m.group(1)
            txt = next((members[k] for k in members if k.endswith(f"/tests/data/txt/{stem}.txt")), None)
            if txt is None:
                continue
            html = tar.extractfile(member).read().decode("utf-8", "replace")
            expected = tar.extractfile(txt).read().decode("utf-8", "replace")
            if len(_TOKEN.findall(expected)) < 50:
                continue
            group = "dev" if stem.startswith(DEV_SITES) else \
                ("held-out" if _english(expected) else "held-out non-English")
            pages.append(Page("newspaper4k", stem, html, expected, group))
    return pages


def load_pages() -> list[Page]:
    return newspaper4k_pages(download(SOURCES["newspaper4k"]))


# -- scoring ---------------------------------------------------------------------------------------
def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    tokens = [t.lower() for t in _TOKEN.findall(text or "")]
    if len(tokens) < n:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def score(predicted: str, expected: str) -> tuple[float, float, float]:
    got, want = shingles(predicted), shingles(expected)
    if not got and not want:
        return 1.0, 1.0, 1.0
    if not got or not want:
        return (0.0 if got else 1.0), 0.0, 0.0
    common = len(got & want)
    p, r = common / len(got), common / len(want)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# -- extractors ------------------------------------------------------------------------------------
def extractors() -> dict[str, Callable[[str, str], str]]:
    out: dict[str, Callable[[str, str], str]] = {}
    from scrapers import parse_page

    out["parse_page"] = lambda html, url: parse_page(html, url).text

    import trafilatura

    out["trafilatura"] = lambda html, url: trafilatura.extract(html, url=url) or ""
    try:
        from readability import Document

        import lxml.html

        def readability(html: str, url: str) -> str:
            summary = Document(html, url=url).summary(html_partial=True)
            return "\n\n".join(t.strip() for t in lxml.html.fromstring(summary).itertext() if t.strip())

        out["readability-lxml"] = readability
    except ImportError:
        print("readability-lxml not installed: pip install -r bench/requirements.txt", file=sys.stderr)
    try:
        import justext

        def jus(html: str, url: str) -> str:
            paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist("English"))
            return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)

        out["justext"] = jus
    except ImportError:
        print("justext not installed: pip install -r bench/requirements.txt", file=sys.stderr)
    return out


def run(pages: list[Page], names: list[str] | None = None) -> dict:
    results: dict = {"pages": {}, "table": []}
    for name, extract in extractors().items():
        if names and name not in names:
            continue
        per_group: dict[str, list] = {}
        crashes, started = 0, time.perf_counter()
        for page in pages:
            url = f"https://{page.name.split('_')[0]}.example/{page.name}"
            try:
                text = extract(page.html, url)
            except Exception as exc:  # a crash is a result, not a stop
                crashes += 1
                text = ""
                print(f"{name} crashed on {page.name}: {exc!r}", file=sys.stderr)
            p, r, f = score(text, page.expected)
            per_group.setdefault(page.group, []).append((p, r, f))
            per_group.setdefault("all", []).append((p, r, f))
            results["pages"].setdefault(page.name, {})[name] = {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3)}
        seconds = time.perf_counter() - started
        for group, rows in per_group.items():
            mp = sum(x[0] for x in rows) / len(rows)
            mr = sum(x[1] for x in rows) / len(rows)
            results["table"].append({
                "extractor": name, "group": group, "pages": len(rows), "precision": mp, "recall": mr,
                "f1": 2 * mp * mr / (mp + mr) if mp + mr else 0.0, "mean_page_f1": sum(x[2] for x in rows) / len(rows),
                "pages_per_s": len(pages) / seconds if group == "all" else None, "crashes": crashes if group == "all" else None})
    return results


def print_table(results: dict) -> None:
    order = ["dev", "held-out", "held-out non-English", "all"]
    print(f"{'group':<22}{'extractor':<18}{'pages':>6}{'precision':>11}{'recall':>8}{'F1':>7}{'page F1':>9}"
          f"{'pages/s':>9}{'crashes':>9}")
    for group in order:
        for row in (r for r in results["table"] if r["group"] == group):
            pps = f"{row['pages_per_s']:.1f}" if row["pages_per_s"] is not None else ""
            crashes = str(row["crashes"]) if row["crashes"] is not None else ""
            print(f"{group:<22}{row['extractor']:<18}{row['pages']:>6}{row['precision']:>11.3f}{row['recall']:>8.3f}"
                  f"{row['f1']:>7.3f}{row['mean_page_f1']:>9.3f}{pps:>9}{crashes:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", help="Also write every page's scores to this file.")
    parser.add_argument("--only", nargs="*", help="Only these extractors.")
    parser.add_argument("--pages", action="store_true", help="Print every page's F1 per extractor.")
    args = parser.parse_args()
    pages = load_pages()
    print(f"{len(pages)} pages: " + ", ".join(f"{g} {sum(p.group == g for p in pages)}"
                                              for g in ("dev", "held-out", "held-out non-English")))
    results = run(pages, args.only)
    if args.pages:
        for name, scores in results["pages"].items():
            print(f"{name:<28}" + "  ".join(f"{k} {v['f1']:.3f}" for k, v in scores.items()))
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
