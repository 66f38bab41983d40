"""Human coding: agreement between coders and the machine checked against them.

:mod:`nlp.coding.agreement` computes Krippendorff's alpha (with a bootstrap interval over units) from plain
codes; :mod:`nlp.coding.validate` scores the classifier and the scaling positions against the coders;
:mod:`nlp.coding.study` reads a corpus' codes (through :mod:`corpus.coding`) for the ``code`` commands.
"""
from nlp.coding.agreement import VariableAgreement, agreement
from nlp.coding.study import coding_agreement, coding_validation
from nlp.coding.validate import machine_vs_coders, positions_vs_scores

__all__ = ["VariableAgreement", "agreement", "coding_agreement", "coding_validation", "machine_vs_coders",
           "positions_vs_scores"]
