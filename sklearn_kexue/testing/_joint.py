"""Joint strategies: an estimator drawn together with data its ``fit`` accepts."""

import string
from collections import namedtuple
from numbers import Integral, Real

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils._param_validation import Interval as AnyInterval
from sklearn.utils._param_validation import Options

from sklearn_kexue.testing._strategies import (
    FORMATS,
    _as_format,
    _check_estimator_class,
    _constructor_parameters,
    _format_names,
    _matrix_dtypes,
    _parameter_strategies,
    _satisfies,
    _size_range,
    _strategy_for_constraints,
    matrices,
)
from sklearn_kexue.utils._data_constraints import (
    DATA_NAMES,
    LABEL_NAMES,
    Given,
    InputData,
    Labels,
)
from sklearn_kexue.utils._param_validation import Interval, validate_params

__all__ = ["FitCase", "estimators_with_data"]

# Entries a regressor's targets are drawn from when the class says nothing.
_REGRESSION_TARGETS = st.floats(-100, 100, allow_nan=False, allow_subnormal=False)

# Draws of "counts" data: small counts keep sums exact and outputs readable.
_MAX_COUNT = 5


class FitCase(namedtuple("FitCase", ["estimator", "X", "y"])):
    """An unfitted estimator and data its ``fit`` accepts: ``(estimator, X, y)``.

    The ``repr`` is Python that rebuilds the case (with ``np``, ``sp`` and
    ``sparse`` imported), so that a failing example hypothesis reports can be
    pasted into a test.

    Parameters
    ----------
    estimator : estimator instance
        Unfitted estimator.
    X : {ndarray, sparse matrix, pydata sparse array, list of documents}
        Data its ``fit`` accepts.
    y : ndarray of shape (n_samples,) or None
        Targets; None for an estimator that takes none.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import SignRandomProjection
    >>> from sklearn_kexue.testing import FitCase
    >>> case = FitCase(SignRandomProjection(n_components=2), np.eye(2), None)
    >>> estimator, X, y = case
    >>> case
    FitCase(estimator=SignRandomProjection(n_components=2), X=np.array([[1., 0.],
     [0., 1.]], dtype=np.float64), y=None)
    """

    __slots__ = ()

    def __repr__(self):
        return (
            f"FitCase(estimator={self.estimator!r}, X={_source(self.X)}, "
            f"y={_source(self.y)})"
        )


def _source(data):
    """Python source for drawn data (NumPy, SciPy sparse, pydata, lists)."""
    if data is None or isinstance(data, list):
        return repr(data)
    if isinstance(data, np.ndarray):
        body = np.array2string(
            data, separator=", ", threshold=10**6, floatmode="unique"
        )
        return f"np.array({body}, dtype=np.{data.dtype})"
    module = type(data).__module__.split(".")[0]
    dense = _source(data.toarray() if module == "scipy" else data.todense())
    if module == "scipy":
        return f"sp.{type(data).__name__}({dense})"
    if type(data).__name__ == "COO":
        return f"sparse.COO.from_numpy({dense})"
    return f"sparse.GCXS.from_numpy({dense}, compressed_axes=(0,))"


def _default_constraints(estimator_class):
    """What a class without ``_data_constraints`` is assumed to accept."""
    if issubclass(estimator_class, ClassifierMixin):
        return {"X": InputData(min_samples=2, pydata=False), "y": Labels()}
    if issubclass(estimator_class, RegressorMixin):
        return {"X": InputData(pydata=False), "y": "continuous"}
    return {"X": InputData(pydata=False), "y": None}


def data_constraints_of(estimator_class, extra=None):
    """The class's data constraints: its own, the defaults, then ``extra``."""
    constraints = _default_constraints(estimator_class)
    own = getattr(estimator_class, "_data_constraints", None)
    for name, source in (("_data_constraints", own), ("data_constraints", extra)):
        if source is None:
            continue
        if not isinstance(source, dict):
            raise TypeError(f"{name} must be a dict, got {type(source).__name__}.")
        constraints.update(source)
    _check_estimator_class(estimator_class)
    parameters = set(_constructor_parameters(estimator_class))
    for name, rule in constraints.items():
        if name == "X":
            if not isinstance(rule, (InputData, Given)):
                raise TypeError(
                    f"{estimator_class.__name__}'s data constraint 'X' must be "
                    f"an InputData or a Given, got {rule!r}."
                )
        elif name == "y":
            if not (rule is None or _is_continuous(rule) or isinstance(rule, Labels)):
                raise TypeError(
                    f"{estimator_class.__name__}'s data constraint 'y' must be a "
                    f"Labels, 'continuous' or None, got {rule!r}."
                )
        elif name not in parameters:
            raise ValueError(
                f"{estimator_class.__name__} has no parameter {name!r} for its data "
                "constraint."
            )
        elif not isinstance(rule, Given):
            raise TypeError(
                f"{estimator_class.__name__}'s data constraint for {name!r} must be "
                f"a Given, got {rule!r}."
            )
    return constraints


