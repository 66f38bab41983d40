"""The exception of the scaling estimators; the CLI turns it into a one-line error."""


class ScalingError(ValueError):
    """Input a scaling estimator cannot use; the message names the problem and the fix."""
