"""The scikit-learn estimator contract without importing scikit-learn: ``get_params`` / ``set_params`` read from
``__init__``'s signature (what :func:`sklearn.base.clone` needs), and a check that an estimator is fitted.

The topic model and the scaling models use it, so reading a stored model (``scale place``, a report drawn
from stored results, ``topics show``) starts without the second scikit-learn costs to import (with pandas,
which it pulls in); a model is still cloned, inspected and tuned as any scikit-learn estimator is.
"""
from __future__ import annotations

import inspect
from typing import Any

from nlp.errors import NlpError


class Estimator:
    """``get_params`` / ``set_params`` as scikit-learn's ``BaseEstimator`` gives them (no nested estimators)."""

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(p.name for p in signature.parameters.values()
                      if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> "Estimator":
        valid = set(self._param_names())
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}; valid: {sorted(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_params().items())})"


def check_fitted(estimator: Any, attribute: str, error: type[Exception] = NlpError) -> None:
    """Raise ``error`` unless ``estimator`` has the learnt ``attribute`` (it was fitted)."""
    if not hasattr(estimator, attribute):
        raise error(f"this {type(estimator).__name__} is not fitted yet: call fit first")
