"""Benchmarks of the ``meaning`` analysis (a plain script, not a test).

    python bench/bench_meaning.py                  # ~1M and ~5M terms, the command's Word2Vec settings
    python bench/bench_meaning.py --quick          # ~0.5M terms, 100 dimensions, 3 epochs (a smoke run)
    python bench/bench_meaning.py --sizes 1000000  # chosen sizes

``run()`` returns rows ``{name, value, unit, target, note}`` for ``bench/run.py``: for each size, the time to
train the word vectors and fit the à-la-carte transform (``train_embeddings``), the time to analyse one term
("ownership", Labour against Conservative, 100 bootstraps, 1,000 permutations, 3 senses) and the peak memory
(RSS) of the whole run. Each size runs in a fresh process so peak memory is its own. Wall-clock seconds are
the figures; the notes add the process's CPU seconds, which say more on a busy machine.

Texts: the UK manifestos in ../shared/data (preprocessed once into a temporary corpus), their documents'
term lists resampled with replacement (seeded) until the size is reached. Without the data nothing runs.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MANIFESTOS = ROOT.parent / "shared" / "data" / "uk-manifestos" / "manifestos.jsonl"
BROKEN = {"UK_natl_1959_en_Con", "UK_natl_1979_en_Lab", "UK_natl_1979_en_Con"}


def export_terms(path: Path) -> int:
    """Preprocess the manifestos into a temporary corpus; write each document's party and terms as JSON lines."""
    from corpus import CorpusStore
    from corpus.io import FieldMap, import_file
    from nlp.documents import load_documents
    from nlp.text.preprocess import preprocess_corpus

    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / "m.jsonl"
        with open(MANIFESTOS, encoding="utf-8") as src, open(clean, "w", encoding="utf-8") as dst:
            dst.writelines(line for line in src if json.loads(line)["doc_id"] not in BROKEN)
        store = CorpusStore(Path(tmp) / "m.db")
        import_file(store, clean, fields=FieldMap(date="Year", label="Party"), outlet="manifestos")
        preprocess_corpus(store)
        docs = load_documents(store, raw=True)
        store.close()
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(len(docs)):
            fh.write(json.dumps({"label": docs.labels[i], "terms": docs.raw_terms(i)}) + "\n")
    return len(docs)


def one_size(terms_file: str, size: int, vector_size: int, epochs: int) -> dict:
    """In a fresh process: resample to ``size`` terms, train, analyse; times and peak memory."""
    import resource

    import numpy as np

    from nlp.documents import DocumentTerms
    from nlp.meaning import analyse_term, train_embeddings

    rows = [json.loads(line) for line in open(terms_file, encoding="utf-8")]
    rng = np.random.default_rng(0)
    picked, total = [], 0
    while total < size:
        row = rows[int(rng.integers(len(rows)))]
        picked.append(row)
        total += len(row["terms"])
    docs = DocumentTerms.from_terms([r["terms"] for r in picked], labels=[r["label"] for r in picked],
                                    raw_terms=[r["terms"] for r in picked])
    t0, c0 = time.perf_counter(), time.process_time()
    emb = train_embeddings(docs, seed=0, min_terms=0, vector_size=vector_size, epochs=epochs)
    train, train_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    result = analyse_term(docs, ["ownership"], emb, groups=["Lab", "Con"], n_boot=100, n_perm=1000, senses=3)
    analyse, analyse_cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"terms": total, "documents": len(docs), "train_s": train, "analyse_s": analyse,
            "train_cpu_s": train_cpu, "analyse_cpu_s": analyse_cpu,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "heldout_cosine": emb.info["fit"]["heldout_cosine"],
            "p": result.comparisons[0].p if result.comparisons else None}


def run(sizes: tuple[int, ...] = (1_000_000, 5_000_000), vector_size: int = 200, epochs: int = 10) -> list[dict]:
    if not MANIFESTOS.is_file():
        return [{"name": "meaning", "value": None, "unit": "", "target": "", "note": "no ../shared/data: skipped"}]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        terms_file = Path(tmp) / "terms.jsonl"
        export_terms(terms_file)
        for size in sizes:
            code = (f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(ROOT / 'bench')!r}); "
                    f"from bench_meaning import one_size; "
                    f"print(json.dumps(one_size({str(terms_file)!r}, {size}, {vector_size}, {epochs})))")
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            note = (f"{r['terms']:,} terms in {r['documents']} resampled manifestos; {vector_size} dims, {epochs} "
                    f"epochs, 1 thread; held-out fit {r['heldout_cosine']}")
            rows += [
                {"name": f"meaning train ({size / 1e6:g}M terms)", "value": round(r["train_s"], 1), "unit": "s",
                 "target": "", "note": f"{note}; CPU {r['train_cpu_s']:.1f} s"},
                {"name": f"meaning analyse one term ({size / 1e6:g}M terms)", "value": round(r["analyse_s"], 1),
                 "unit": "s", "target": "", "note": f"'ownership' Lab vs Con, p = {r['p']}; CPU {r['analyse_cpu_s']:.1f} s"},
                {"name": f"meaning peak memory ({size / 1e6:g}M terms)", "value": round(r["peak_mb"]), "unit": "MB",
                 "target": "", "note": "RSS of the whole process"},
            ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~0.5M terms, 100 dimensions, 3 epochs.")
    parser.add_argument("--sizes", type=int, nargs="+", help="Corpus sizes in terms.")
    args = parser.parse_args()
    if args.quick:
        rows = run(tuple(args.sizes or (500_000,)), vector_size=100, epochs=3)
    else:
        rows = run(tuple(args.sizes or (1_000_000, 5_000_000)))
    for row in rows:
        print(f"{row['name']:<45} {row['value']!s:>8} {row['unit']:<3} {row['note']}")


if __name__ == "__main__":
    main()
