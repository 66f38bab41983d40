"""Exceptions of the corpus package; the CLI turns them into one-line errors."""


class CorpusError(Exception):
    """Base class: a problem a user can fix; the message says how."""


class StoreError(CorpusError):
    """The store cannot be opened or written."""


class ImportFileError(CorpusError):
    """An import file that cannot be read as a whole (not a single bad line)."""


class LabelsError(CorpusError):
    """A labels file that cannot be read."""
