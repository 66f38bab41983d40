"""People's names in term lists, so that collocations never split a name's count into fragments.

Term lists are lower-case, so a name is recognised by where it stands: right after a personal title
("Mrs Thatcher", "Prime Minister Jane Doe"), or after a given name or another name word ("Jane Doe").
:meth:`nlp.text.preprocess.Collocations.fit` never joins such words to a neighbour (docs/preprocessing.md).

:func:`person_names_in_texts` judges terms by how the raw text writes them (capitals, titles): whether a
classifier's top features are people's names (``classify evaluate``'s person-name caveat).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

__all__ = ["PERSON_TITLES", "PERSON_TITLES_2", "FIRST_NAMES", "count_after_titles", "person_name_words",
           "person_names_in_texts"]

#: Terms after which a capitalised word is a person's name ("Mrs Thatcher", "Sir Keir"): never part of a
#: collocation. Only titles that are rarely followed by anything else ("Miss", "Lord", "Councillor" are not).
PERSON_TITLES = frozenset({"mr", "mrs", "ms", "dr", "sir", "dame", "president", "cllr", "comrade", "baroness",
                           "general_secretary"})
#: Common given names that are not also ordinary words ("Will", "Mark", "Bill", "Rose", "Grace" are left
#: out): a bigram starting with one is a person's name, never a collocation ("George Bush" stays ``george``
#: ``bush``, so "Bush" alone counts with it).
FIRST_NAMES = frozenset("""
    adam alan alastair alec alex alexander alice alison amy andrew andy angela ann anna anne anthony barbara
    ben benjamin boris brian caroline catherine charles charlotte chris christine christopher clare claire
    clement dan daniel david deborah denis diane donald douglas ed edward elizabeth emily emma eric fiona
    frances gary geoffrey george gerry gillian gordon graham harold harriet helen hilary ian jack jacob james
    jane janet jeremy jess jessica jim joan joe john jonathan joseph julia julie karen kate katherine keir
    keith kenneth kevin kier laura liam lisa louise margaret maria martin mary matthew michael michelle neil
    nicholas nick nicola norman oliver patricia paul peter philip priti rachel rebecca richard rishi robert
    roy ruth ryan sadiq sam samantha sarah simon stephen steve steven stuart susan theresa thomas tim timothy
    tony valerie vince william yvette zarah
