"""The article's duplicate key and word count: the fast path gives exactly what splitting gives."""
import random

import pytest

from corpus.models import Article, collapse_whitespace, count_words, normalise_text

#: Every separator ``str.split`` knows, some characters it does not, and letters.
ALPHABET = (list("ab ") + [" ", "\n", "\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f",
                           "\x85", "\u00a0", "\u2028", "\u3000", "é", "ß", "\x00", "\u200b"])


@pytest.mark.parametrize("ascii_only", [True, False])
def test_collapse_whitespace_equals_split_and_join(ascii_only):
    rng = random.Random(7)
    alphabet = ALPHABET[:13] if ascii_only else ALPHABET
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        words = text.split()
        assert collapse_whitespace(text) == (" ".join(words), len(words)), repr(text)


@pytest.mark.parametrize("text", ["one line of words", "Two\n\nparagraphs here.\nAnd a line", "", "  padded  ",
                                  "tab\tinside", "run  of spaces", "non\u00a0breaking"])
def test_article_digest_matches_the_definition(text):
    article = Article(outlet="x", text=text, title="t", source="imported")
    assert article.word_count == count_words(text) == len(text.split())
    # the duplicate key is the hash of normalise_text, whichever path computed it
    from corpus.models import text_hash
    assert article.content_hash == text_hash(text)
    assert normalise_text(text) == " ".join(text.split()).casefold().replace("\u00a0", " ")


@pytest.mark.parametrize("fields", [{"source": "imported"}, {"source": "scraped", "canonical_url": "https://x.org/a"},
                                    {"source": "scraped"}, {"source": "imported", "stored_id": "h0123"}])
def test_identity_is_the_id_hash_and_word_count(fields):
    article = Article(outlet="x", text="Two words\n\nand more", title="t", **fields)
    assert article.identity() == (article.id, article.content_hash, article.word_count)