def _is_continuous(rule):
    return isinstance(rule, str) and rule == "continuous"


def _node_of(name, parameters):
    """The drawn entry that provides a name: a parameter, 'X' or 'y'."""
    if name in DATA_NAMES:
        return "X"
    if name in LABEL_NAMES:
        return "y"
    if name in parameters:
        return name
    raise ValueError(
        f"A data constraint depends on {name!r}, which is neither a parameter nor "
        f"one of {DATA_NAMES + LABEL_NAMES}."
    )


def _drawing_order(estimator_class, parameters, constraints):
    """Entries in an order where each comes after what its rules depend on."""
    depends = {name: set() for name in parameters}
    depends["X"], depends["y"] = set(), {"X"}
    for name, rule in constraints.items():
        if isinstance(rule, Given):
            depends[name] |= {_node_of(n, parameters) for n in rule.names} - {name}
    order, state = [], {}

    def visit(node, path):
        if state.get(node) == "done":
            return
        if state.get(node) == "visiting":
            cycle = " -> ".join([*path, node])
            raise ValueError(
                f"{estimator_class.__name__}'s data constraints depend on each "
                f"other in a cycle: {cycle}."
            )
        state[node] = "visiting"
        for needed in sorted(depends[node], key=list(depends).index):
            visit(needed, [*path, node])
        state[node] = "done"
        order.append(node)

    for node in depends:
        visit(node, [])
    return order


@st.composite
def _documents(draw, spec, rows):
    """A corpus: documents of tokens from a small vocabulary, str or token lists."""
    n_words = draw(st.integers(max(spec.min_features, 1), max(spec.min_features, 8)))
    words = draw(
        st.lists(
            st.text(string.ascii_lowercase, min_size=2, max_size=6),
            min_size=n_words,
            max_size=n_words,
            unique=True,
        )
    )
    n_documents = draw(st.integers(*rows))
    documents = draw(
        st.lists(
            st.lists(st.sampled_from(words), min_size=0, max_size=12),
            min_size=n_documents,
            max_size=n_documents,
        )
    )
    if draw(st.booleans()):
        documents = [" ".join(tokens) for tokens in documents]
    return documents


def _word_counts(documents):
    counts = {}
    for document in documents:
        tokens = document.split() if isinstance(document, str) else document
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
    return counts


def accepted_formats(spec, formats=FORMATS):
    """The containers of ``formats`` that an InputData accepts (dense always)."""
    return [
        name
        for name in formats
        if name == "dense"
        or (spec.sparse and (spec.pydata or not name.startswith("pydata")))
    ] or ["dense"]


@st.composite
def _data(draw, spec, rows, columns, formats, dtypes):
    """X for ``spec`` (an InputData) and the quantities it provides."""
    rows = (max(rows[0], spec.min_samples), max(rows[1], spec.min_samples))
    columns = (max(columns[0], spec.min_features), max(columns[1], spec.min_features))
    if spec.kind == "documents":
        X = draw(_documents(spec, rows))
        counts = _word_counts(X)
        if spec.require is not None:
            assume(spec.require(X))
        quantities = {
            "n_samples": len(X),
            "n_features": len(counts),
            "format": "documents",
            "max_word_count": max(counts.values(), default=0),
        }
        return X, quantities
    formats = accepted_formats(spec, formats)
    if spec.kind == "cooccurrence":
        contexts = draw(
            matrices(
                n_samples=(1, 10),
                n_features=columns,
                dtypes=dtypes,
                formats=["dense"],
                min_value=0,
                max_value=_MAX_COUNT,
                integer_valued=True,
                zero_fraction=0.5,
            )
        )
        values = contexts.T @ contexts
        np.fill_diagonal(values, contexts.sum(axis=0))
    else:
        bounds = {
            "real": (-100.0, 100.0, False),
            "nonnegative": (0.0, 100.0, False),
            "counts": (0, _MAX_COUNT, True),
        }[spec.kind]
        values = draw(
            matrices(
                n_samples=rows,
                n_features=columns,
                dtypes=dtypes,
                formats=["dense"],
                min_value=bounds[0],
                max_value=bounds[1],
                integer_valued=bounds[2],
            )
        )
    if spec.require is not None:
        assume(spec.require(values))
    format = draw(st.sampled_from(formats))
    quantities = {
        "n_samples": values.shape[0],
        "n_features": values.shape[1],
        "format": format,
        "max_word_count": None,
    }
    return _as_format(values, format), quantities


