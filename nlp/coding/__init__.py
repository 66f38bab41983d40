"""Human coding: agreement between coders and the machine checked against them.

:mod:`nlp.coding.agreement` computes Krippendorff's alpha (with a bootstrap interval over units) from plain
codes; :mod:`nlp.coding.validate` scores the classifier and the scaling positions against the coders;
:mod:`nlp.coding.study` reads a corpus' codes (through :mod:`corpus.coding`) for the ``code`` commands.
"""
from importlib import import_module
from typing import Any

#: Each name the package offers -> the module that defines it. Imported when first asked for: reading a
#: corpus' consensus codes (:mod:`nlp.coding.summary`) needs neither scikit-learn nor scipy.stats, which the
#: validation against the machine imports.
_HOME = {"VariableAgreement": "agreement", "agreement": "agreement", "coding_agreement": "study",
         "coding_validation": "study", "machine_vs_coders": "validate", "positions_vs_scores": "validate"}
__all__ = list(_HOME)


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
