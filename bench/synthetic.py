"""Reproducible synthetic corpora for the benchmarks: resampled demo articles, and text with a realistic vocabulary.

**Resampled demo text** (:func:`articles`, :func:`term_lists`, :func:`labelled_documents`): every synthetic
document is one demo article with its pieces (paragraphs, or runs of 20 terms) shuffled, about a fifth of
them dropped and one or two pieces of another article of the same outlet added: the demo corpus' vocabulary
and topics, never two identical documents. Articles get their own title, URL and date (spread over
2015-2024), so the store keeps them all. Its vocabulary is tiny (a few thousand terms however many
documents), so it understates what real text costs.

**Realistic text** (:class:`RealisticCorpus`, :func:`realistic_documents`, :func:`realistic_articles`): terms
drawn from a Zipf–Mandelbrot law over a vocabulary whose head is the words of political prose
(:mod:`synthetic_lexicon`), then English words, then invented ones; clustered by topic and section, bursty,
with the contested words and faction names at plausible rates, a planted position axis and a planted time
axis; about 34,000 distinct terms per million terms (see :class:`RealisticCorpus`). :func:`realistic_articles`
writes them as political prose (:class:`TextWriter`: function words, punctuation, figures, inflections,
capitals, headings, boilerplate at the UK manifestos' rates), with a design of its own (tendencies, outlets,
dates) or a real corpus' metadata (:func:`design_like`). All of it is invented and labelled synthetic (URLs
under ``synthetic.invalid``, ``metadata["synthetic"]``).
"""
from __future__ import annotations

import functools
import random
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, Iterator, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _resample(pieces: list, others: list[list], rnd: random.Random) -> list:
    kept = [p for p in pieces if rnd.random() > 0.2] or pieces[:1]
    rnd.shuffle(kept)
    other = rnd.choice(others)
    for _ in range(rnd.randint(1, 2)):
        kept.insert(rnd.randrange(len(kept) + 1), rnd.choice(other))
    return kept


