"""Text cleaning before tokenising: words that typesetting or PDF extraction split in two are joined again.

Two kinds of split, both common in texts converted from print (manifestos, reports, scanned pamphlets):

* **line-end hyphenation**: ``Conser-\\nvative``. The two parts are joined (``Conservative``) unless the text
  shows that the hyphen belongs to the word: the hyphenated form occurs elsewhere in the text
  (``long-\\nterm`` where ``long-term`` occurs), or both parts occur on their own and the joined form does not
  (``self-\\ngovernment``). A second part that starts with a capital is a dash between two words, not a
  hyphenation, and is left alone (``EFTA-\\nOver``) unless both parts are in capitals (``CONSER-\\nVATIVE``);
  so are numbers (``1999-\\n2000``).
* **a space inside a word**: ``Conser vative``, ``gover nment`` (a lost ligature or kerning in extracted
  PDF text). Two lower-case fragments of at least two letters are joined only when the joined word occurs
  elsewhere in the same text and one of the fragments never occurs there on its own: ``of fer`` becomes
  ``offer`` where ``offer`` is used and ``fer`` is not, while ``public transport`` stays two words.

The evidence is the text itself, so a short text with one split word and no other use of it keeps the line
break's hyphenation joined (the usual case in typeset prose) and any spaced fragments as they are. The
stored text is never changed: this runs on the way into tokenising (``--features words`` and the spaCy
preprocessing alike).
"""
from __future__ import annotations

import re
from collections import Counter

_BREAK = re.compile(r"-[ \t]*\n\s*")  # a hyphen at a line end (blank lines and page breaks may follow)
_LAST_LETTERS = re.compile(r"(?<![\w-])[^\W\d_]+$")
_LETTERS = re.compile(r"[^\W\d_]+")
_WORDS = re.compile(r"\w+")
# two lower-case fragments separated by one space (the second as a look-ahead, so pairs may overlap)
_PAIR = re.compile(r"(?<![\w'’-])([A-Za-z][a-z]+) (?=([a-z][a-z]+)(?![\w'’-]))")


def join_split_words(text: str) -> str:
    """``text`` with words split by line-end hyphenation or by a stray space joined again (see the module).

    Parameters
    ----------
    text : str
        A text as stored, with its line breaks (they are the evidence of line-end hyphenation).

    Returns
    -------
    str
        The text with each split word joined (its case kept); everything else unchanged.

    Examples
    --------
    >>> join_split_words("The Conser-\\nvative manifesto. The Conservative Party.")
    'The Conservative manifesto. The Conservative Party.'
    >>> join_split_words("A long-\\nterm plan, not a long-term fix.")
    'A long-term plan, not a long-term fix.'
    >>> join_split_words("The gover nment will act: government by consent, public transport for all.")
    'The government will act: government by consent, public transport for all.'
    """
    if "-" in text and "\n" in text:
        text = _join_hyphenated(text)
    return _join_spaced(text) if " " in text else text


def _join_hyphenated(text: str) -> str:
    splits = []  # (start, end, first part, second part) of each word broken at a line end
    for brk in _BREAK.finditer(text):
        before = _LAST_LETTERS.search(text, max(0, brk.start() - 60), brk.start())
        after = _LETTERS.match(text, brk.end())
        if before and after and (after.end() == len(text) or not (text[after.end()].isalnum()
                                                                   or text[after.end()] in "-_")):
            splits.append((before.start(), after.end(), before.group(0), after.group(0)))
    if not splits:
        return text
    lowered = text.casefold()
    words = Counter(_WORDS.findall(lowered))
    split_uses = Counter(part.casefold() for *_, first, second in splits for part in (first, second))

    def alone(part: str) -> bool:  # the part occurs on its own, beyond its uses in split words
        return words[part.casefold()] > split_uses[part.casefold()]

    out, at = [], 0
    for start, end, first, second in splits:
        if second[0].isupper() and not (first.isupper() and second.isupper()):
            continue  # a dash between two words ("EFTA-\nOver"), not a split word ("CONSER-\nVATIVE")
        compound = f"{first}-{second}".casefold()
        hyphenated = re.search(rf"(?<![\w-]){re.escape(compound)}(?![\w-])", lowered) is not None
        keep = hyphenated or (not words[(first + second).casefold()] and alone(first) and alone(second))
        out.append(text[at:start] + (f"{first}-{second}" if keep else first + second))
        at = end
    out.append(text[at:])
    return "".join(out)


def _join_spaced(text: str) -> str:
    pairs = _PAIR.findall(text)
    if not pairs:
        return text
    words = Counter(_WORDS.findall(text.casefold()))
    joinable = [(a, b) for a, b in pairs if words[(a + b).casefold()]]
    if not joinable:
        return text
    uses = Counter(part.casefold() for pair in joinable for part in pair)
    # two words the text also uses apart stay apart ("in side" where "side" stands alone)
    chosen = {f"{a} {b}" for a, b in joinable if not (words[a.casefold()] > uses[a.casefold()]
                                                      and words[b] > uses[b])}
    if not chosen:
        return text
    pattern = re.compile(r"(?<![\w'’-])(?:" + "|".join(re.escape(c) for c in sorted(chosen, key=len, reverse=True))
                         + r")(?![\w'’-])")
    return pattern.sub(lambda m: m.group(0).replace(" ", ""), text)
