"""A coding study read from a corpus: agreement on every variable, ties to decide, the machine against the
people, and the articles the classifier is least sure of.

These functions read the codes through :mod:`corpus.coding` and hand plain data to the pure analyses of
:mod:`nlp.coding.agreement` and :mod:`nlp.coding.validate`; the ``code`` commands print what they return.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from corpus.codebook import Codebook, CodingError
from corpus.coding import codebook_in_force, coders, consensus, has_codes
from nlp.coding.agreement import REPLICATES
from nlp.coding.summary import list_labels, variable_agreement
from nlp.coding.validate import ValidationError, machine_vs_coders, positions_vs_scores
from nlp.documents import DocumentTerms
from nlp.errors import NlpError

log = logging.getLogger(__name__)


def require_codes(store: Any) -> Codebook:
    """The codebook in force; a :class:`CodingError` saying how to begin when the corpus has no codes."""
    if not has_codes(store):
        raise CodingError("no codes in this corpus yet: draw a sample (`code sample 100 -o sheet.csv`), have it "
                          "coded, and import each coder's sheet (`code import sheet.csv --coder NAME`)")
    return codebook_in_force(store)


def coding_agreement(store: Any, variables: Sequence[str] | None = None, replicates: int = REPLICATES,
                     seed: int = 0, disagreements: bool = False) -> dict[str, Any]:
    """Agreement between the corpus' coders on each variable (``code agreement``).

    Returns
    -------
    dict
        The first variable's (the tendency variable's, if the codebook has one) ``alpha``, ``lo``, ``hi``,
        ``n_units``, ``n_coders`` at the top, every variable's under ``variables``, the ``coders``, and with
        ``disagreements`` the articles whose coders disagree.
    """
    codebook = require_codes(store)
    names = list(variables) if variables else codebook.names
    for name in names:
        codebook.variable(name)
    per = {name: variable_agreement(store, codebook, name, replicates, seed) for name in names}
    main = codebook.tendency_variable.name if codebook.tendency_variable and codebook.tendency_variable.name in per \
        else names[0]
    out = {**{k: per[main][k] for k in ("variable", "level", "alpha", "lo", "hi", "n_units", "n_coders", "reading")},
           "coders": coders(store), "codebook": codebook.name, "variables": per}
    if disagreements:
        out["disagreements"] = disagreeing_units(store, codebook, names)
    return out


def disagreeing_units(store: Any, codebook: Codebook, names: Sequence[str]) -> list[dict[str, Any]]:
    """Every article whose coders gave different values, per variable, with its title and outlet: for a
    categorical variable the majority (or tie) and any decision; for a numeric one the mean and spread (widest
    first)."""
    rows = []
    for name in names:
        numeric = codebook.variable(name).numeric
        found = []
        for article_id, unit in consensus(store, name).items():
            if len(unit.coders) < 2 or unit.agreed:
                continue
            row: dict[str, Any] = {"id": article_id, "variable": name, "codes": unit.coders}
            if numeric:  # scores differ by degree: the mean and the spread, widest first
                values = [float(v) for v in unit.coders.values()]
                row.update(mean=round(float(np.mean(values)), 4), spread=max(values) - min(values))
            else:
                row.update(majority=unit.majority, decision=unit.decision, tie=unit.tie)
            found.append(row)
        rows += sorted(found, key=lambda r: -r["spread"]) if numeric else found
    titles = {a.id: (a.title, a.outlet) for a in store.articles(ids=sorted({r["id"] for r in rows}), with_text=False)}
    for r in rows:
        r["title"], r["outlet"] = titles.get(r["id"], (None, None))
    return rows


def ties(store: Any, variable: str | None = None) -> list[dict[str, Any]]:
    """The articles whose coders tie on a nominal variable (decided or not), for ``code adjudicate``."""
    codebook = require_codes(store)
    names = [variable] if variable else [v.name for v in codebook.variables if not v.numeric]
    out = []
    for name in names:
        codebook.variable(name)
        for article_id, unit in consensus(store, name).items():
            if unit.tie:
                out.append({"id": article_id, "variable": name, "codes": unit.coders, "decision": unit.decision,
                            "note": unit.note})
    titles = {a.id: a.title for a in store.articles(ids=sorted({r["id"] for r in out}), with_text=False)}
    for r in out:
        r["title"] = titles.get(r["id"])
    return out


def adjudicate(store: Any, article_id: str, value: str, variable: str | None = None, note: str | None = None,
               overrule: bool = False) -> dict[str, Any]:
    """Record a decision for an article whose coders tie (``code adjudicate ID VALUE``).

    Raises
    ------
    CodingError
        The article has no codes on the variable, the value is not one of its categories, or the coders do
        not tie (unless ``overrule``: then the decision replaces their majority).
    """
    from corpus.coding import set_decision

    codebook = require_codes(store)
    var = codebook.variable(variable) if variable else (codebook.tendency_variable or codebook.variables[0])
    stored = var.parse(value)
    if stored is None:
        raise CodingError("give the decided value, e.g. `code adjudicate ID soft_left`")
    unit = consensus(store, var.name).get(article_id)
    if unit is None or not unit.coders:
        raise CodingError(f"article {article_id!r} has no codes on {var.name}; only coded articles can be decided")
    if not unit.tie and not overrule:
        raise CodingError(f"the coders of {article_id} do not tie on {var.name} (majority {unit.majority}: "
                          f"{dict(unit.votes)}); pass --overrule to replace their majority")
    set_decision(store, article_id, var.name, stored, note)
    return {"id": article_id, "variable": var.name, "decision": stored, "codes": unit.coders, "note": note,
            "label": store.resolve(store.get(article_id))[0]}


def coded_scores(store: Any, codebook: Codebook) -> dict[str, dict[str, float]]:
    """Per numeric variable, each coded article's mean score over its coders."""
    out: dict[str, dict[str, float]] = {}
    for v in codebook.variables:
        if v.numeric:
            out[v.name] = {a: float(np.mean([float(x) for x in u.coders.values()]))
                           for a, u in consensus(store, v.name).items() if u.coders}
    return out


