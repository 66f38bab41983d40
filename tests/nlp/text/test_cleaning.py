"""Words split by typesetting are joined before tokenising (nlp.text.cleaning), in both feature paths."""
from __future__ import annotations

from nlp.scaling import tokenize_words
from nlp.text.cleaning import join_split_words


def test_line_end_hyphenation_is_joined():
    text = "The Conser-\nvative manifesto promised lower taxes.\n\nA CONSER-\n\n\x0c\nVATIVE government."
    assert join_split_words(text) == "The Conservative manifesto promised lower taxes.\n\nA CONSERVATIVE government."


def test_a_hyphen_that_belongs_to_the_word_stays():
    # the compound is used elsewhere, or both parts stand alone and the joined form does not
    assert join_split_words("A long-\nterm plan and a long-term fix.") == "A long-term plan and a long-term fix."
    assert (join_split_words("Self-\ngovernment: the self is free, the government serves.")
            == "Self-government: the self is free, the government serves.")


def test_dashes_and_numbers_at_a_line_end_are_left_alone():
    text = "Join EFTA-\nOver time we grew. Years 1999-\n2000 were good."
    assert join_split_words(text) == text


def test_a_space_inside_a_word_is_joined_on_the_text_s_evidence():
    text = "The gover nment acts. The Government said so, and public transport is public and transport."
    assert join_split_words(text) == ("The government acts. The Government said so, and public transport is "
                                      "public and transport.")
    # without another use of the joined word, nothing is joined
    assert join_split_words("The gover nment acts.") == "The gover nment acts."
    # two words the text also uses apart stay apart even where the joined form exists
    assert join_split_words("An in side road; inside the side streets, in town.") == (
        "An in side road; inside the side streets, in town.")


def test_words_features_see_the_joined_words():
    tokens = tokenize_words(join_split_words("Conser-\nvative and Conservative"))
    assert tokens == ["conservative", "and", "conservative"]


def test_spacy_preprocessing_sees_the_joined_words():
    from nlp.text.preprocess import Preprocessor

    terms = Preprocessor().terms("The Conser-\nvative plan; the Conservative vote.")
    assert "conser" not in terms and "vative" not in terms and terms.count("conservative") == 2
