"""The report's method section: how each analysis was done, in a sentence or two, from its parameters and
results (no statistic is named elsewhere in the report; they are explained here)."""
from __future__ import annotations

from typing import Any, Mapping


def method_notes(results: Mapping[str, Any], params: Mapping[str, Any], skipped: Mapping[str, str],
                 model: str | None = None, topics_reused: bool = False, stored_topics: bool = False,
                 boilerplate: Mapping[str, Any] | None = None,
                 copies: tuple[int, int] | None = None) -> dict[str, str]:
    """One note per analysis that ran (and one per analysis that did not, saying why).

    Parameters
    ----------
    results : mapping
        Stage name -> result (:mod:`nlp.stages`).
    params : mapping
        Stage name -> its parameters (as the run resolved them).
    skipped : mapping
        Stage title -> why it did not run.
    model : str, optional
        The spaCy pipeline named with ``--model`` (default: blank English with lookup lemmas).
    topics_reused, stored_topics : bool
        The topic model was reused from an earlier run, or is a stored model shown as it is (``report``).
    boilerplate : mapping, optional
        The corpus' boilerplate lines (:meth:`nlp.text.boilerplate.Boilerplate.summary`).
    copies : (int, int), optional
        Articles, and independent articles with each cluster of near-duplicates counted once.
    """
    notes = {
        "Corpus": ("Articles are stored in SQLite with a full-text index; each article's tendency is resolved from "
                   "its own label, else its author's, else its outlet's default."),
        "Preprocessing": (
            f"spaCy ({model or 'blank English with lookup lemmas'}); names of factions, groups, people and "
            "policies from the phrase vocabulary (nlp/text/vocabulary.toml) joined into single terms before "
            "lemmatising (\"soft left\" becomes soft_left); stop words, numbers, URLs and punctuation removed; "
            "frequent collocations joined (gensim Phrases)."
            + (f" Lines an outlet repeats across its articles (headers, footers, sign-offs: {boilerplate['lines']} "
               f"lines in {boilerplate['outlets']} outlets, each in at least {boilerplate['min_docs']} articles and "
               f"{boilerplate['min_share']:.0%} of its outlet's) are left out of the terms; the stored texts stay "
               "whole." if boilerplate and boilerplate.get("lines") else "")
            + " Terms that nearly identify one outlet (outlet markers: datelines, desk names, database codes) are "
            "left out of the classifier's features, the contrasts, the scale and the meaning contexts."),
    }
    if copies is not None:
        articles, independent = copies
        notes["Copies"] = (
            "Near-duplicates (print and online editions, syndicated copies: word 5-shingles with a Jaccard "
            "similarity of at least 0.5, found by MinHash and checked exactly) count once: "
            + (f"{articles - independent} of the {articles:,} articles are copies of another here; "
               if articles > independent else "none of these articles copies another; ")
            + "bootstraps resample a cluster of copies whole, and copies never straddle the classifier's folds.")
    topics = results.get("topics")
    if topics is not None:
        notes["Topics"] = _topics_note(topics, stored_topics, topics_reused)
    trends = params.get("trends")
    if results.get("trends") is not None and trends is not None:
        notes["Trends"] = (f"A topic's share in a {trends.period} and group is the mean of its share in the group's "
                           "articles that year; each point carries the number of articles behind it. The line is a "
                           "rolling mean over three periods; the band is a 95% interval from a cluster bootstrap "
                           "that resamples whole authors, so a prolific writer cannot pass for a trend.")
    now = params.get("now")
    if results.get("now") is not None and now is not None:
        notes["Now against before"] = (
            f"Each tendency's articles of the last {now.recent.replace('m', ' months')} against those of the year "
            "before. Topic shares and word rates (per 10,000 words) get 95% intervals from a cluster bootstrap by "
            f"author ({now.bootstrap} replicates); a rise or fall is stated only when the two intervals do not "
            f"overlap and each window holds at least {now.min_support} articles. The words compared are each "
            "tendency's most changed between the two windows by weighted log-odds (Monroe, Colaresi & Quinn 2008).")
    watch = results.get("watch")
    if watch is not None and watch.rows:
        notes["Watched words"] = ("Uses per 10,000 words of each watched word or phrase (matched as the corpus' "
                                  "terms are made, so \"devolved\" counts as devolve), by tendency and "
                                  f"{params['watch'].period}, with 95% intervals from the cluster bootstrap by author.")
    positions = results.get("positions")
    if positions is not None:
        info = positions.info
        notes["Positions"] = (
            "Wordfish (Slapin & Proksch 2008, as quanteda fits it: Poisson scaling with the same priors and "
            f"identification) on the preprocessed terms: fitted on {info['fitted_on']} articles over {info['terms']} "
            f"frequent terms{', the others placed on that scale afterwards' if info['placed'] else ''}; "
            + (f"oriented with the {info['oriented']}. " if info["oriented"] else "")
            + (f"{info['not_placed']} articles could not be placed (too few of the scale's words). "
               if info.get("not_placed") else "")
            + "A tendency's position is the mean of its articles', with a 95% interval from a bootstrap over "
            "articles resampled by author; a move is stated only when the intervals of two periods part.")
    meaning = params.get("meaning")
    if results.get("meaning") is not None and meaning is not None:
        from nlp.stages.scaling import MEANING_TRAINING_TERMS

        notes["Meaning"] = (
            "Each use of a contested word is embedded from the six words either side (à-la-carte embeddings over "
            f"word vectors trained on this corpus — on a sample of about {MEANING_TRAINING_TERMS:,} terms when it is "
            "larger — as in conText); a tendency's use is the mean of its uses. Two tendencies differ when "
            "reshuffling whole articles between them (or whole outlets, where each tendency comes from outlets of "
            "its own) rarely gives a difference as large (p < 0.05); tendencies with fewer than "
            f"{meaning.min_support} articles using the word are not compared.")
    if results.get("tendencies") is not None:
        notes["Classifier"] = (
            "TF-IDF over the preprocessed terms and class-balanced logistic regression (scikit-learn), scored by "
            "stratified cross-validation whose folds never split an outlet (or an author), beside a majority-class "
            "baseline. Articles labelled 'unlabelled' or 'mixed' are left out.")
        notes["Contrasts"] = ("Weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi & "
                              "Quinn 2008); the prior follows the term counts of both groups and weighs a tenth of "
                              "the data.")
        notes["Mentions"] = ("Mentions of each faction of the phrase vocabulary, by writing tendency; the words "
                             "within a window around them are contrasted with the tendency's overall usage.")
        from nlp.report.tendency_sections import method_note

        unit = method_note(results["tendencies"].design)
        if unit:
            notes["Unit of analysis"] = unit
    notes.update({f"Not run: {name}": reason for name, reason in skipped.items()})
    return notes


def _topics_note(topics: Any, stored: bool, reused: bool) -> str:
    manifest = topics.manifest
    if stored:
        return f"The stored topic model {topics.name!r} (K = {topics.k}); its manifest: {manifest.get('path', '')}."
    passes = manifest.get("parameters", {}).get("passes")
    fitted_on = manifest.get("fit_sample")
    return (f"LDA (gensim LdaModel, single process, seed {manifest.get('seed')}, {passes} passes), K = {topics.k}"
            + (" chosen by c_v coherence" if manifest.get("sweep") else "")
            + (f", fitted on a stratified sample of {fitted_on['used']:,} of {fitted_on['of']:,} articles (by "
               "tendency, year and outlet; docs/topics.md) and every article's topic shares inferred from that model"
               if fitted_on else "")
            + "; topics named by FREX (frequent and exclusive) terms. "
            "The fitted model and its manifest are in topics/ beside this report"
            + (" (reused: fitted by an earlier run on the same terms with the same parameters)." if reused else "."))
