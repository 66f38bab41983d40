"""The validation suite: the analyses on real public texts, each check printed with its figure.

Runs on ``../shared/data`` (the UK manifestos 1945-2005 and the Irish budget 2010 speeches) and skips
cleanly where it is absent. A plain script, not a test: it prints what a researcher would check before
trusting the toolkit on their own corpus, and exits 1 if a check fails.

    python bench/validity.py            # every check (a few minutes on two cores)
    python bench/validity.py --quick    # fewer topics, passes and seeds
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
IRISH = {"Lenihan, Brian (FF)": 1.794, "Cowen, Brian (FF)": 1.778, "Gormley, John (Green)": 1.184,
         "Cuffe, Ciaran (Green)": 0.715, "Ryan, Eamon (Green)": 0.147, "OCaolain, Caoimhghin (SF)": -0.040,
         "Morgan, Arthur (SF)": -0.078, "ODonnell, Kieran (FG)": -0.476, "Gilmore, Eamon (LAB)": -0.584,
         "Bruton, Richard (FG)": -0.622, "Kenny, Enda (FG)": -0.754, "Quinn, Ruairi (LAB)": -0.926,
         "Higgins, Michael (LAB)": -1.004, "Burton, Joan (LAB)": -1.135}
#: Party leaders 1945-2005 whose surnames must not land at the other party's pole in a Lab/Con contrast.
LEADERS = {"Lab": ["attlee", "gaitskell", "wilson", "callaghan", "foot", "kinnock", "smith", "blair"],
           "Con": ["churchill", "eden", "macmillan", "douglas", "heath", "thatcher", "major", "hague",
                   "duncan", "howard"]}

results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, figure: str) -> None:
    results.append((name, ok, figure))
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {figure}", flush=True)


def manifestos(tmp: Path) -> Path:
    """Labour, Conservative and Liberal (Democrat) manifestos, without the known defects (see data README)."""
    out = tmp / "manifestos.jsonl"
    with open(DATA / "uk-manifestos" / "manifestos.jsonl", encoding="utf-8") as src, open(out, "w") as dst:
        for line in src:
            rec = json.loads(line)
            if rec["doc_id"] == "UK_natl_1959_en_Con" or (rec["Year"] == 1979 and rec["Party"] in ("Lab", "Con")):
                continue
            if rec["Party"] in ("Lab", "Con", "Lib", "LD"):
                rec["Party"] = "Lib" if rec["Party"] == "LD" else rec["Party"]
                dst.write(json.dumps(rec) + "\n")
    return out


def run(quick: bool) -> None:
    from corpus import CorpusStore
    from corpus.io import FieldMap, import_file
    from nlp.documents import load_documents
    from nlp.tendencies.classify import evaluate
    from nlp.tendencies.contrast import contrast
    from nlp.text.preprocess import preprocess_corpus
    from nlp.topics.effects import topic_effects
    from nlp.topics.fit import fit_topics
    from nlp.topics.runs import document_topic_matrix
    from nlp.topics.trust import assess_run

    tmp = Path(tempfile.mkdtemp(prefix="softleft-validity-"))
    store = CorpusStore(tmp / "m.db")
    import_file(store, manifestos(tmp), fields=FieldMap(date="Year", label="Party", title="doc_id"),
                outlet="manifestos")
    t0 = time.perf_counter()
    preprocess_corpus(store)
    docs = load_documents(store, preprocess=False)
    print(f"manifestos: {len(docs)} documents, {len(docs.tokens):,} terms ({time.perf_counter() - t0:.0f}s)")

    # classifier, plain and with self-names masked (each manifesto its own group; and forward in time)
    for group_by in ("none", "period"):
        e = evaluate(docs, group_by=group_by, folds=5, seed=0, period_years=10)
        check(f"classifier Lab/Con/Lib, folds by {group_by}: beats its baseline",
              e["macro_f1"] > e["baseline"]["macro_f1"],
              f"macro-F1 {e['macro_f1']:.2f} ({e['macro_f1_lo']:.2f}-{e['macro_f1_hi']:.2f}), masked "
              f"{e['masked_macro_f1']:.2f}, baseline {e['baseline']['macro_f1']:.2f}; self-names in top features: "
              f"{', '.join(sorted({t for ts in e['self_names_in_top_features'].values() for t in ts})[:8]) or 'none'}")
    e = evaluate(docs, group_by="none", folds=5, seed=0)
    names = sorted({t for ts in e["self_names_in_top_features"].values() for t in ts})
    named = any(any(n in c for n in names) for c in e["caveats"])
    check("self-names among the top features are named in a caveat", bool(names) == named,
          f"{len(names)} self-names in the top features ({', '.join(names[:6])}); named in a caveat: {named}")

    # contrast poles: every signature term has document support; no leader's surname at the other pole
    lab_con = docs.subset([i for i, t in enumerate(docs.labels) if t in ("Lab", "Con")])
    c = contrast(lab_con, "Lab", "Con", top=30, seed=0)
    supported = all(t.n_docs >= 3 for t in c.terms_a + c.terms_b)
    check("contrast Lab vs Con: every top term used in at least 3 documents of its side", supported,
          f"Lab pole: {', '.join(t.term for t in c.terms_a[:8])}; Con pole: {', '.join(t.term for t in c.terms_b[:8])}")
    wrong = [t.term for t in c.terms_a if any(n in t.term.split("_") for n in LEADERS["Con"])] + \
            [t.term for t in c.terms_b if any(n in t.term.split("_") for n in LEADERS["Lab"])]
    check("no fragment of a party leader's name at the other party's pole", not wrong, f"misplaced: {wrong or 'none'}")

    # topics: coherence, stability across seeds, era topics, adjusted effects
    k, passes, seeds = (6, 2, 2) if quick else (8, 5, 3)
    run_ = fit_topics(store, k, seed=0, passes=passes, docs=docs)
    run_ = assess_run(store, run_, docs, seeds=seeds)
    stab = [t["stability"] for t in run_.topics]
    check(f"topics K={k}: every topic has a stability score", all(s is not None for s in stab),
          f"c_v {run_.coherence_c_v:.3f}; stability mean {sum(stab) / len(stab):.2f}, lowest {min(stab):.2f}")
    theta = document_topic_matrix(store, run_, docs)
    import numpy as np

    early = [i for i, y in enumerate(docs.years) if y is not None and y <= 1955 and not np.isnan(theta[i, 0])]
    dominant = int(np.argmax(theta[early].mean(axis=0)))
    check("the dominant 1945-55 topic is flagged as an era topic", bool(run_.topics[dominant]["era"]),
          f"topic {dominant} \u201c{run_.topics[dominant]['label']}\u201d; era topics: "
          f"{[t['id'] for t in run_.topics if t['era']]}")
    labels = [t["label"] for t in sorted(run_.topics, key=lambda t: t["id"])]
    eff = topic_effects(docs, theta, labels=labels, seed=0)
    real = sorted((x for x in eff.contrasts if x.excludes_zero and {x.group, x.versus} == {"Lab", "Con"}),
                  key=lambda x: -abs(x.effect))
    check("adjusted effects Lab vs Con: some topic differs beyond its interval", bool(real),
          "; ".join(f"{x.label}: {x.group}-{x.versus} {x.effect:+.2f} ({x.lo:+.2f} to {x.hi:+.2f})" for x in real[:3]))


def scaling() -> None:
    from scipy.stats import spearmanr

    from nlp.scaling import Wordfish, word_matrix

    path = DATA / "irish-budget-2010" / "speeches.jsonl"
    recs = [json.loads(line) for line in path.open(encoding="utf-8")]
    X, names = word_matrix([r["text"] for r in recs])
    ids = [r["doc_id"] for r in recs]
    wf = Wordfish(dir=(ids.index("Lenihan, Brian (FF)"), ids.index("Bruton, Richard (FG)"))).fit(X, ids=ids)
    theta = dict(zip(ids, wf.theta_))
    rho = spearmanr([theta[i] for i in IRISH], list(IRISH.values())).statistic
    i = ids.index("Lenihan, Brian (FF)")
    check("Wordfish on the Irish budget 2010 speeches against quanteda's published positions",
          rho >= 0.95 and abs(wf.theta_[i] - 1.79) <= 0.1 and abs(wf.se_theta_[i] - 0.02) <= 0.01,
          f"Spearman {rho:.3f}; Lenihan θ {wf.theta_[i]:.3f} (published 1.794), se {wf.se_theta_[i]:.3f} (0.02)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer topics, passes and seeds")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent (the real public texts are not part of the repository)")
        return 0
    started = time.perf_counter()
    scaling()
    run(args.quick)
    failed = [name for name, ok, _ in results if not ok]
    print(f"\n{len(results) - len(failed)} of {len(results)} checks passed in {time.perf_counter() - started:.0f}s"
          + (f"; failed: {'; '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
