"""What topic stability and adjusted effects cost, against one topic-model fit (a plain script, not a test).

    python bench/bench_stability.py            # UK manifestos, K=10, passes=10
    python bench/bench_stability.py --quick    # K=8, passes=2 (a smoke run)

``run()`` returns rows ``{name, value, unit, target, note}`` for ``bench/run.py``:

- one LDA fit (``TopicModel.fit`` on the prepared corpus: the manifestos as passages of about 1,000 terms);
- fitting 3 seeds (``fit_seeds``: gensim's LdaModel with the blocked E-step, ``nlp.topics.estep``) serially and
  with ``n_jobs=2``, as ratios to one fit (a plain ``LdaModel``, as the run's own model), plus the Hungarian
  matching (``assess_stability``);
- ``topic_effects`` with 20 composition draws and with none, and ``era_topics``, as ratios to one fit.

Texts: the UK manifestos in ../shared/data (98 of them: without ``UK_natl_1959_en_Con`` and the 1979 Lab/Con
entries); skipped when that folder is absent.
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realtext  # noqa: E402  (the usable manifestos, as bench/overhead.py and bench/bench_topics.py read them)


def _manifestos(tmp: Path):
    from corpus import CorpusStore
    from corpus.io import FieldMap, import_file
    from nlp.documents import load_documents
    from nlp.text.preprocess import preprocess_corpus

    subset = tmp / "manifestos.jsonl"
    subset.write_text("".join(json.dumps(r) + "\n" for r in realtext.manifesto_records()), encoding="utf-8")
    store = CorpusStore(tmp / "m.db")
    import_file(store, subset, fields=FieldMap(date="Year", label="Party", title="doc_id"))
    preprocess_corpus(store)
    return load_documents(store, preprocess=False)


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run(quick: bool = False) -> list[dict]:
    import numpy as np

    from nlp.topics.effects import era_topics, topic_effects
    from nlp.topics.fit import prepare_corpus
    from nlp.topics.model import TopicModel
    from nlp.topics.stability import assess_stability, fit_seeds

    if not realtext.have_manifestos():
        return [{"name": "stability", "value": "skipped", "unit": "", "target": "",
                 "note": "../shared/data/uk-manifestos is not here"}]
    k, passes = (8, 2) if quick else (10, 10)
    tmp = Path(tempfile.mkdtemp(prefix="bench-stability-"))
    docs = _manifestos(tmp)
    prepared = prepare_corpus(docs, tmp / "prepared")
    corpus = prepared.corpus()
    model, one = _timed(lambda: TopicModel(k=k, random_state=0, passes=passes).fit(corpus, prepared.dictionary))
    fits, serial = _timed(lambda: fit_seeds(corpus, prepared.dictionary, k, 3, passes=passes))
    _, parallel = _timed(lambda: fit_seeds(corpus, prepared.dictionary, k, 3, passes=passes, n_jobs=2))
    stability, matching = _timed(lambda: assess_stability(fits))

    index = {id_: i for i, id_ in enumerate(docs.ids)}
    theta, weight = np.zeros((len(docs), k)), np.zeros(len(docs))
    for (id_, n), shares in zip(prepared.ids(), model.transform(corpus)):
        theta[index[id_]] += n * shares
        weight[index[id_]] += n
    theta /= weight[:, None]
    _, drawn = _timed(lambda: topic_effects(docs, theta, draws=20))
    _, plain = _timed(lambda: topic_effects(docs, theta, draws=0))
    eras, era_time = _timed(lambda: era_topics(docs, theta))

    setting = f"K={k}, passes={passes}, {prepared.n_units} passages of {len(docs)} manifestos"
    return [
        {"name": "one fit", "value": round(one, 2), "unit": "s", "target": "", "note": setting},
        {"name": "3 seeds serial / one fit", "value": round(serial / one, 2), "unit": "x", "target": "< 1",
         "note": f"{serial:.1f}s"},
        {"name": "3 seeds n_jobs=2 / one fit", "value": round(parallel / one, 2), "unit": "x", "target": "< serial",
         "note": f"{parallel:.1f}s (2 CPUs; spawned workers import for a few seconds)"},
        {"name": "matching 3 fits", "value": round(matching, 3), "unit": "s", "target": "",
         "note": f"stability mean {stability.mean:.3f}, min {min(stability.stability):.3f}; "
                 f"unmatched pairs {stability.baseline:.3f}"},
        {"name": "effects 20 draws / one fit", "value": round(drawn / one, 3), "unit": "x", "target": "",
         "note": f"{drawn:.3f}s; without draws {plain:.3f}s"},
        {"name": "era topics / one fit", "value": round(era_time / one, 4), "unit": "x", "target": "",
         "note": f"{era_time:.3f}s; era topics {eras.era}"},
    ]


def main() -> None:
    rows = run(quick="--quick" in sys.argv)
    for r in rows:
        print(f"{r['name']:<28} {r['value']!s:>10} {r['unit']:<3} {r['target']:<10} {r['note']}")


if __name__ == "__main__":
    main()