def articles(n: int, seed: int = 0) -> Iterator:
    """``n`` synthetic :class:`corpus.Article` s (text resampled by paragraph)."""
    from corpus.demo import iter_demo_articles

    base = list(iter_demo_articles())
    paragraphs = [[p for p in a.text.split("\n\n") if p.strip()] or [a.text] for a in base]
    by_outlet: dict[str, list[list[str]]] = {}
    for a, paras in zip(base, paragraphs):
        by_outlet.setdefault(a.outlet, []).append(paras)
    rnd = random.Random(seed)
    for i in range(n):
        j = rnd.randrange(len(base))
        a = base[j]
        text = "\n\n".join(_resample(paragraphs[j], by_outlet[a.outlet], rnd))
        year, month = 2015 + i % 10, 1 + (i // 10) % 12
        yield replace(a, title=f"{a.title} ({i})", url=f"https://synthetic.invalid/{a.outlet}/{i}",
                      published=f"{year}-{month:02d}-{1 + i % 28:02d}", text=text)


def demo_terms() -> list[list[str]]:
    """The demo articles' terms (default preprocessing, no collocations)."""
    from corpus.demo import iter_demo_articles
    from nlp.text.preprocess import Preprocessor

    pre = Preprocessor()
    return [terms for terms, _ in pre.pipe(((a.text, i) for i, a in enumerate(iter_demo_articles())),
                                           collocations=False)]


def term_lists(n: int, seed: int = 0, base: Sequence[list[str]] | None = None) -> list[list[str]]:
    """``n`` synthetic term lists: demo articles' terms resampled in runs of 20 terms."""
    base = list(base) if base is not None else demo_terms()
    pieces = [[t[k:k + 20] for k in range(0, len(t), 20)] or [t] for t in base]
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        j = rnd.randrange(len(base))
        out.append([w for piece in _resample(pieces[j], pieces, rnd) for w in piece])
    return out


def labelled_documents(n: int, seed: int = 0):
    """``n`` synthetic documents as a :class:`nlp.documents.DocumentTerms` with the demo corpus' metadata: each
    is a demo article's terms resampled in runs of 20 terms (as :func:`term_lists`), keeping that article's
    outlet and tendency (the demo labels), dated over 2015-2024 as :func:`articles` dates them."""
    import tempfile

    from corpus import CorpusStore
    from corpus.demo import demo_labels, iter_demo_articles
    from nlp.documents import DocumentTerms, load_documents
    from nlp.text.preprocess import preprocess_corpus

    with tempfile.TemporaryDirectory() as tmp, CorpusStore(Path(tmp) / "demo.db") as store:
        store.load_labels(demo_labels())
        store.add_many(iter_demo_articles())
        preprocess_corpus(store)
        base = load_documents(store, preprocess=False)
    terms = [base.terms(i) for i in range(len(base))]
    pieces = [[t[k:k + 20] for k in range(0, len(t), 20)] or [t] for t in terms]
    rnd = random.Random(seed)
    picks = [rnd.randrange(len(base)) for _ in range(n)]
    docs = [[w for piece in _resample(pieces[j], pieces, rnd) for w in piece] for j in picks]
    return DocumentTerms.from_terms(
        docs, ids=[f"s{i}" for i in range(n)], labels=[base.labels[j] for j in picks],
        outlets=[base.outlets[j] for j in picks],
        published=[f"{2015 + i % 10}-{1 + (i // 10) % 12:02d}-{1 + i % 28:02d}" for i in range(n)])


#: Tendencies, their share of the planted corpus and their two outlets (the larger first).
PLANTED_TENDENCIES = {"soft_left": (0.5, ("renewal", "plural")), "hard_left": (0.3, ("tribune", "redcorner")),
                      "soft_right": (0.2, ("progress", "forwardbench"))}


def planted_documents(n: int, k: int = 10, seed: int = 0, vocabulary: int = 3000, length: int = 150):
    """``n`` documents drawn from LDA's own generative model, with ``k`` planted topics (a
    :class:`nlp.documents.DocumentTerms`): topics are Dirichlet(0.02) over ``vocabulary`` words ``w0000``...;
    each tendency favours three topics (prior 1.0 against 0.1), a document's shares are drawn from its
    tendency's prior and its length from Poisson(``length``). Tendencies as :data:`PLANTED_TENDENCIES` (an
    outlet's larger one 70% of its articles), dated uniformly over 2015-2024. A corpus whose topics are well
    defined, so that what a sample fit loses is not hidden by what another seed changes."""
    import numpy as np

    from nlp.documents import DocumentTerms

    rng = np.random.default_rng(seed)
    words = np.array([f"w{j:04d}" for j in range(vocabulary)])
    cdf = np.cumsum(rng.dirichlet(np.full(vocabulary, 0.02), size=k), axis=1)
    names = list(PLANTED_TENDENCIES)
    priors = np.full((len(names), k), 0.1)
    for t in range(len(names)):
        priors[t, [(3 * t + j) % k for j in range(3)]] = 1.0
    tendency = rng.choice(len(names), size=n, p=[PLANTED_TENDENCIES[t][0] for t in names])
    second = rng.random(n) > 0.7
    lengths = np.maximum(rng.poisson(length, size=n), 5)
    topics = np.concatenate([rng.choice(k, size=m, p=rng.dirichlet(priors[t])) for t, m in zip(tendency, lengths)])
    u = rng.random(len(topics))
    ids = np.empty(len(topics), dtype=np.int64)
    for z in range(k):
        at = topics == z
        ids[at] = np.minimum(np.searchsorted(cdf[z], u[at] * cdf[z, -1]), vocabulary - 1)
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    years = rng.integers(2015, 2025, size=n)
    return DocumentTerms.from_terms(
        (words[ids[bounds[i]:bounds[i + 1]]].tolist() for i in range(n)), ids=[f"p{i}" for i in range(n)],
        labels=[names[t] for t in tendency],
        outlets=[PLANTED_TENDENCIES[names[t]][1][int(s)] for t, s in zip(tendency, second)],
        published=[f"{y}-{1 + i % 12:02d}-15" for i, y in enumerate(years.tolist())])


# ---------------------------------------------------------------------------------------------------------
# Text with a realistic vocabulary
# ---------------------------------------------------------------------------------------------------------
#: Syllables of the invented words of the rare tail: consonant + vowel, so every word is pronounceable.
_CONSONANTS, _VOWELS = "bdfgklmnprstvz", "aeiou"
_SYLLABLES = [c + v for c in _CONSONANTS for v in _VOWELS]


def invented_words(n: int, skip: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The first ``n`` invented words, shortest first: two syllables, then three, ...; none is an English stop
    word or in ``skip``."""
    import itertools

    stop = stop_words()
    out: list[str] = []
    size = 2
    while len(out) < n:
        for syllables in itertools.product(_SYLLABLES, repeat=size):
            word = "".join(syllables)
            if word not in stop and word not in skip:
                out.append(word)
                if len(out) == n:
                    break
        size += 1
    return out


@functools.lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words, read from their module without importing spaCy (a second of start-up)."""
    import importlib.util

    spec = importlib.util.find_spec("spacy")
    path = Path(spec.origin).parent / "lang" / "en" / "stop_words.py"
    module = importlib.util.module_from_spec(importlib.util.spec_from_file_location("_spacy_en_stop_words", path))
    module.__spec__.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)


@functools.lru_cache(maxsize=1)
def _english() -> tuple[dict[str, str], list[str]]:
    """spaCy's English lookup tables (``spacy-lookups-data``, which the blank pipeline's lemmatiser reads): the
    lemma of each inflected form, and WordNet's lemmas (empty where the package is missing)."""
    import gzip
    import json

    try:
        import spacy_lookups_data
    except ImportError:  # pragma: no cover - preprocessing needs it too
        return {}, []
    folder = Path(spacy_lookups_data.__file__).parent / "data"
    with gzip.open(folder / "en_lemma_lookup.json.gz", "rt", encoding="utf-8") as fh:
        lookup = json.load(fh)
    with gzip.open(folder / "en_lemma_index.json.gz", "rt", encoding="utf-8") as fh:
        index = json.load(fh)
    return lookup, sorted({w for words in index.values() for w in words})


#: How a word is written: as is, with a capital, in capitals.
LOWER, TITLE, UPPER = 0, 1, 2


class Lexicon:
    """The generator's vocabulary: for each term id, the term preprocessing makes of it, the forms the text
    writes (the base form first, then its inflections: "service", "services"; "improve", "improved",
    "improving") and how it is written (:data:`LOWER`, :data:`TITLE`, :data:`UPPER`).

    Ids ``0 .. size − 1`` are the Zipf ranks: first the words of political prose (:mod:`synthetic_lexicon`:
    ``GENERAL``, then the themes' words in turn), then English words (WordNet's single-word lemmas, from the
    lookup tables spaCy's lemmatiser reads; shorter words first, loosely, as frequency goes in real text), then
    invented words for the rarest ranks (a tenth of them names, written with a capital). After them come the
    contested words and faction names (``synthetic_lexicon.CONTESTED``, ``FACTIONS``), drawn at their own rates.
    ``themes`` holds each theme's ids. A term is what ``nlp.text.preprocess`` makes of the base form: its lookup
    lemma, or the phrase vocabulary's term ("NHS" is ``national_health_service``).
    """

    def __init__(self, size: int, seed: int = 0):
        import numpy as np
        import synthetic_lexicon as lex

        from nlp.text.vocabulary import load_vocabulary

        lookup, wordnet = _english()
        vocabulary = load_vocabulary()
        stop = stop_words() | vocabulary.stop_words
        inflections: dict[str, list[str]] = {}
        for form, lemma in lookup.items():  # plurals and tenses ("services", "improved"), not "newest"
            if (form.isascii() and form.isalpha() and form.islower() and form not in stop
                    and form.endswith(("s", "ed", "ing"))):
                inflections.setdefault(lemma, []).append(form)

        def term_of(word: str) -> str:
            named = vocabulary.term_for(word.replace("_", " "))
            if named:
                return named
            return "_".join(vocabulary.lemmas.get(p) or lookup.get(p, p).lower() for p in word.split("_"))

        special = set(lex.CONTESTED) | {term for term, _, _ in lex.FACTIONS.values()}
        self.terms: list[str] = []
        self.forms: list[tuple[str, ...]] = []
        self.styles: list[int] = []
        seen: set[str] = set(special)

        def add(word: str, style: int) -> int | None:
            term = term_of(word)
            if len(self.terms) >= size or term in seen or any(p in stop for p in word.split("_")):
                return None
            seen.add(term)
            base = word.replace("_", " ")
            last = word.split("_")[-1]
            forms = [base] + sorted(base[: len(base) - len(last)] + f for f in inflections.get(last, ())
                                    if term_of(word[: len(word) - len(last)] + f) == term)
            self.terms.append(term)
            self.forms.append(tuple(forms))
            self.styles.append(style)
            return len(self.terms) - 1

        def style_of(word: str) -> int:
            return UPPER if word in lex.ACRONYMS else TITLE if word in lex.CAPITALISED else LOWER

        for word in dict.fromkeys(lex.GENERAL + lex.EXTRA):
            add(word, style_of(word))
        themes = [w.split() for w in lex.THEMES.values()]
        for row in range(max(map(len, themes))):  # the themes' words in turn
            for words in themes:
                if row < len(words):
                    add(words[row], style_of(words[row]))
        index = {term: i for i, term in enumerate(self.terms)}
        self.themes = [np.array(list(dict.fromkeys(index[term_of(w)] for w in words if term_of(w) in index)))
                       for words in themes]
        rng = np.random.default_rng(seed)
        names = {n.lower() for e in vocabulary for n in (*e.spellings, e.name, e.term)}
        english = [w for w in wordnet if 3 <= len(w) <= 15 and w.isascii() and w.isalpha() and w.islower()
                   and lookup.get(w, w) == w and w not in vocabulary.lemmas and w not in names]
        noise = rng.normal(0, 5, len(english))
        overrides = vocabulary.lemmas
        for k in np.argsort(np.array([len(w) for w in english]) + noise, kind="stable"):
            if len(self.terms) >= size:
                break
            word = english[k]  # its own lemma, no phrase: its term is itself
            if word in seen or word in stop:
                continue
            seen.add(word)
            self.terms.append(word)
            self.forms.append((word, *sorted(f for f in inflections.get(word, ()) if overrides.get(f, word) == word)))
            self.styles.append(LOWER)
        if len(self.terms) < size:
            taken = set(self.terms) | set(lookup) | set(wordnet)
            for k, word in enumerate(invented_words(size - len(self.terms), skip=taken)):
                self.terms.append(word)
                self.forms.append((word,))
                self.styles.append(TITLE if k % 10 == 3 else LOWER)
        self.size = len(self.terms)
        self.special = {}
        for word, (rate, tilt) in lex.CONTESTED.items():
            self.special[len(self.terms)] = (rate, tilt)
            self.terms.append(word)
            self.forms.append((word,) + tuple(sorted(f for f in inflections.get(word, ()) if term_of(f) == word)))
            self.styles.append(LOWER)
        for name, (term, rate, tilt) in lex.FACTIONS.items():
            self.special[len(self.terms)] = (rate, tilt)
            self.terms.append(term)
            self.forms.append((name,))
            self.styles.append(LOWER)


def hash_word(word: str) -> int:
    """A stable hash of a word (Python's ``hash`` of a string changes between processes)."""
    import zlib

    return zlib.crc32(word.encode())


@functools.lru_cache(maxsize=4)
def lexicon(size: int, seed: int = 0) -> Lexicon:
    return Lexicon(size, seed)


class RealisticCorpus:
    """A generator of documents whose vocabulary behaves like real text's (term ids; see :meth:`draw`;
    :func:`realistic_articles` writes them as text).

    Each document's terms are drawn from a mixture of five parts:

    * **common language** (weight ``1 − topic_weight − axis_weight − time_weight − contested``): a
      Zipf–Mandelbrot law p(r) ∝ (r + ``offset``)^(−``exponent``) over the ``vocabulary`` ranks of
      :class:`Lexicon` (the words of political prose first, then English words, then invented ones);
    * **topics** (``topic_weight``): each document mixes :meth:`n_topics` of ``topics`` topics (shares
      Dirichlet(1)); a topic is a theme's words (economy, health, ...) in its own order, then ``topic_block``
      words of its own from ranks 500 to 15,000, then the ``topic_vocabulary`` most frequent ranks in a
      permuted order, under its own law (``topic_exponent``, ``topic_offset``); the document is cut into
      sections of about ``section_length`` terms, each on one of its topics, and a topic's words fall in its
      sections;
    * **position** (``axis_weight``): ``axis_words`` mid-frequency words whose use tilts with the document's
      position θ (each word's rate ∝ exp(b_w θ), b_w ~ N(0, 1));
    * **time** (``time_weight``): ``axis_words`` other words whose use tilts with the document's date
      (rate ∝ exp(g_w t), t the date mapped to [−1, 1]);
    * **contested words and faction names** at their own rates per million terms, tilted by θ
      (``synthetic_lexicon.CONTESTED``, ``FACTIONS``: "community" 4,500, "socialism" 250, "pluralism" 30,
      "Momentum" 30...), so that the ``meaning`` and ``mentions`` stages have their words.

    Then words come back where they were used: a share ``burst`` of the terms repeats one of the
    ``burst_window`` before it; and ``phrases`` words have a partner that follows them at a rate
    ``phrase_rate`` ("local authority"), so preprocessing finds collocations.

    With the defaults a million terms hold about 33,000 distinct ones and two million about 41,000 (measured:
    ``python bench/synthetic.py``), against 35,196 in 1.9 M words of real newspaper text after preprocessing
    (docs/benchmarks.md); on the UK manifestos' design (98 documents, 452,000 terms) the most frequent term is
    0.8 % of the terms, the 10 most frequent 6 % and the 100 most frequent 26 % (manifestos: 0.9 %, 6 %, 29 %),
    a passage of 1,000 terms has about 525 distinct ones (513), and LDA finds topics about as coherent (c_v
    0.5-0.6 for K = 8 and 12; manifestos 0.44-0.50). Document lengths are log-normal around ``mean_length``
    terms (log-sd ``length_sd``) unless :meth:`draw` is given them.
    """

    def __init__(self, vocabulary: int = 200_000, exponent: float = 1.5, offset: float = 30,
                 topic_exponent: float = 1.6, topic_offset: float = 30, topic_vocabulary: int = 30_000,
                 topics: int = 24, topics_per_document: int | None = None, topic_weight: float = 0.4,
                 axis_weight: float = 0.08, time_weight: float = 0.04, axis_words: int = 2000,
                 mean_length: int = 400, length_sd: float = 0.6, burst: float = 0.4, burst_window: int = 200,
                 section_length: int = 400, phrases: int = 1500, phrase_rate: float = 0.3, topic_block: int = 300,
                 seed: int = 0):
        import numpy as np

        self.lexicon = lexicon(vocabulary, seed)
        contested = sum(rate for rate, _ in self.lexicon.special.values()) / 1e6
        if not 0 <= topic_weight + axis_weight + time_weight + contested < 1:
            raise ValueError("topic_weight + axis_weight + time_weight must be below 1")
        self.vocabulary, self.exponent, self.topics = vocabulary, exponent, topics
        self.weights = np.array([1 - topic_weight - axis_weight - time_weight - contested, topic_weight,
                                 axis_weight, time_weight, contested])
        self.mean_length, self.length_sd, self.seed = mean_length, length_sd, seed
        self.burst, self.burst_window, self.section_length = burst, burst_window, section_length
        self.topics_per_document, self.phrase_rate = topics_per_document, phrase_rate
        rng = np.random.default_rng(seed)
        law = 1.0 / (np.arange(1, vocabulary + 1) + offset) ** exponent
        self.cdf = np.cumsum(law / law.sum())
        topical = 1.0 / (np.arange(1, min(topic_vocabulary, vocabulary) + 1) + topic_offset) ** topic_exponent
        self.topic_cdf = np.cumsum(topical / topical.sum())
        # a topic: its theme's words in its own order, then the ranks permuted: r -> (r * multiplier + offset)
        # mod vocabulary (multiplier coprime)
        span = self.topic_span = min(topic_vocabulary, vocabulary)
        odd = [m for m in rng.integers(span // 7, span, size=4 * topics) if np.gcd(m, span) == 1]
        self.topic_maps = [(int(m), int(o)) for m, o in zip(odd[:topics], rng.integers(0, span, topics))]
        themes = self.lexicon.themes
        self.topic_heads = []
        for t in range(topics):  # its theme's words, then words of its own among ranks 500 to 15,000
            head = rng.permutation(themes[t % len(themes)])
            pool = np.setdiff1d(np.arange(min(500, vocabulary), min(15_000, vocabulary)), head)
            self.topic_heads.append(np.concatenate([head, rng.choice(pool, min(topic_block, len(pool)),
                                                                     replace=False)]))
        # the two axes: mid-frequency ranks (200 to 20,000), disjoint, each with its slope and base rate
        ranks = rng.choice(np.arange(200, 20_000), size=2 * axis_words, replace=False)
        self.axis_ranks, self.time_ranks = ranks[:axis_words], ranks[axis_words:]
        self.axis_slopes, self.time_slopes = rng.normal(0, 1, axis_words), rng.normal(0, 1, axis_words)
        self.axis_base = law[self.axis_ranks] / law[self.axis_ranks].sum()
        self.time_base = law[self.time_ranks] / law[self.time_ranks].sum()
        # fixed pairs: ``phrases`` words of ranks 20 to 5,000 each with a partner among the 3,000 most frequent
        self.partner = np.full(len(self.lexicon.terms), -1)
        first = rng.choice(np.arange(20, min(5000, vocabulary)), size=min(phrases, max(0, min(5000, vocabulary) - 20)),
                           replace=False)
        self.partner[first] = rng.integers(0, min(3000, vocabulary), len(first))
        special = self.lexicon.special
        self.special_ids = np.array(list(special))
        self.special_rates = np.array([rate for rate, _ in special.values()], dtype=float)
        self.special_tilts = np.array([tilt for _, tilt in special.values()])

    def draw(self, positions, times, seed: int = 0, lengths=None):
        """Term ids for documents at ``positions`` θ and ``times`` t in [−1, 1] (and of ``lengths`` terms, if
        given): a list of arrays."""
        import numpy as np

        rng = np.random.default_rng((self.seed, seed))
        n = len(positions)
        if lengths is None:
            lengths = np.maximum(5, rng.lognormal(np.log(self.mean_length) - self.length_sd ** 2 / 2,
                                                  self.length_sd, n).astype(int))
        parts = np.array([rng.multinomial(m, self.weights) for m in lengths])
        out = []
        for i in range(n):
            common, topical, axis, era, contested = parts[i]
            ids = [np.minimum(np.searchsorted(self.cdf, rng.random(common)), self.vocabulary - 1)]
            chosen = rng.choice(self.topics, size=self.n_topics(lengths[i]), replace=False)
            shares = rng.dirichlet(np.ones(len(chosen)))
            # sections of about section_length terms, each on one of the document's topics (a topic's words
            # come together, as a manifesto's chapter or an article's paragraphs keep to their subject)
            n_sections = max(1, round(lengths[i] / self.section_length))
            section_topic = rng.choice(len(chosen), size=n_sections, p=shares)
            sections = [np.flatnonzero(section_topic == k) for k in range(len(chosen))]
            where = [rng.integers(0, n_sections, common)]
            for k, (t, m) in enumerate(zip(chosen, rng.multinomial(topical, shares))):
                mult, off = self.topic_maps[t]
                head = self.topic_heads[t]
                ranks = np.minimum(np.searchsorted(self.topic_cdf, rng.random(m)), self.topic_span - 1)
                tail = ranks >= len(head)
                ids.append(np.where(tail, (ranks * mult + off) % self.topic_span, head[np.where(tail, 0, ranks)]))
                where.append(sections[k][rng.integers(0, len(sections[k]), m)] if len(sections[k])
                             else rng.integers(0, n_sections, m))
            for count, ranks, base, slopes, x in ((axis, self.axis_ranks, self.axis_base, self.axis_slopes,
                                                   positions[i]),
                                                  (era, self.time_ranks, self.time_base, self.time_slopes, times[i])):
                p = base * np.exp(slopes * x)
                ids.append(ranks[np.minimum(np.searchsorted(np.cumsum(p / p.sum()), rng.random(count)),
                                            len(ranks) - 1)])
            p = self.special_rates * np.exp(self.special_tilts * positions[i])
            ids.append(self.special_ids[np.minimum(np.searchsorted(np.cumsum(p / p.sum()), rng.random(contested)),
                                                   len(p) - 1)])
            doc = np.concatenate(ids)
            where.append(rng.integers(0, n_sections, axis + era + contested))
            doc = doc[np.lexsort((rng.random(len(doc)), np.concatenate(where)))]
            if self.burst and len(doc) > 1:  # repeat a term of the last few: words come back where they are used
                at = np.flatnonzero(rng.random(len(doc)) < self.burst)
                at = at[at > 0]
                back = 1 + (rng.random(len(at)) * np.minimum(self.burst_window, at)).astype(np.int64)
                doc[at] = doc[at - back]
            if self.phrase_rate:  # a word with a partner is often followed by it ("local authority")
                at = np.flatnonzero((self.partner[doc[:-1]] >= 0) & (rng.random(len(doc) - 1) < self.phrase_rate))
                doc[at + 1] = self.partner[doc[at]]
            out.append(doc)
        return out

    def n_topics(self, length: int) -> int:
        """Topics of a document of ``length`` terms: ``topics_per_document``, or by default 2 and one more for
        each 800 terms up to 8 (a short article keeps to a subject or two, a manifesto covers most)."""
        if self.topics_per_document:
            return self.topics_per_document
        return int(min(8, max(2, 1 + length // 800)))

    def words(self, ids) -> list[str]:
        """The terms of term ids (what preprocessing makes of the text :func:`realistic_articles` writes)."""
        terms = self.lexicon.terms
        return [terms[int(i)] for i in ids]


@dataclass
class Design:
    """Who wrote each synthetic document and when: its tendency (label), outlet, author, date, its position θ on
    the planted axis, its date mapped to [−1, 1] (``times``), its length in terms (None: drawn), and how the
    text breaks its lines: ``"\\n\\n"`` between paragraphs as the scrapers store articles, or ``"\\n"`` as
    imported plain text often has (the UK manifestos; spaCy's tokeniser takes about twice as long over text
    with single line breaks, docs/benchmarks.md)."""

    labels: list[str]
    outlets: list[str]
    authors: list[str]
    dates: list[str]
    positions: Any
    times: Any
    lengths: Any = None
    line_break: str = "\n\n"

    def __len__(self) -> int:
        return len(self.labels)


#: Where each planted tendency sits on the position axis; other labels get a seeded place of their own.
_CENTRES = {"hard_left": -1.0, "soft_left": 0.0, "soft_right": 1.0}


def _times(dates: Sequence[str]):
    import numpy as np

    days = np.array([np.datetime64(d[:10], "D").astype(np.int64) for d in dates], dtype=float)
    span = days.max() - days.min()
    return (days - days.min()) / span * 2 - 1 if span else np.zeros(len(days))


def _realistic_design(n: int, seed: int) -> Design:
    """Tendency, outlet, position and date of ``n`` documents (tendencies and outlets as the planted corpus,
    dates uniform over 2015-2024)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    names = list(PLANTED_TENDENCIES)
    tendency = rng.choice(len(names), size=n, p=[PLANTED_TENDENCIES[t][0] for t in names])
    second = rng.random(n) > 0.7
    positions = np.array([_CENTRES[names[t]] for t in tendency]) + rng.normal(0, 0.5, n)
    days = rng.integers(0, 3652, size=n)  # 2015-01-01 .. 2024-12-31
    dates = (np.datetime64("2015-01-01") + days).astype(str).tolist()
    return Design(labels=[names[t] for t in tendency],
                  outlets=[PLANTED_TENDENCIES[names[t]][1][int(s)] for t, s in zip(tendency, second)],
                  authors=[f"Invented Author {i % 97}" for i in range(n)], dates=dates, positions=positions,
                  times=days / 3651 * 2 - 1)


def design_like(labels: Sequence[str], outlets: Sequence[str], dates: Sequence[str], lengths=None,
                authors: Sequence[str] | None = None, line_break: str = "\n\n", seed: int = 0) -> Design:
    """A design with a real corpus' metadata (labels, outlets, dates, authors and lengths in terms; no text):
    for a synthetic twin whose trends, effects, positions and classifier meet the same groups and periods.
    Each label gets a place on the position axis (the planted tendencies theirs, any other a seeded draw from
    N(0, 1)); a document's position is its label's place plus N(0, 0.5)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = {label: _CENTRES.get(label, np.random.default_rng(hash_word(label)).normal())
               for label in dict.fromkeys(labels)}
    positions = np.array([centres[label] for label in labels]) + rng.normal(0, 0.5, len(labels))
    return Design(labels=list(labels), outlets=list(outlets), dates=list(dates),
                  authors=list(authors) if authors is not None else [f"Invented Author {i % 97}"
                                                                     for i in range(len(labels))],
                  positions=positions, times=_times(dates), lengths=lengths, line_break=line_break)


def realistic_documents(n: int, seed: int = 0, generator: RealisticCorpus | None = None,
                        design: Design | None = None):
    """``n`` documents with a realistic vocabulary as a :class:`nlp.documents.DocumentTerms` (no spaCy): the
    terms of :class:`RealisticCorpus`, tendencies and outlets as :data:`PLANTED_TENDENCIES`, a tendency's
    documents placed around −1 (hard left), 0 (soft left) or +1 (soft right) on the planted position axis,
    dated uniformly over 2015-2024 (or as ``design`` says). The true positions are in
    ``docs.meta["positions"]``."""
    from nlp.documents import DocumentTerms

    generator = generator or RealisticCorpus(seed=seed)
    design = design or _realistic_design(n, seed)
    ids = generator.draw(design.positions, design.times, seed=seed, lengths=design.lengths)
    return DocumentTerms.from_terms((generator.words(d) for d in ids), ids=[f"r{i}" for i in range(n)],
                                    labels=design.labels, outlets=design.outlets, published=design.dates,
                                    titles=[f"Synthetic piece {i}" for i in range(n)],
                                    meta={"positions": design.positions.tolist(), "synthetic": "bench/synthetic.py"})


class TextWriter:
    """Writes a document's term ids as political prose (see :func:`realistic_articles`)."""

    #: Per content word: a comma after it, a semicolon, a colon, a dash, a hyphen joining it to the next word,
    #: quotation marks around it, an opening bracket before it, a figure before it ("£3 billion", "12 per
    #: cent", "1997"), a possessive "'s" — rates from the UK manifestos per 1,000 words, over about 0.49 content
    #: words a word.
    EVENTS: ClassVar[dict[str, float]] = {
        "comma": 0.08, "semicolon": 0.0053, "colon": 0.0053, "dash": 0.0045, "hyphen": 0.0186, "quote": 0.0016,
        "bracket": 0.0024, "figure": 0.02, "possessive": 0.012}
    #: Share of inflected forms (plurals, tenses) where a word has them; share of words given a capital
    #: ("the Government", "the State").
    INFLECTED, CAPITAL = 0.45, 0.03
    #: Content words per sentence: log-normal (median 9: about 19 words, as the manifestos' sentences).
    SENTENCE_MEDIAN, SENTENCE_SD = 9, 0.55
    #: A paragraph has 1 + Poisson(0.6) sentences; a heading (2-5 words, a capital each, or all in capitals)
    #: comes before about a quarter of them; a tenth of one-sentence paragraphs are bullet points.
    PARAGRAPH_EXTRA, HEADING, BULLET = 0.6, 0.25, 0.1
    #: Share of documents set all in capitals and wrapped at 72 characters (typescript and OCR archives: 5
    #: of the 98 manifestos).
    TYPESCRIPT = 0.05

    def __init__(self, lexicon: Lexicon, partner=None):
        import numpy as np
        import synthetic_lexicon as lex

        self.lexicon, self.partner = lexicon, partner
        self.glue = [tuple(g.split()) for g in lex.GLUE]
        weights = np.array(list(lex.GLUE.values()), dtype=float)
        self.glue_cdf = np.cumsum(weights / weights.sum())
        self.bare = lex.BARE_SHARE
        events = np.array(list(self.EVENTS.values()))
        self.event_bounds = np.cumsum(events)
        self.event_names = list(self.EVENTS)

    def _word(self, k: int, u: float, v: float) -> str:
        forms = self.lexicon.forms[k]
        word = forms[0] if len(forms) == 1 or u >= self.INFLECTED else forms[1 + int(v * (len(forms) - 1))]
        style = self.lexicon.styles[k]
        if style == TITLE or (style == LOWER and u > 1 - self.CAPITAL):
            return word[0].upper() + word[1:]
        return word.upper() if style == UPPER else word

    @staticmethod
    def _figure(rng) -> str:
        n = int(rng.integers(2, 100))
        return [f"in {rng.integers(1945, 2025)}", f"£{n} million", f"£{n} billion", f"{n} per cent", f"{n}%",
                f"{n},000", f"{n}", f"by {rng.integers(1945, 2025)}"][int(rng.integers(0, 8))]

    def write(self, ids, rng, boilerplate: tuple[str, ...] = (), line_break: str = "\n\n") -> tuple[str, str]:
        """``(headline, text)`` of a document's term ids."""
        import textwrap

        import numpy as np

        n = len(ids)
        glue = np.searchsorted(self.glue_cdf, rng.random(n))
        bare = rng.random(n) < self.bare
        if n > 1 and self.partner is not None:  # a pair is written together ("local authority")
            bare[1:] |= self.partner[ids[:-1]] == ids[1:]
        u, v = rng.random(n), rng.random(n)
        events = np.searchsorted(self.event_bounds, rng.random(n))
        names = self.event_names
        lines: list[str] = []
        headline = ""
        i = 0
        while i < n:
            if rng.random() < self.HEADING:
                k = int(rng.integers(2, 6))
                words = [self._word(int(ids[j]), u[j], v[j]) for j in range(i, min(n, i + k))]
                heading = " ".join(w[0].upper() + w[1:] for w in words)
                lines.append(heading.upper() if rng.random() < 0.3 else heading)
                headline = headline or heading
                i += k
                continue
            sentences = []
            for _ in range(1 + rng.poisson(self.PARAGRAPH_EXTRA)):
                if i >= n:
                    break
                m = max(2, int(rng.lognormal(np.log(self.SENTENCE_MEDIAN), self.SENTENCE_SD)))
                tokens: list[str] = []
                joined = False
                close = 0
                for j in range(i, min(n, i + m)):
                    event = names[events[j]] if events[j] < len(names) and not joined else None
                    if event == "figure":
                        tokens.append(self._figure(rng))
                    if event == "bracket":
                        tokens.append("(")
                        close = int(rng.integers(2, 5))
                    if not joined and not bare[j]:
                        tokens.extend(self.glue[glue[j]])
                    word = self._word(int(ids[j]), u[j], v[j])
                    if event == "possessive":
                        word += "'s"
                    elif event == "quote":
                        word = f"“{word}”"
                    if joined:
                        tokens[-1] += "-" + word
                    else:
                        tokens.append(word)
                    joined = event == "hyphen" and j + 1 < min(n, i + m)
                    if close:
                        close -= 1
                        if not close or j + 1 == min(n, i + m):
                            tokens[-1] += ")"
                            close = 0
                    if j + 1 < min(n, i + m) and not joined:
                        if event == "comma":
                            tokens[-1] += ","
                        elif event == "semicolon":
                            tokens[-1] += ";"
                        elif event == "colon":
                            tokens[-1] += ":"
                        elif event == "dash":
                            tokens.append("–")
                if close:
                    tokens[-1] += ")"
                i += m
                text = " ".join(tokens).replace("( ", "(")
                end = rng.random()
                sentences.append(text[0].upper() + text[1:] + ("." if end < 0.97 else "?" if end < 0.99 else "!"))
            paragraph = " ".join(sentences)
            if len(sentences) == 1 and rng.random() < self.BULLET:
                paragraph = "• " + paragraph
            lines.append(paragraph)
        if boilerplate:
            lines = [boilerplate[0], *lines, *boilerplate[1:]]
        if rng.random() < self.TYPESCRIPT:
            return headline, line_break.join(textwrap.fill(line.upper(), 72) for line in lines)
        return headline, line_break.join(lines)


#: Words of text written per term (function words, figures and headings included), measured on the writer's
#: output (``tests/test_bench_synthetic.py`` keeps it honest): the UK manifestos have 2.04.
WORDS_PER_TERM = 1.99


def _outlet_lines(outlet: str, lexicon: Lexicon) -> tuple[str, ...]:
    """An outlet's header and imprint (``synthetic_lexicon.BOILERPLATE``) with invented names."""
    import synthetic_lexicon as lex

    h = hash_word(outlet)
    tail = slice(max(0, lexicon.size - 50_000), lexicon.size)
    invented = [w for w, style in zip(lexicon.terms[tail], lexicon.styles[tail]) if style == LOWER]
    name, place = invented[h % len(invented)].title(), invented[(h // 7) % len(invented)].title()
    return tuple(line.format(outlet=outlet.title(), name=name, place=place, number=h % 300 + 1)
                 for line in lex.BOILERPLATE)


def realistic_articles(n: int, seed: int = 0, generator: RealisticCorpus | None = None,
                       design: Design | None = None) -> Iterator:
    """``n`` synthetic :class:`corpus.Article` s whose text carries :func:`realistic_documents`' terms, written
    as political prose by :class:`TextWriter`: a function word or two before most content words ("of the",
    "we will"), sentences of about 19 words with commas, semicolons, brackets, quotation marks, hyphens and
    figures ("£3 billion", "12 per cent") at the UK manifestos' rates, inflected forms ("services", "improved")
    for the lemmatiser, capitals for names and acronyms, short paragraphs, headings and bullet points, each
    outlet's header and imprint in about half of its articles (boilerplate), and a few documents set all in
    capitals and wrapped (typescript). The same design (labels, outlets, dates, positions) as
    :func:`realistic_documents` with the same ``n``, ``seed`` and ``design``."""
    import numpy as np

    from corpus import Article

    generator = generator or RealisticCorpus(seed=seed)
    design = design or _realistic_design(n, seed)
    writer = TextWriter(generator.lexicon, generator.partner)
    lines = {outlet: _outlet_lines(outlet, generator.lexicon) for outlet in dict.fromkeys(design.outlets)}
    rng = np.random.default_rng((seed, 1))
    for i, ids in enumerate(generator.draw(design.positions, design.times, seed=seed, lengths=design.lengths)):
        outlet = design.outlets[i]
        boilerplate = tuple(line for line in lines[outlet] if rng.random() < 0.5)
        headline, text = writer.write(ids, rng, boilerplate, design.line_break)
        yield Article(outlet=outlet, source="imported", title=headline or f"Synthetic piece {i}",
                      url=f"https://synthetic.invalid/realistic/{outlet}/{i}", published=design.dates[i],
                      authors=(design.authors[i],), text=text, label=design.labels[i],
                      metadata={"synthetic": "bench/synthetic.py"})


def vocabulary_growth(sizes=(100_000, 1_000_000, 2_000_000), seed: int = 0) -> list[tuple[int, int]]:
    """``(terms, distinct terms)`` of :class:`RealisticCorpus` at each size (the figure its docs quote)."""
    import numpy as np

    generator = RealisticCorpus(seed=seed)
    out = []
    for size in sizes:
        n = max(1, size // generator.mean_length)
        design = _realistic_design(n, seed)
        ids = np.concatenate(generator.draw(design.positions, design.times, seed=seed))
        out.append((int(ids.size), int(np.unique(ids).size)))
    return out


if __name__ == "__main__":
    for terms, distinct in vocabulary_growth():
        print(f"{terms:>10,} terms: {distinct:>7,} distinct ({distinct / terms * 1e6:,.0f} per million terms)")