def read_positions(path: str | Path) -> dict[str, float]:
    """Document positions from the JSON of ``scale wordfish --json`` / ``scale wordscores --json``
    (``{"documents": [{"id", "theta" or "score"}]}``), by article id."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CodingError(f"{path} does not exist") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CodingError(f"{path} is not JSON ({exc}); give the output of `scale wordfish --json`") from None
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, list):
        raise CodingError(f"{path} has no \"documents\" list; give the output of `scale wordfish --json` or "
                          "`scale wordscores --json`")
    out = {}
    for d in documents:
        if isinstance(d, dict) and d.get("id") is not None:
            value = d.get("theta", d.get("score"))
            if isinstance(value, (int, float)):
                out[str(d["id"])] = float(value)
    return out


def stored_positions(store: Any) -> dict[str, float] | None:
    """The positions of the last stored Wordfish scale (``scale wordfish``), by article id; None without one."""
    from corpus.analyses import get_state

    state = get_state(store, "last_scale")
    if not state or state.get("method") != "wordfish":
        return None
    from nlp.scaling.wordfish import Wordfish

    try:
        model = Wordfish.load(state["path"])
    except (NlpError, OSError, KeyError) as exc:  # a scale that cannot be read is only not used
        log.warning("the stored scale is not used: %s", exc)
        return None
    return {str(i): float(t) for i, t in zip(model.ids_, model.theta_)}


def coding_validation(store: Any, docs: DocumentTerms, model_dir: str | None = None,
                      positions: Mapping[str, float] | None = None, replicates: int = REPLICATES,
                      seed: int = 0) -> dict[str, Any]:
    """The machine against the people on the coded articles (``code validate``).

    Returns
    -------
    dict
        :func:`~nlp.coding.validate.machine_vs_coders` (``macro_f1`` with its interval, ``alpha``,
        ``confusion``, ``lists``), plus ``coders``, and ``positions``: per numeric variable the rank
        correlation of the coders' scores with the scaling positions (``positions``, else the last stored
        Wordfish scale).
    """
    codebook = require_codes(store)
    model = None
    caveats = []
    if model_dir is not None:
        from nlp.tendencies.model_files import load_model

        model, manifest = load_model(model_dir)
        if "coded" in (manifest.get("info", {}).get("label_levels") or {}):
            caveats.append("The saved model was trained on coded articles: its agreement with the coders is partly "
                           "in-sample (leave --model out to train one without them)")
    coded = [docs.ids[i] for i in range(len(docs)) if docs.label_levels[i] == "coded"]
    try:
        result = machine_vs_coders(docs, list_labels(store, coded), model=model, seed=seed, replicates=replicates)
    except ValidationError as exc:
        if not any(v.numeric for v in codebook.variables):
            raise
        result = {"macro_f1": None, "alpha": None, "caveats": [str(exc)]}
    result["caveats"] = caveats + result.get("caveats", [])
    result["coders"] = coders(store)
    scores = coded_scores(store, codebook)
    if scores:
        positions = positions if positions is not None else stored_positions(store)
        result["positions"] = ([positions_vs_scores(s, positions, name, replicates, seed) for name, s in scores.items()]
                               if positions else
                               [{"variable": name, "n": 0, "spearman": None,
                                 "note": "no positions: run `scale wordfish` first, or give --positions FILE"}
                                for name in scores])
    return result


def classifier_margins(docs: DocumentTerms, model_dir: str, batch_size: int = 500) -> dict[str, float]:
    """How sure a saved classifier is of each article: its two likeliest tendencies' probabilities apart
    (0: torn between them; 1: certain), by article id; articles without terms are left out."""
    from nlp.tendencies.classify import predict_terms
    from nlp.tendencies.model_files import load_model

    pipeline, manifest = load_model(model_dir)
    trained_with = manifest.get("info", {}).get("preprocessor", {}).get("fingerprint")
    if trained_with and docs.meta.get("preprocessor") and trained_with != docs.meta["preprocessor"]:
        log.warning("the corpus is preprocessed differently from the model's training terms: its certainty may "
                    "mislead; retrain with `classify train`")
    rows = [i for i in range(len(docs)) if docs.n_terms(i)]
    out: dict[str, float] = {}
    for start in range(0, len(rows), batch_size):
        batch = rows[start:start + batch_size]
        for i, pred in zip(batch, predict_terms(pipeline, [docs.terms(i) for i in batch])):
            top = sorted(pred["probabilities"].values(), reverse=True)
            out[docs.ids[i]] = round(top[0] - (top[1] if len(top) > 1 else 0.0), 4)
    return out