@st.composite
def _labels(draw, spec, n_samples):
    """Labels with at least ``spec.min_classes`` classes among ``n_samples``."""
    high = max(spec.min_classes, min(n_samples, 4))
    n_classes = draw(st.integers(spec.min_classes, high))
    assume(n_samples >= n_classes)
    names = draw(
        st.sampled_from(
            [
                np.arange(n_classes),
                np.array([f"class_{i}" for i in range(n_classes)]),
                np.arange(n_classes) * 10 - 5,
            ]
        )
    )
    rest = draw(
        st.lists(
            st.integers(0, n_classes - 1),
            min_size=n_samples - n_classes,
            max_size=n_samples - n_classes,
        )
    )
    order = draw(st.permutations(range(n_samples)))
    indices = np.array(list(range(n_classes)) + rest)[np.array(order, dtype=np.intp)]
    return names[indices], n_classes


def _rule_strategy(estimator_class, name, rule, context, own, spans):
    """Values a rule allows in ``context``, each within the parameter's own."""
    allowed = rule.resolve(context)
    if not isinstance(allowed, list):
        raise TypeError(
            f"{estimator_class.__name__}'s data constraint for {name!r} must "
            f"return a list of constraints, got {allowed!r}."
        )
    for constraint in allowed:
        drawable = _strategy_for_constraints([constraint], **spans) is not None
        # An interval or option set may be empty in a context; nothing else may.
        if not drawable and not isinstance(constraint, (AnyInterval, Options)):
            raise TypeError(
                f"{estimator_class.__name__}'s data constraint for {name!r} "
                f"returned {constraint!r}, which cannot be drawn: use an Interval, "
                "StrOptions, Options, None, 'boolean' or 'random_state'."
            )
    strategy = _strategy_for_constraints(allowed, **spans)
    if strategy is None:
        # No value fits this context (ARPACK on a 1 x 1 matrix): draw another.
        return st.nothing()

    def within_own(value):
        if not _satisfies(own, value):
            raise ValueError(
                f"{estimator_class.__name__}'s data constraint for {name!r} allows "
                f"{value!r}, which its _parameter_constraints refuse."
            )
        return value

    return strategy.map(within_own)


# Everything a draw needs, fixed when the strategy is built.
_Plan = namedtuple(
    "_Plan",
    ["constraints", "order", "strategies", "spans", "overrides", "sizes"],
)


@st.composite
def _fit_cases(draw, estimator_class, plan):
    own = estimator_class._parameter_constraints
    context, params, X, y = {}, {}, None, None
    for node in plan.order:
        if node == "X":
            spec = plan.constraints["X"]
            if isinstance(spec, Given):
                spec = spec.resolve(context)
            X, quantities = draw(_data(spec, *plan.sizes))
            context.update(quantities)
        elif node == "y":
            y, context["n_classes"] = draw(
                _targets(plan.constraints.get("y"), context["n_samples"])
            )
        else:
            rule = plan.constraints.get(node)
            if rule is None or node in plan.overrides:
                value = draw(plan.strategies[node])
                if rule is not None:
                    # A value the user fixed: keep only contexts that allow it.
                    assume(_satisfies(rule.resolve(context), value))
            else:
                value = draw(
                    _rule_strategy(
                        estimator_class,
                        node,
                        rule,
                        context,
                        own.get(node, []),
                        plan.spans,
                    )
                )
            params[node] = context[node] = value
    return FitCase(estimator_class(**params), X, y)


