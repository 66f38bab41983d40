"""Benchmark: the scrapers.

(a) Parse throughput: the outlet parsers (``Scraper.parse``: metadata, selectors, trafilatura only as a
    last resort) against ``trafilatura.extract`` (JSON with metadata) on the same fixture pages, as pages
    per second and a ratio (target: at least 3x), plus how many of the fields (title, authors, date,
    body) each gets right against the fixture's known values. Pages are measured as written and padded
    with ~60 KB of page furniture (menus, scripts, footers), closer to a real page's size.
(b) Politeness without serialising everything: four local sites (one server each, so four hosts) with a
    per-host delay d, crawled one after the other and then all at once. The concurrent crawl should take
    about the slowest site's time, not the sum.

    python bench/bench_scrape.py             # d = 0.25 s, 20 parse rounds
    python bench/bench_scrape.py --delay 0.5 --rounds 50
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SITES = ROOT / "tests" / "fixtures" / "sites"
OUTLETS = ("tribune", "labourlist", "chartist", "renewal", "novara", "openlabour", "progressivebritain")
CRAWL_SITES = ("labourlist", "chartist", "openlabour", "progressivebritain")


def _truth() -> dict[str, dict]:
    """Known title/authors/date/first paragraph of every fixture article, keyed by public URL path."""
    sys.path.insert(0, str(SITES))
    import build  # tests/fixtures/sites/build.py: the invented articles

    out = {}
    for outlet, arts in (("tribune", build.TRIBUNE), ("labourlist", build.LABOURLIST), ("chartist", build.CHARTIST),
                         ("renewal", build.RENEWAL), ("novara", build.NOVARA), ("openlabour", build.OPENLABOUR),
                         ("progressivebritain", build.PROGRESSIVE)):
        for a in arts:
            out[(outlet, a["slug"].strip("/"))] = a
    return out


def _pages(pad: int = 0) -> list[tuple[str, str, str, dict]]:
    """``(outlet, url, html, truth)`` for every fixture article page."""
    truth = _truth()
    furniture = ""
    if pad:
        menu = "".join(f'<li class="menu-item"><a href="/section-{i}/">Section {i}</a></li>' for i in range(200))
        script = "<script>window.__cfg = " + json.dumps({"k%d" % i: "v" * 40 for i in range(400)}) + ";</script>"
        foot = "".join(f'<div class="widget"><h4>Widget {i}</h4><p>Links and blurbs {i}</p></div>' for i in range(150))
        furniture = (f'<header class="mega"><ul>{menu}</ul></header>{script}', f'<footer class="big">{foot}</footer>')
    out = []
    for outlet in OUTLETS:
        manifest = json.loads((SITES / outlet / "site.json").read_text())
        for path, route in manifest["routes"].items():
            key = (outlet, path.strip("/"))
            if key not in truth or "file" not in route:
                continue
            html = (SITES / outlet / route["file"]).read_text(encoding="utf-8")
            if furniture:
                html = html.replace("<body>", "<body>" + furniture[0], 1).replace("</body>", furniture[1] + "</body>", 1)
            out.append((outlet, manifest["public"] + path, html, truth[key]))
    return out


def _score(title, authors, date, text, truth) -> int:
    """Fields right: title, authors (as a set), date (the day), body (first paragraph in, no boilerplate)."""
    ok = int((title or "").strip() == truth["title"])
    ok += int({a.strip() for a in authors} == set(truth["authors"]))
    ok += int(bool(date) and str(date)[:10] == truth["date"][:10])
    first = truth["paras"][0]
    clean = not any(j in (text or "") for j in ("DONATE HERE", "READ MORE", "reader comment", "Share this"))
    ok += int(first in (text or "") and clean) if not truth.get("paywalled") else int(clean)
    return ok


def bench_parse(rounds: int, pad: int) -> list[dict]:
    import trafilatura

    from scrapers import get_scraper

    pages = _pages(pad)
    scrapers = {o: get_scraper(o) for o in OUTLETS}
    ours_score = traf_score = 0
    for outlet, url, html, truth in pages:
        a = scrapers[outlet].parse(html, url)
        ours_score += _score(a.title, a.authors, a.published, a.text, truth)
        doc = json.loads(trafilatura.extract(html, url=url, output_format="json", with_metadata=True) or "{}")
        authors = [x.strip() for x in (doc.get("author") or "").replace(" and ", ";").split(";") if x.strip()]
        traf_score += _score(doc.get("title"), authors, doc.get("date"), doc.get("text"), truth)

    t0 = time.perf_counter()
    for _ in range(rounds):
        for outlet, url, html, _truth in pages:
            scrapers[outlet].parse(html, url)
    ours = rounds * len(pages) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(rounds):
        for _outlet, url, html, _truth in pages:
            trafilatura.extract(html, url=url, output_format="json", with_metadata=True)
    traf = rounds * len(pages) / (time.perf_counter() - t0)
    size = sum(len(p[2]) for p in pages) // len(pages) // 1024
    label = f"{len(pages)} fixture pages, ~{size} KB each"
    total = 4 * len(pages)
    return [
        {"name": f"parse: outlet parsers ({'padded' if pad else 'as written'})", "value": round(ours, 1),
         "unit": "pages/s", "target": "", "note": label},
        {"name": f"parse: trafilatura.extract ({'padded' if pad else 'as written'})", "value": round(traf, 1),
         "unit": "pages/s", "target": "", "note": "JSON output with metadata"},
        {"name": f"parse: speed ratio ({'padded' if pad else 'as written'})", "value": round(ours / traf, 2),
         "unit": "x", "target": ">= 3", "note": "outlet parsers / trafilatura"},
        {"name": f"parse: fields right ({'padded' if pad else 'as written'})",
         "value": f"{ours_score}/{total} vs {traf_score}/{total}", "unit": "fields", "target": "ours >= trafilatura",
         "note": "title, authors, date, clean body; outlet parsers vs trafilatura"},
    ]


def bench_crawl(delay: float) -> list[dict]:
    import tempfile

    sys.path.insert(0, str(ROOT))
    from corpus import CorpusStore
    from scrapers import CrawlOptions, FetchConfig, get_scraper, scrape
    from tests.scrapers.siteserver import SiteServer

    servers = {name: SiteServer(name).start() for name in CRAWL_SITES}
    options = CrawlOptions(fetch=FetchConfig(delay=delay, timeout=5, max_retries=1, backoff=0.05))
    try:
        alone = {}
        with tempfile.TemporaryDirectory() as tmp:
            for name, server in servers.items():
                store = CorpusStore(Path(tmp) / f"{name}.db")
                t0 = time.perf_counter()
                result = scrape(store, [get_scraper(name, base_url=server.url)], options)
                alone[name] = time.perf_counter() - t0
                assert result.outlets[name].new > 0
                store.close()
            requests = {name: len(s.log) for name, s in servers.items()}
            store = CorpusStore(Path(tmp) / "all.db")
            t0 = time.perf_counter()
            result = scrape(store, [get_scraper(n, base_url=s.url) for n, s in servers.items()], options)
            together = time.perf_counter() - t0
            collected = sum(s.new for s in result.outlets.values())
            store.close()
        overlap = max(s.max_in_flight for s in servers.values())
    finally:
        for s in servers.values():
            s.stop()
    slowest, total = max(alone.values()), sum(alone.values())
    return [
        {"name": "crawl: 4 sites one after another", "value": round(total, 2), "unit": "s", "target": "",
         "note": f"per-host delay {delay}s; requests per site {sorted(requests.values())}"},
        {"name": "crawl: slowest site alone", "value": round(slowest, 2), "unit": "s", "target": "", "note": ""},
        {"name": "crawl: 4 sites at once", "value": round(together, 2), "unit": "s", "target": "~ slowest site",
         "note": f"{collected} articles; max requests in flight per host: {overlap}"},
        {"name": "crawl: at once / slowest", "value": round(together / slowest, 2), "unit": "x", "target": "~ 1",
         "note": f"at once / sum = {together / total:.2f}"},
    ]


def run(delay: float = 0.25, rounds: int = 20) -> list[dict]:
    """Rows of name, value, unit, target, note (see the module docstring)."""
    return [*bench_parse(rounds, pad=0), *bench_parse(max(1, rounds // 2), pad=60_000), *bench_crawl(delay)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=0.25, help="per-host delay d for the crawl benchmark")
    parser.add_argument("--rounds", type=int, default=20, help="passes over the fixture pages when timing parsers")
    args = parser.parse_args()
    for row in run(args.delay, args.rounds):
        value = row["value"]
        print(f"{row['name']:<44} {value!s:>14} {row['unit']:<8} {row['target']:<22} {row['note']}")


if __name__ == "__main__":
    main()
