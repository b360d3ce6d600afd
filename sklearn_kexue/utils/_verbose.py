"""One format for the progress lines of every iterative estimator.

``verbose=1`` prints a summary at the end of a fit, ``verbose>=2`` one line per
iteration (epoch), each starting with ``[ClassName]``, then the iteration
number and the loss that the estimator records in ``loss_curve_``, so that
lines from different estimators read (and parse) alike.
"""

__all__ = ["print_iteration", "print_summary"]


def _details(details):
    return "".join(f", {name.replace('_', ' ')} {value}" for name, value in details)


def _number(value):
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def print_iteration(estimator, iteration, loss, **details):
    """Print ``[ClassName] iteration N, loss L[, name value ...]``.

    Parameters
    ----------
    estimator : estimator instance
        The estimator being fitted; its class name prefixes the line.
    iteration : int
        1-based iteration (epoch) number.
    loss : float
        The loss after this iteration, as recorded in ``loss_curve_``.
    **details : dict
        Further ``name=value`` pairs, printed in order.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator
    >>> from sklearn_kexue.utils._verbose import print_iteration
    >>> print_iteration(BaseEstimator(), 3, 0.25, learning_rate=0.01)
    [BaseEstimator] iteration 3, loss 0.25, learning rate 0.01
    """
    formatted = ((name, _number(value)) for name, value in details.items())
    print(
        f"[{type(estimator).__name__}] iteration {iteration}, "
        f"loss {_number(float(loss))}{_details(formatted)}"
    )


def print_summary(estimator, n_iter, loss, *, converged, **details):
    """Print ``[ClassName] converged|stopped after N iterations, loss L[, ...]``.

    Parameters
    ----------
    estimator : estimator instance
        The fitted estimator.
    n_iter : int
        Iterations (epochs) run.
    loss : float
        The final loss.
    converged : bool
        Whether the stopping criterion was met before the iteration limit.
    **details : dict
        Further ``name=value`` pairs, printed in order.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator
    >>> from sklearn_kexue.utils._verbose import print_summary
    >>> print_summary(BaseEstimator(), 12, 0.125, converged=True)
    [BaseEstimator] converged after 12 iterations, loss 0.125
    """
    outcome = "converged" if converged else "stopped"
    formatted = ((name, _number(value)) for name, value in details.items())
    print(
        f"[{type(estimator).__name__}] {outcome} after {n_iter} iterations, "
        f"loss {_number(float(loss))}{_details(formatted)}"
    )