def _targets(rule, n_samples):
    """Targets and the number of classes (None where there are none)."""
    if isinstance(rule, Labels):
        return _labels(rule, n_samples)
    if _is_continuous(rule):
        targets = st.lists(_REGRESSION_TARGETS, min_size=n_samples, max_size=n_samples)
        return targets.map(lambda values: (np.array(values), None))
    return st.just((None, None))


@validate_params(
    {
        "estimator_class": [type],
        "n_samples": [Interval(Integral, 0, None, closed="left"), tuple, list],
        "n_features": [Interval(Integral, 0, None, closed="left"), tuple, list],
        "dtypes": [list, tuple, type, np.dtype, str],
        "formats": [list, tuple, str],
        "data_constraints": [dict, None],
        "int_span": [Interval(Integral, 0, None, closed="left")],
        "float_span": [Interval(Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def estimators_with_data(
    estimator_class,
    *,
    n_samples=(1, 20),
    n_features=(1, 10),
    dtypes=(np.float64, np.float32),
    formats=FORMATS,
    data_constraints=None,
    int_span=64,
    float_span=10.0,
    **overrides,
):
    """Strategy for an unfitted estimator together with data its ``fit`` accepts.

    Parameters are drawn as by :func:`estimator_params`, from the class's
    ``_parameter_constraints``; the rules that tie them to the data and to
    each other come from the class's ``_data_constraints`` (see
    :ref:`testing`), so that the parameters, ``X`` and ``y`` of a draw fit
    together. Entries are drawn in an order where each comes after what its
    rules depend on: ``X`` before ``n_components <= n_features``,
    ``n_components`` before ``hash_length < n_components``.

    A class without ``_data_constraints`` (scikit-learn's own estimators,
    say) is assumed to accept finite real ``X`` in NumPy and SciPy
    containers (not pydata ``sparse``), and class labels with at least two
    classes if it is a classifier, real targets if a regressor.

    Parameters
    ----------
    estimator_class : type
        An estimator class with ``_parameter_constraints``.
    n_samples, n_features : int or (int, int), default=(1, 20) and (1, 10)
        Sizes of ``X`` to draw, raised to the fewest the class accepts
        (``InputData.min_samples`` and ``min_features``). For documents,
        ``n_samples`` is the number of documents.
    dtypes : dtype or sequence of dtypes, default=(np.float64, np.float32)
        Element dtypes of numeric ``X``.
    formats : str or sequence of str, default=FORMATS
        Containers of numeric ``X``; a class whose ``InputData`` says
        ``sparse=False`` gets dense arrays only.
    data_constraints : dict, default=None
        Entries that replace or add to the class's ``_data_constraints``:
        the way to describe a class you cannot edit.
    int_span, float_span : int and float, default=64 and 10.0
        Widths of the drawn ranges for intervals with an open end, as in
        :func:`estimator_params`.
    **overrides : dict
        Values or strategies for given parameters. A fixed value that a data
        rule refuses in some context rejects that draw.

    Returns
    -------
    strategy : hypothesis strategy
        Draws :class:`FitCase` tuples ``(estimator, X, y)``.

    Raises
    ------
    TypeError or ValueError
        If the class has no ``_parameter_constraints``, a data constraint is
        malformed, names an unknown parameter or quantity, or the rules
        depend on each other in a cycle.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> from sklearn_kexue import FlyHashTransformer
    >>> from sklearn_kexue.testing import estimators_with_data
    >>> @settings(max_examples=10, deadline=None)
    ... @given(case=estimators_with_data(FlyHashTransformer, sparse_output=True))
    ... def test_codes_have_k_winners(case):
    ...     hasher, X, _ = case
    ...     codes = hasher.fit_transform(X)  # CSR: the winners are stored
    ...     assert (np.diff(codes.indptr) == hasher.hash_length_).all()
    >>> test_codes_have_k_winners()
    """
    constraints = data_constraints_of(estimator_class, data_constraints)
    strategies = _parameter_strategies(estimator_class, int_span, float_span, overrides)
    order = _drawing_order(estimator_class, list(strategies), constraints)
    sizes = (
        _size_range(n_samples, "n_samples"),
        _size_range(n_features, "n_features"),
        _format_names(formats),
        _matrix_dtypes(dtypes),
    )
    spans = {"int_span": int_span, "float_span": float(float_span)}
    plan = _Plan(constraints, order, strategies, spans, set(overrides), sizes)
    return _fit_cases(estimator_class, plan)
