"""The exception of the scaling estimators; the CLI turns it into a one-line error."""
from nlp.errors import NlpError


class ScalingError(NlpError, ValueError):
    """Input a scaling estimator cannot use; the message names the problem and the fix."""