""".split())

#: Two-word titles, as consecutive terms.
PERSON_TITLES_2 = (("prime", "minister"), ("home", "secretary"), ("foreign", "secretary"),
                   ("shadow", "chancellor"), ("deputy", "leader"))
_TITLE_HEADS = frozenset(b for _, b in PERSON_TITLES_2)


def count_after_titles(terms: list[str], titled: Counter) -> None:
    """Count the terms that follow a two-word title in ``terms`` (single-word titles come from bigrams)."""
    last = len(terms) - 1
    for head in _TITLE_HEADS:
        i = 0
        while True:  # list.index: a C-speed scan, so a document without the head word costs one pass
            try:
                i = terms.index(head, i + 1, last)
            except ValueError:
                break
            if (terms[i - 1], head) in PERSON_TITLES_2:
                titled[terms[i + 1]] += 1


def person_name_words(bigrams: Counter, titled: Counter, words: Counter, min_count: int = 2,
                      min_share: float = 0.1) -> tuple[frozenset[str], frozenset[str]]:
    """The words of people's names, from the terms that follow a personal title.

    Parameters
    ----------
    bigrams : Counter of (str, str)
        Bigram counts of the corpus terms.
    titled : Counter of str
        Counts of terms after a two-word title (see :data:`PERSON_TITLES_2`).
    words : Counter of str
        Term counts.
    min_count, min_share : int, float
        A name word follows a title at least ``min_count`` times, in at least ``min_share`` of its uses.

    Returns
    -------
    names : frozenset of str
        Name words ("Mrs Thatcher": ``thatcher``; not ``local`` for the odd "Mr Speaker, local ..."), and
        the words that follow a name word or a given name (:data:`FIRST_NAMES`) as often ("Jane Doe":
        ``doe``): never joined to a neighbour.
    surnames : frozenset of str
        Every term seen ``min_count`` times after a title, names or not ("Mr Major": ``major``): never the
        second part of a collocation, so no ``john_major`` takes uses away from "Mr Major".
    """
    def often(after: Counter) -> frozenset[str]:
        return frozenset(w for w, n in after.items()
                         if n >= min_count and n >= min_share * words[w] and w not in PERSON_TITLES)

    after: Counter = Counter(titled)
    for (a, b), n in bigrams.items():
        if a in PERSON_TITLES:
            after[b] += n
    surnames = frozenset(w for w, n in after.items() if n >= min_count and w not in PERSON_TITLES)
    names = often(after)
    # one step along the name run: what follows a name word or a given name ("Jane Doe": doe)
    heads = names | FIRST_NAMES
    follow: Counter = Counter()
    for (a, b), n in bigrams.items():
        if a in heads:
            follow[b] += n
    return names | often(follow), surnames


# ----------------------------------------------------------------------------- names in the raw text
#: Words after which a capitalised word is a person's name, in running text (case-insensitive): the titles
#: above and the offices that precede a name in speeches and reports ("Deputy Kenny", "Minister Lenihan").
TEXT_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "president", "cllr",
                         "councillor", "comrade", "baroness", "baron", "deputy", "minister", "senator", "taoiseach",
                         "tánaiste", "tanaiste", "chancellor", "secretary", "professor", "prof", "rev", "reverend",
                         "mp", "mep", "td", "msp", "governor", "mayor", "judge", "justice", "leader"})
#: A proper name is written with a capital in at least this share of its uses inside a sentence ...
CAPITALISED_SHARE = 0.9
#: ... in at least this many such uses ...
MIN_USES = 3
#: ... and a person's name follows a title or a given name in at least this share of its capitalised uses
#: (and at least twice): "Deputy Kenny", "Enda Kenny"; never "Northern Ireland" or "Fianna Fáil".
AFTER_TITLE_SHARE = 0.05
_SENTENCE_END = re.compile(r"(^|[.!?:;\"“”‘'(\[\n]|\n\s*)\s*$")
_LAST_WORD = re.compile(r"([^\W\d_][\w.'’-]*)\s+$")


def person_names_in_texts(terms: Iterable[str], texts: Iterable[str], given_names: Iterable[str] = FIRST_NAMES
                          ) -> set[str]:
    """The ``terms`` that are people's names, judged from how ``texts`` write them.

    A term (lower-case; a joined term ``enda_kenny`` is its words in sequence) is a **proper name** when,
    inside a sentence (not after ``.``, ``!``, ``?``, ``:``, a quotation mark or a line break), at least
    :data:`CAPITALISED_SHARE` of its uses start with a capital, over at least :data:`MIN_USES` uses; and a
    **person's** name when in at least :data:`AFTER_TITLE_SHARE` of its capitalised uses (and twice) it
    follows a title (:data:`TEXT_TITLES`: "Mr", "Deputy", "Minister") or a capitalised given name
    (:data:`FIRST_NAMES`): "Deputy Kenny", "Brian Lenihan". Places, parties and months are proper names
    but seldom follow a title, so they are not people.

    Parameters
    ----------
    terms : iterable of str
        The terms to judge (a classifier's top features).
    texts : iterable of str
        Texts that use them (as written).
    given_names : iterable of str
        Lower-case given names that mark the next word as a surname.

    Returns
    -------
    set of str
    """
    titles = TEXT_TITLES | frozenset(given_names)
    texts = [t for t in texts if t]
    out: set[str] = set()
    for term in set(terms):
        words = [w for w in term.split("_") if w]
        if not words or not all(re.fullmatch(r"[^\W\d_][\w'’-]*", w) for w in words):
            continue
        pattern = re.compile(r"(?<![\w'’-])" + r"[\s-]+".join(re.escape(w) for w in words) + r"(?:['’]s)?(?![\w-])",
                             re.IGNORECASE)
        inside = capitalised = after_title = 0
        for text in texts:
            for match in pattern.finditer(text):
                before = text[max(0, match.start() - 40):match.start()]
                if _SENTENCE_END.search(before):
                    continue
                inside += 1
                written = re.split(r"[\s-]+", match.group())
                if not all(w[:1].isupper() for w in written):
                    continue
                capitalised += 1
                last = _LAST_WORD.search(before)
                if last and last.group(1).rstrip(".").casefold() in titles and last.group(1)[:1].isupper():
                    after_title += 1
        if (inside >= MIN_USES and capitalised >= CAPITALISED_SHARE * inside and after_title >= 2
                and after_title >= AFTER_TITLE_SHARE * capitalised):
            out.add(term)
    return out
