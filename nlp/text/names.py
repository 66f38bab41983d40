"""People's names in term lists, so that collocations never split a name's count into fragments.

Term lists are lower-case, so a name is recognised by where it stands: right after a personal title
("Mrs Thatcher", "Prime Minister Jane Doe"), or after a given name or another name word ("Jane Doe").
:meth:`nlp.text.preprocess.Collocations.fit` never joins such words to a neighbour (docs/preprocessing.md).
"""
from __future__ import annotations

from collections import Counter

__all__ = ["PERSON_TITLES", "PERSON_TITLES_2", "FIRST_NAMES", "count_after_titles", "person_name_words"]

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
