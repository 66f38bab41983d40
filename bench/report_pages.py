"""The report as a reader meets it: the demo and the 101 UK manifestos, screenshotted at 1280 and 390 px.

A plain script, not a test (a whole run on the manifestos takes minutes). For each report it prints what issue
26's acceptance checks — the title's lines at 1280 px, the bullets of "Findings at a glance", the page's
height in screens (its height over the window's), the file's size — and whether the first section states a
supported change; the screenshots land in ``bench/results/report_pages/``. The manifestos come from
``../shared/data`` (skipped where it is absent); Debian's ``chromium`` and Playwright are needed.

    python bench/report_pages.py              # both
    python bench/report_pages.py --demo-only
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "uk-manifestos" / "manifestos.jsonl"
OUT = ROOT / "bench" / "results" / "report_pages"
WIDTHS = ((1280, 900), (390, 844))
MEASURE = """(() => {
  const h1 = document.querySelector('h1');
  const now = document.querySelector('#now');
  return {height: document.documentElement.scrollHeight,
          title: h1.textContent,
          title_lines: Math.round(h1.getBoundingClientRect().height / parseFloat(getComputedStyle(h1).lineHeight)),
          findings: document.querySelectorAll('#findings li').length,
          now_states: now ? now.querySelectorAll('li .up, li .down').length : 0,
          sections: [...document.querySelectorAll('main section')].map(s => s.id)}; })()"""


def cli(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "-q", *args], check=True, cwd=ROOT)


def measure(report: Path, name: str) -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for width, height in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(report.resolve().as_uri())
            page.wait_for_load_state("load")
            m = page.evaluate(MEASURE)
            page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=True)
            page.screenshot(path=str(OUT / f"{name}-{width}-first-screen.png"))
            print(json.dumps({"report": name, "width": width, "screens": round(m["height"] / height, 1),
                              "height_px": m["height"], "title": m["title"], "title_lines": m["title_lines"],
                              "findings": m["findings"], "first_section": m["sections"][0],
                              "moves_stated_first": m["now_states"],
                              "size_mb": round(report.stat().st_size / 1e6, 2)}, ensure_ascii=False))
            page.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cli("demo", "-o", f"{tmp}/demo")
        measure(Path(tmp) / "demo" / "report.html", "demo")
        if args.demo_only:
            return
        if not DATA.is_file():
            print(f"skipped the manifestos: {DATA} is absent")
            return
        db = f"{tmp}/m.db"
        cli("--db", db, "corpus", "import", str(DATA), "--label-field", "Party", "--date-field", "Year",
            "--title-field", "doc_id")
        cli("--db", db, "run", "-o", f"{tmp}/manifestos")
        measure(Path(tmp) / "manifestos" / "report.html", "manifestos")


if __name__ == "__main__":
    main()
