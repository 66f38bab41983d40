"""Plain sentences an editor can read, from analysis results."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nlp.tendencies.evaluation import EvaluationResult


def plain_words(e: EvaluationResult, technical: bool = True) -> str:
    """One evaluation in a sentence an editor can read (``technical=False``: without the score's name and
    figures, as the findings at a glance put it; the method note explains the score)."""
    held = (f"Tested on each {e.group_by}'s articles after training on other {e.group_by}s' writing"
            if e.group_by in ("outlet", "author") else "Tested on articles it was not trained on")
    baseline = e.baseline
    verdict = ("clearly better than guessing" if e.macro_f1 >= baseline["macro_f1"] + 0.3
               else "somewhat better than guessing" if e.macro_f1 >= baseline["macro_f1"] + 0.1
               else "hardly better than guessing")
    averaged = (f"Averaged over the tendencies (macro-F1 {e.macro_f1:.2f} against {baseline['macro_f1']:.2f})"
                if technical else "Judged tendency by tendency, so that the largest cannot carry the score")
    return (f"{held}, the classifier names the right tendency for {e.accuracy:.0%} of {e.n_documents} "
            f"articles; always answering '{baseline['class']}' would be right for {baseline['accuracy']:.0%}. "
            f"{averaged}, that is {verdict}.")

