"""Exceptions of the nlp package; the CLI turns them into one-line errors."""
from corpus.errors import SoftleftError


class NlpError(SoftleftError):
    """Base class: a problem a user can fix; the message says how."""


class NotPreprocessedError(NlpError):
    """Nothing (or not the requested articles) has been preprocessed yet."""

    def __init__(self, message: str = "no preprocessed terms: run `python cli.py nlp preprocess` first"):
        super().__init__(message)


class UnknownModelError(NlpError):
    """A spaCy pipeline or a topic model that does not exist."""


class VocabularyError(NlpError):
    """A phrase-vocabulary or seed-words file that cannot be read."""


class TopicModelError(NlpError):
    """A topic model cannot be fitted with these inputs (K, empty corpus, ...)."""


class InvalidParameterError(NlpError):
    """One bad value (K out of range, a bad run name); ``param`` names the option."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


class GroupError(NlpError):
    """A bad selection of groups: unknown field or group name, empty selection, too few groups."""


class EmptySelectionError(GroupError):
    """The selection holds no article (or no article with terms)."""
