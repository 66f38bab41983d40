"""The editor's weekly update: place new articles in the existing topic model and write a fresh report.

No refit by default: new articles are preprocessed, their topic shares inferred by the stored model
(:func:`nlp.topics.runs.load_gensim_model`) and stored under the same run, so the run's name and its topics
stay what editors have learnt to read. A refit happens only on request or when the new writing has drifted
away from the model. Drift is the share of the new articles' terms missing from the model's dictionary
*beyond* the share missing from the articles the model already placed (its own baseline: the dictionary
drops rare words, so even the fitted articles have a third of their terms outside it on a small corpus).
Above :data:`MAX_DRIFT` (15 points) the new writing uses markedly more words the topics cannot see, and
the model is refitted under the same name — but only when the drift rests on enough new writing
(:data:`MIN_DRIFT_ARTICLES` articles, :data:`MIN_DRIFT_TERMS` terms): a few short articles are not evidence
of a new vocabulary.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from corpus import CorpusStore
from corpus.analyses import get_state, set_state, write_document_topics
from corpus.dates import now_utc

log = logging.getLogger(__name__)

#: Refit when the new articles' share of terms unknown to the model exceeds the placed articles' by this.
MAX_DRIFT = 0.15
#: Drift is only measured (and a refit only triggered) on at least this many new articles with at least
#: :data:`MIN_DRIFT_TERMS` terms between them: the unknown share of three short articles swings by tens of
#: points on its own (docs/editors.md, "When the model is refitted").
MIN_DRIFT_ARTICLES = 10
MIN_DRIFT_TERMS = 2_000
#: Placed articles sampled (evenly) for the baseline share of unknown terms.
BASELINE_SAMPLE = 2000
STATE_KEY = "last_report"


def place_new_articles(store: CorpusStore, run: Any, docs: Any) -> dict[str, Any]:
    """Infer and store the topic shares of the documents of ``docs`` the run has not placed yet.

    Returns
    -------
    dict
        ``{"new": articles not placed before, "placed": n (those with a term the model knows), "terms": n_terms,
        "unknown_terms": n_unknown, "unknown_share": share,
        "baseline_unknown_share": share of the already placed articles' terms unknown to the model,
        "drift": unknown_share - baseline_unknown_share}``.
    """
    from corpus.analyses import document_topics
    from nlp.topics.runs import load_gensim_model

    have = document_topics(store, run.name, docs.ids)
    todo = [i for i, id_ in enumerate(docs.ids) if id_ not in have]
    out = {"new": len(todo), "placed": 0, "terms": 0, "unknown_terms": 0, "unknown_share": 0.0,
           "baseline_unknown_share": 0.0, "drift": 0.0}
    if not todo:
        return out
    lda, dictionary = load_gensim_model(run)
    placed_before = [i for i, id_ in enumerate(docs.ids) if id_ in have]
    sample = placed_before[::max(1, len(placed_before) // BASELINE_SAMPLE)]
    known_b = total_b = 0
    for i in sample:
        terms = docs.terms(i)
        known_b += sum(n for _, n in dictionary.doc2bow(terms))
        total_b += len(terms)
    out["baseline_unknown_share"] = 1 - known_b / total_b if total_b else 0.0
    rows = []
    for i in todo:
        terms = docs.terms(i)
        bow = dictionary.doc2bow(terms)
        known = sum(n for _, n in bow)
        out["terms"] += len(terms)
        out["unknown_terms"] += len(terms) - known
        if not bow:
            continue  # nothing the model knows: left unplaced, as a fit leaves an empty document
        for topic, share in lda.get_document_topics(bow, minimum_probability=0.0):
            rows.append((run.name, docs.ids[i], int(topic), float(share)))
        out["placed"] += 1
    with store.transaction():
        write_document_topics(store, rows)
    out["unknown_share"] = out["unknown_terms"] / out["terms"] if out["terms"] else 0.0
    out["drift"] = out["unknown_share"] - out["baseline_unknown_share"]
    return out


def update_report(store: CorpusStore, path: str | Path, topics: str | None = None, refit: bool = False,
                  max_drift: float = MAX_DRIFT, seed: int = 0, on_stage: Any = None, progress: Any = None,
                  **settings: Any) -> dict[str, Any]:
    """Place new articles in the stored topic model (refit only with ``refit`` or on drift), write the
    report at ``path`` with a "since the last report" section, and remember this report.

    Returns
    -------
    dict
        ``{"report", "run", "new_articles", "placed", "unknown_share", "baseline_unknown_share", "drift",
        "drift_measured", "drift_note", "refitted", "refit_reason"}``; drift triggers a refit only when it was
        measured on at least :data:`MIN_DRIFT_ARTICLES` new articles and :data:`MIN_DRIFT_TERMS` terms.
    """
    from nlp.documents import ensure_preprocessed, load_documents
    from nlp.pipeline import write_report
    from nlp.topics.fit import fit_topics, load_run

    ensure_preprocessed(store)
    run = load_run(store, topics)
    docs = load_documents(store, preprocess=False)
    last = get_state(store, STATE_KEY) or {}
    seen = set(last.get("ids", []))
    new_ids = [i for i in docs.ids if i not in seen] if last else []
    placed = place_new_articles(store, run, docs)
    reason = "asked for (--refit)" if refit else ""
    measured = placed["new"] >= MIN_DRIFT_ARTICLES and placed["terms"] >= MIN_DRIFT_TERMS
    if not refit and measured and placed["drift"] > max_drift:
        reason = (f"{placed['unknown_share']:.0%} of the new articles' words are unknown to the model against "
                  f"{placed['baseline_unknown_share']:.0%} of the articles it was fitted on (more than "
                  f"{100 * max_drift:.0f} points apart)")
    if reason:
        log.info("refitting %s: %s", run.name, reason)
        run = fit_topics(store, run.k, seed=seed, name=run.name, docs=docs,  # a sampled fit stays sampled
                         fit_sample=(run.manifest.get("fit_sample") or {}).get("requested"))
    since = {"last": last.get("time"), "ids": new_ids, "first": not last}
    report = write_report(store, path, topics=run.name, seed=seed, on_stage=on_stage, progress=progress,
                          since=since, **settings)
    set_state(store, STATE_KEY, {"time": now_utc(), "ids": list(docs.ids), "report": str(path), "run": run.name})
    return {"report": str(report.path), "run": run.name, "new_articles": len(new_ids), "placed": placed["placed"],
            "unknown_share": round(placed["unknown_share"], 4),
            "baseline_unknown_share": round(placed["baseline_unknown_share"], 4), "drift": round(placed["drift"], 4),
            "drift_measured": measured,
            "drift_note": "" if measured or not placed["new"] else (
                f"drift not judged on {placed['new']} new article(s) with {placed['terms']:,} terms: at least "
                f"{MIN_DRIFT_ARTICLES} articles and {MIN_DRIFT_TERMS:,} terms are needed"),
            "refitted": bool(reason), "refit_reason": reason}
