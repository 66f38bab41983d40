"""Exceptions: the root every softleft error derives from, and the corpus package's own.

:class:`SoftleftError` is the one error root: ``corpus``, ``scrapers`` and ``nlp`` derive their errors
from it, and the CLI turns any of them into a one-line ``Error: ...`` (exit 1).
"""


class SoftleftError(Exception):
    """Base class of every error a user can cause or fix; the message says how."""


class CorpusError(SoftleftError):
    """Base class of the corpus package's errors."""


class StoreError(CorpusError):
    """The store cannot be opened or written."""


class ImportFileError(CorpusError):
    """An import file that cannot be read as a whole (not a single bad line)."""


class LabelsError(CorpusError):
    """A labels file that cannot be read."""


class SelectionError(CorpusError):
    """A filter value that matches nothing in the corpus (the message lists the known values)."""


class SearchQueryError(CorpusError):
    """A full-text query that does not parse, or asks for what this store cannot do (the message says what
    to write instead)."""


class CorpusBusy(StoreError):
    """Another process is running a job that must run alone on this corpus (``update``); the message says
    which and what to do."""
