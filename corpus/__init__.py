"""softleft's corpus: the :class:`Article` record, the SQLite store, labels, import and export."""
from .errors import (CorpusBusy, CorpusError, ImportFileError, LabelsError, SearchQueryError, SelectionError, SoftleftError,
                     StoreError)
from .labels import UNLABELLED, Label, LabelSet
from .models import Article
from .selection import Selection
from .store import ArticleQuery, CorpusStore

__all__ = ["Article", "ArticleQuery", "CorpusBusy", "CorpusStore", "CorpusError", "ImportFileError", "LabelsError",
           "SearchQueryError", "SelectionError", "Selection", "SoftleftError", "StoreError", "Label", "LabelSet", "UNLABELLED"]
__version__ = "0.1.0"
