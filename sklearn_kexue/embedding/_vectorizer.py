"""Windowed word co-occurrence counts, per document or summed over a corpus."""

import os
import re
from collections import Counter
from collections.abc import Mapping, Set
from itertools import chain, compress, repeat
from numbers import Integral
from operator import ge, itemgetter, ne

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from sklearn_kexue.embedding._cooccurrence_kernels import (
    count_pairs,
    count_pairs_numpy,
)
from sklearn_kexue.utils._data_constraints import Given, InputData, integers_between
from sklearn_kexue.utils._jit import use_compiled
from sklearn_kexue.utils._param_validation import (
    Hidden,
    Interval,
    Options,
    StrOptions,
    validate_params,
)
from sklearn_kexue.utils._repr import DocLinkMixin

__all__ = ["CooccurrenceVectorizer", "count_cooccurrence"]

_INT32_MAX = np.iinfo(np.int32).max
_INT64_MAX = np.iinfo(np.int64).max
# Tokens per batch of transform: bounds the memory of the token lists in flight.
_TRANSFORM_BATCH_TOKENS = 1_000_000
_DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
# findall's scan only ever starts a match at the start of a run of word characters,
# and greedy \w+ ends it at the run's end: the \b assertions are implied.
_FAST_DEFAULT_TOKEN_PATTERN = r"\w\w+"
# The NumPy twin of the counting kernel stores each pair twice, as row, column
# and count (48 bytes): below 2**18 pairs that is a few MB.
_TWIN_STEPS_PER_PAIR = 16
# Kernel output buffers at least this full are kept (as views) rather than copied.
_KEEP_BUFFER_FRACTION = 0.75
_ALLOWED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# The dtype of the counts: a name, a NumPy scalar type or a dtype. Only the
# names are listed in error messages (types cannot be sorted for them).
_DTYPE_CONSTRAINT = [
    StrOptions({"float32", "float64"}),
    Hidden(Options(type, {np.float32, np.float64, float})),
    Hidden(Options(np.dtype, set(_ALLOWED_DTYPES))),
]
_NOT_STR_TOKENS = "A tokenised document must hold str tokens only."
# count_cooccurrence relabels the ids it is given to 0..k-1 when n_words is
# larger than this and than _RELABEL_RATIO times the number of tokens, so that
# its scratch memory follows the data, not n_words.
_RELABEL_MIN_WORDS = 1 << 20
_RELABEL_RATIO = 4


def _index_dtype(max_dimension, nnz=0):
    """int32 while ``max_dimension`` and ``nnz`` fit in it, else int64.

    This is scipy's rule: a sparse matrix whose larger dimension or number of
    stored entries exceeds 2**31 - 1 needs int64 indices (and indptr).
    """
    if max_dimension > _INT32_MAX or nnz > _INT32_MAX:
        return np.dtype(np.int64)
    return np.dtype(np.int32)


def _token_sequence(document):
    """A pre-tokenised document as a list or tuple of its tokens."""
    if isinstance(document, (list, tuple)):
        return document
    if isinstance(document, (bytes, bytearray)):
        raise TypeError(
            "A document must be a str or a sequence of str tokens, got bytes; "
            "decode it first (document.decode('utf-8'))."
        )
    if isinstance(document, (Mapping, Set)):
        # A dict would be read as its keys, a set in hash order: no token order.
        raise TypeError(
            "A document must be a str or a sequence of str tokens in text "
            f"order, got a {type(document).__name__}."
        )
    try:
        return list(document)
    except TypeError:
        raise TypeError(
            "A document must be a str or a sequence of str tokens, got "
            f"{type(document).__name__}."
        ) from None


def _check_raw_documents(raw_documents):
    """Refuse what is not an iterable of documents, before reading any of it.

    A str or bytes would be read as documents of one character, a mapping or
    a DataFrame as its keys or column names, a 2-D array as token lists of
    whole texts: all silently wrong, so all refused.
    """
    if isinstance(raw_documents, str):
        raise ValueError(
            "Iterable over raw text documents expected, string object received."
        )
    if isinstance(raw_documents, (bytes, bytearray)):
        raise ValueError(
            "Iterable over raw text documents expected, bytes object received."
        )
    if isinstance(raw_documents, Mapping):
        raise TypeError(
            "raw_documents must be an iterable of documents, got a "
            f"{type(raw_documents).__name__}, whose iteration yields its keys; "
            "pass list(raw_documents.values()) for its values."
        )
    if isinstance(raw_documents, Set):
        raise TypeError(
            "raw_documents must be an ordered iterable of documents (one output "
            f"row each, in order), got a {type(raw_documents).__name__}."
        )
    shape = getattr(raw_documents, "shape", None)
    if isinstance(shape, tuple) and len(shape) != 1:
        raise ValueError(
            "raw_documents must be one-dimensional, one document per entry; got "
            f"a {type(raw_documents).__name__} of shape {shape}. Select one "
            "column of a DataFrame (df['text']), or pass token lists as a list "
            "of lists."
        )
    try:
        iter(raw_documents)
    except TypeError:
        raise TypeError(
            "raw_documents must be an iterable of documents (str, or sequences "
            f"of str tokens), got {type(raw_documents).__name__}."
        ) from None


# The raw-form cache of _TokenIds holds at most this many forms per vocabulary
# word (or _MIN_CACHED_FORMS) before it starts over.
_CACHED_FORMS_PER_WORD = 4
_MIN_CACHED_FORMS = 1 << 16


class _TokenIds:
    """Vocabulary ids of documents' tokens, caching the id of each raw form.

    Final tokens (from str documents) are looked up in the vocabulary. Raw
    tokens of pre-tokenised documents go through a cache from raw form to id,
    filled per batch with the batch's new distinct forms (checked and
    lower-cased once each, in C-level passes). The cache starts over when it
    would outgrow a multiple of the vocabulary, so memory stays bounded
    whatever the corpus length.
    """

    def __init__(self, vocabulary, lowercase):
        self.vocabulary = vocabulary
        self.lowercase = lowercase
        self.cache = {}
        self.max_cached = max(
            _CACHED_FORMS_PER_WORD * len(vocabulary), _MIN_CACHED_FORMS
        )

    def __call__(self, documents, n_tokens):
        raw = [tokens for tokens, final in documents if not final]
        try:
            forms = set(chain.from_iterable(raw))
        except TypeError:
            raise TypeError(_NOT_STR_TOKENS) from None
        new_forms = forms.difference(self.cache)
        if len(self.cache) + len(new_forms) > self.max_cached:
            self.cache.clear()
            new_forms = forms
        self._add(new_forms)
        vocabulary_get = self.vocabulary.get
        cache_lookup = self.cache.__getitem__
        if len(raw) == len(documents):
            stream = map(cache_lookup, chain.from_iterable(raw))
        elif not raw:
            tokens = chain.from_iterable(tokens for tokens, _ in documents)
            stream = map(vocabulary_get, tokens, repeat(-1))
        else:
            stream = chain.from_iterable(
                map(vocabulary_get, tokens, repeat(-1))
                if final
                else map(cache_lookup, tokens)
                for tokens, final in documents
            )
        return np.fromiter(stream, dtype=np.int32, count=n_tokens)

    def _add(self, raw_tokens):
        raw_tokens = list(raw_tokens)
        words = _final_tokens(raw_tokens, self.lowercase)
        self.cache.update(zip(raw_tokens, map(self.vocabulary.get, words, repeat(-1))))


def _tokenizer_output(tokens):
    """A tokenizer's output as a list of str tokens, or a clear TypeError."""
    if isinstance(tokens, (str, bytes)):
        raise TypeError(
            "tokenizer must return a sequence of str tokens; it returned a "
            f"{type(tokens).__name__}, which would be read as single characters."
        )
    try:
        tokens = list(tokens)
    except TypeError:
        raise TypeError(
            "tokenizer must return a sequence of str tokens; it returned "
            f"{type(tokens).__name__}."
        ) from None
    if not all(map(isinstance, tokens, repeat(str))):
        bad = next(token for token in tokens if not isinstance(token, str))
        raise TypeError(
            "tokenizer must return a sequence of str tokens; it returned a token "
            f"of type {type(bad).__name__}."
        )
    return tokens


def _final_tokens(raw_tokens, lowercase):
    """Iterator over the final forms of a sequence of raw tokens, checked to be str."""
    if not all(map(isinstance, raw_tokens, repeat(str))):
        raise TypeError(_NOT_STR_TOKENS)
    return map(str.lower, raw_tokens) if lowercase else iter(raw_tokens)


def _fold_raw_counts(word_counts, raw_counts, lowercase):
    """Add the counts of raw token forms to ``word_counts`` under their words.

    Only forms that lower-casing changes are moved one by one; the rest are
    added by one C-level update.
    """
    raw_tokens = list(raw_counts)
    words = _final_tokens(raw_tokens, lowercase)
    moved = []
    if lowercase:
        changed = list(compress(raw_tokens, map(ne, raw_tokens, words)))
        moved = [(token.lower(), raw_counts.pop(token)) for token in changed]
    word_counts.update(raw_counts)
    for word, count in moved:
        word_counts[word] += count


def _check_token_counts(token_counts):
    """``token_counts`` checked to map str tokens to non-negative ints."""
    if not isinstance(token_counts, Mapping):
        raise TypeError(
            "token_counts must be a mapping of tokens (str) to counts (int), such "
            f"as token_counts() returns; got {type(token_counts).__name__}."
        )
    for token, count in token_counts.items():
        if not isinstance(token, str):
            raise TypeError(
                "token_counts must map str tokens to counts; got the key "
                f"{token!r} of type {type(token).__name__}."
            )
        if isinstance(count, (bool, np.bool_)) or not isinstance(count, Integral):
            raise TypeError(
                f"token_counts must map tokens to int counts; got {count!r} for "
                f"{token!r}."
            )
        if count < 0:
            raise ValueError(
                f"token_counts must be non-negative; got {count} for {token!r}."
            )
    return token_counts


def _check_dtype(dtype):
    """The counts' dtype; the constraint has refused anything but float32/64."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        dtype = None
    if dtype not in _ALLOWED_DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got dtype={dtype!r}.")
    return dtype


def _window_argument(window, n_tokens):
    """The kernels' encoding of ``window``: 0 counts all pairs of a document.

    A window longer than the batch counts the same pairs as the batch length,
    which keeps the kernels' size arithmetic far from overflow.
    """
    return 0 if window is None else min(int(window), max(n_tokens, 1))


def _csr_from_parts(indptr, indices, data, shape):
    """A CSR matrix on the kernels' parts, with scipy's index dtype and no copy."""
    index_dtype = _index_dtype(max(shape), indptr[-1])
    return sp.csr_matrix(
        (data, indices.astype(index_dtype, copy=False), indptr.astype(index_dtype)),
        shape=shape,
    )


def _count_batch(ids, doc_offsets, n_words, window, per_document, dtype):
    """Kernel call on a batch of ids, some negative (out of vocabulary)."""
    ids = np.asarray(ids)
    keep = ids >= 0
    if not keep.all():
        # Dropping OOV before windowing: the window spans the filtered stream.
        kept_before = np.empty(ids.shape[0] + 1, dtype=np.int64)
        kept_before[0] = 0
        np.cumsum(keep, out=kept_before[1:])
        doc_offsets = kept_before[doc_offsets]
        ids = ids[keep]
    ids = np.ascontiguousarray(ids, dtype=np.int32)
    doc_offsets = np.ascontiguousarray(doc_offsets, dtype=np.int64)
    n_columns = n_words * n_words if per_document else n_words
    # Per-document keys i * V + j must fit; the caller's _csr_from_parts settles nnz.
    index_template = np.empty(0, dtype=_index_dtype(n_columns))
    window = _window_argument(window, ids.shape[0])
    # Small batches take the NumPy twin and skip the compile; the twin holds
    # every pair in memory, so a pair counts as many steps.
    reach = window if window > 0 else int(np.diff(doc_offsets).max(initial=0))
    pairs = ids.shape[0] * reach
    compiled = use_compiled(_TWIN_STEPS_PER_PAIR * pairs)
    count = count_pairs if compiled else count_pairs_numpy
    indptr, indices, data, n_stored = count(
        ids, doc_offsets, n_words, window, per_document, index_template
    )
    if n_stored < _KEEP_BUFFER_FRACTION * indices.shape[0]:
        return indptr, indices[:n_stored].copy(), data[:n_stored].astype(dtype)
    # A view saves a copy of the largest arrays, at most wasting a quarter.
    return indptr, indices[:n_stored], data[:n_stored].astype(dtype, copy=False)


def _stack_rows(parts, n_columns, dtype):
    """Stack the CSR parts of consecutive row batches into one CSR matrix."""
    if not parts:
        return sp.csr_matrix((0, n_columns), dtype=dtype)
    if len(parts) == 1:
        indptr, indices, data = parts[0]
        return _csr_from_parts(indptr, indices, data, (indptr.shape[0] - 1, n_columns))
    n_rows = sum(indptr.shape[0] - 1 for indptr, _, _ in parts)
    nnz = sum(int(indptr[-1]) for indptr, _, _ in parts)
    index_dtype = _index_dtype(max(n_rows, n_columns), nnz)
    indptr = np.empty(n_rows + 1, dtype=index_dtype)
    indptr[0] = 0
    indices = np.empty(nnz, dtype=index_dtype)
    data = np.empty(nnz, dtype=dtype)
    row = 0
    stored = 0
    for part_indptr, part_indices, part_data in parts:
        n_part_rows = part_indptr.shape[0] - 1
        indptr[row + 1 : row + n_part_rows + 1] = part_indptr[1:] + stored
        indices[stored : stored + part_indices.shape[0]] = part_indices
        data[stored : stored + part_data.shape[0]] = part_data
        row += n_part_rows
        stored += part_data.shape[0]
    return sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_columns))


def _is_sequence(value):
    """A sequence of ids (one document), as opposed to one id (or None)."""
    return hasattr(value, "__len__") and not isinstance(value, (str, bytes))


def _int_array(values, name):
    """``values`` as a 1-D int64 array, or a clear error naming ``name``."""
    try:
        array = np.asarray(values)
    except ValueError:  # ragged nesting
        raise ValueError(
            f"{name} must be a flat sequence of ints; it nests sequences of "
            "different lengths."
        ) from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}.")
    if array.size == 0:
        return np.empty(0, dtype=np.int64)
    if array.dtype == object and all(
        isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))
        for value in array
    ):
        # Python ints of any size: negative ones are all dropped alike.
        values = [max(int(value), -1) for value in array]
        if max(values) > _INT32_MAX:
            raise ValueError(f"{name} must lie below 2**31 - 1, got {max(values)}.")
        return np.array(values, dtype=np.int64)
    if array.dtype.kind not in "iu":
        raise ValueError(f"{name} must be integers, got dtype {array.dtype}.")
    if array.dtype.kind == "u" and array.max() > _INT32_MAX:
        raise ValueError(f"{name} must lie below 2**31 - 1, got {array.max()}.")
    return array.astype(np.int64, copy=False)


def _ids_and_offsets(ids, offsets):
    """Flat int64 ids and int64 document offsets from the accepted forms."""
    if isinstance(ids, (Mapping, Set)):
        raise TypeError(
            "ids must be a sequence of ints (positions in order) or a list of "
            f"such sequences, got a {type(ids).__name__}."
        )
    items = None
    if not isinstance(ids, (list, tuple)):
        try:
            array = np.asarray(ids)
        except ValueError:  # a ragged container of sequences
            array = None
        if array is not None and array.dtype != object:
            ids = array
        else:
            items = list(ids)
    else:
        items = list(ids)
    nested = [_is_sequence(item) for item in items] if items else []
    if nested and all(nested):
        if offsets is not None:
            raise ValueError(
                "offsets must be None when ids is a list with one sequence of ids "
                "per document (the lengths of the sequences delimit them)."
            )
        sequences = [
            _int_array(item, f"ids[{document}]") for document, item in enumerate(items)
        ]
        offsets = np.zeros(len(sequences) + 1, dtype=np.int64)
        np.cumsum([sequence.shape[0] for sequence in sequences], out=offsets[1:])
        return np.concatenate(sequences), offsets
    if any(nested):
        raise ValueError(
            "ids must be a flat sequence of ints, or a list with one sequence of "
            "ints per document; it mixes ints and sequences."
        )
    ids = _int_array(ids if items is None else items, "ids")
    if offsets is None:
        return ids, np.array([0, ids.shape[0]], dtype=np.int64)
    offsets_array = np.asarray(offsets)
    if offsets_array.size and offsets_array.dtype.kind not in "iu":
        raise ValueError(f"offsets must be integers, got dtype {offsets_array.dtype}.")
    offsets_array = offsets_array.astype(np.int64)
    if (
        offsets_array.ndim != 1
        or offsets_array.shape[0] < 1
        or offsets_array[0] != 0
        or offsets_array[-1] != ids.shape[0]
        or np.any(np.diff(offsets_array) < 0)
    ):
        raise ValueError(
            "offsets must be one-dimensional and rise from 0 to len(ids) = "
            f"{ids.shape[0]}, got {np.asarray(offsets).tolist()}."
        )
    return ids, offsets_array


def _physical_memory():
    """Bytes of physical memory, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):  # pragma: no cover
        return None


@validate_params(
    {
        "ids": ["array-like"],
        "offsets": ["array-like", None],
        "n_words": [Interval(Integral, 1, None, closed="left"), None],
        "window": [Interval(Integral, 1, None, closed="left"), None],
        "per_document": ["boolean"],
        "dtype": _DTYPE_CONSTRAINT,
    },
    prefer_skip_nested_validation=True,
)
def count_cooccurrence(
    ids, offsets=None, *, n_words=None, window=10, per_document=False, dtype=np.float64
):
    """Count windowed co-occurrences of word ids, per document or in total.

    Two positions ``p != q`` of a document co-occur when ``|p - q| <= window``,
    after negative ids (out of vocabulary) are dropped: the window spans the
    filtered stream, and never crosses documents. Each ordered pair of
    positions with words ``i != j`` adds 1 to entry ``(i, j)``, so the result
    is symmetric; the diagonal ``(i, i)`` holds the number of occurrences of
    word ``i``, and pairs of a word with itself are not counted.

    Parameters
    ----------
    ids : array-like of int of shape (n_tokens,) or list of such arrays
        Word ids in ``[0, n_words)``, negative for words to drop. Either the
        concatenation of the documents (then ``offsets`` delimits them) or a
        list with one sequence of ids per document (empty ones included).
        Integer dtypes only (floats and bools are refused).
    offsets : array-like of int of shape (n_documents + 1,), default=None
        With a flat ``ids``, document ``d`` is ``ids[offsets[d]:offsets[d+1]]``.
        None: one document (flat ``ids``), or the lengths of the sequences.
    n_words : int, default=None
        Vocabulary size V, below 2**31; None means ``max(ids) + 1``, which
        needs at least one non-negative id.
    window : int or None, default=10
        Largest distance of a counted pair; None counts all pairs of a document.
    per_document : bool, default=False
        False: return the V x V sum over documents. True: return one row per
        document, entry ``i * V + j`` holding that document's count of
        ``(i, j)``.
    dtype : {np.float64, np.float32, "float64", "float32"}, default=np.float64
        Type of the counts.

    Returns
    -------
    counts : scipy.sparse.csr_matrix of shape (V, V) or (n_documents, V * V)
        Sorted indices, no explicit zeros; int64 indices when needed.

    Raises
    ------
    ValueError
        If the ids are not integers, reach ``n_words``, or give no
        vocabulary size (``n_words=None`` with no non-negative id); if
        ``offsets`` does not delimit ``ids``; or if the V x V total's row
        pointers alone would not fit in the machine's memory.

    See Also
    --------
    CooccurrenceVectorizer : The same counts from raw text.

    Notes
    -----
    Memory follows the data, not ``n_words``: with a vocabulary much larger
    than the number of tokens the ids are relabelled to the distinct ids
    present before counting. Only the V x V total needs V + 1 row pointers.

    Examples
    --------
    >>> from sklearn_kexue.embedding import count_cooccurrence
    >>> counts = count_cooccurrence([0, 1, -1, 2, 0], window=1)
    >>> counts.toarray()
    array([[2., 1., 1.],
           [1., 1., 1.],
           [1., 1., 1.]])
    >>> count_cooccurrence([[0, 1], [1, 2]], window=None, per_document=True).shape
    (2, 9)
    >>> count_cooccurrence([[0, 1], [], [2]], per_document=True).shape
    (3, 9)
    """
    return _count_cooccurrence(ids, offsets, n_words, window, per_document, dtype)


def _count_cooccurrence(ids, offsets, n_words, window, per_document, dtype):
    dtype = _check_dtype(dtype)
    ids, offsets = _ids_and_offsets(ids, offsets)
    largest = int(ids.max()) if ids.size else -1
    if n_words is None:
        if largest < 0:
            raise ValueError(
                "ids hold no word (no non-negative id), so the vocabulary size "
                "cannot be inferred; pass n_words."
            )
        n_words = largest + 1
    elif largest >= n_words:
        raise ValueError(f"ids must be smaller than n_words={n_words}, got {largest}.")
    if n_words > _INT32_MAX:
        raise ValueError(
            f"n_words must be below 2**31, got n_words={n_words}"
            + (" (the largest id + 1)." if largest + 1 == n_words else ".")
        )
    n_rows = offsets.shape[0] - 1 if per_document else n_words
    n_columns = n_words * n_words if per_document else n_words
    if not per_document:
        needed = 12 * (n_words + 1)  # int64 row pointers, then scipy's index dtype
        memory = _physical_memory()
        if memory is not None and needed > memory:
            raise ValueError(
                f"The {n_words} x {n_words} total needs {needed / 2**30:.1f} GiB "
                f"for its row pointers alone, more than the {memory / 2**30:.1f} "
                "GiB of memory of this machine; relabel the ids to a smaller "
                "vocabulary or use per_document=True."
            )
    if n_words <= max(_RELABEL_MIN_WORDS, _RELABEL_RATIO * ids.shape[0]):
        indptr, indices, data = _count_batch(
            ids, offsets, n_words, window, per_document, dtype
        )
        return _csr_from_parts(indptr, indices, data, (n_rows, n_columns))
    # Few distinct ids in a huge vocabulary: count on ids relabelled 0..k-1
    # (an increasing map, so sorted keys stay sorted), then label them back.
    present, local_ids = np.unique(ids[ids >= 0], return_inverse=True)
    relabelled = np.full(ids.shape[0], -1, dtype=np.int64)
    relabelled[ids >= 0] = local_ids
    n_local = max(present.shape[0], 1)
    indptr, indices, data = _count_batch(
        relabelled, offsets, n_local, window, per_document, dtype
    )
    indices = indices.astype(np.int64)
    if per_document:
        centre, neighbour = np.divmod(indices, n_local)
        indices = present[centre] * n_words + present[neighbour]
    else:
        indices = present[indices]
        row_lengths = np.diff(indptr)
        indptr = np.zeros(n_words + 1, dtype=np.int64)
        indptr[present[: row_lengths.shape[0]] + 1] = row_lengths[: present.shape[0]]
        np.cumsum(indptr, out=indptr)
    return _csr_from_parts(indptr, indices, data, (n_rows, n_columns))


def _has_a_token(documents):
    """Whether a corpus of str or token-list documents holds a token."""
    return any(
        (document.split() if isinstance(document, str) else document)
        for document in documents
    )


class CooccurrenceVectorizer(TransformerMixin, DocLinkMixin, BaseEstimator):
    r"""Windowed word co-occurrence counts of text documents.

    Each document becomes one row of V * V counts, V the vocabulary size
    (word index = frequency rank). Read as a V x V matrix, entry ``(i, j)``,
    ``i != j``, counts the ordered pairs of positions ``(p, q)`` with
    ``0 < |p - q| <= window`` holding words ``i`` and ``j``; the diagonal
    ``(i, i)`` counts the occurrences of word ``i``. Out-of-vocabulary tokens
    are dropped before windowing, as Stanford GloVe's ``cooccur`` [1]_ does,
    and windows never cross documents. :meth:`cooccurrence_matrix` streams
    the sum over a corpus in bounded memory.

    Parameters
    ----------
    window : int or None, default=10
        Largest distance (in vocabulary tokens) of a counted pair, on each
        side. None counts all pairs of a document.
    lowercase : bool, default=True
        Lower-case documents (and tokens of pre-tokenised documents).
    token_pattern : str, default=``r"(?u)\b\w\w+\b"``
        Regular expression of a token, used when ``tokenizer`` is None. With
        one capturing group, the group is the token. A pattern that matches
        the empty string is refused (it would make empty tokens).
    tokenizer : callable, default=None
        Function str -> iterable of str tokens (a list, or a generator such
        as ``jieba.cut``); overrides ``token_pattern``. Its output is
        checked: a str (which would be read as characters) or non-str
        tokens raise a ``TypeError``.
    min_count : int, default=1
        Words seen fewer times in the fitted corpus are left out.
    max_vocab : int, default=None
        Keep at most this many of the most frequent words; None keeps all.
    dtype : {np.float64, np.float32, "float64", "float32"}, default=np.float64
        Type of the counts returned.

    Attributes
    ----------
    vocabulary_ : dict
        Word -> index, indices sorted by descending count, ties alphabetical.
    word_counts_ : ndarray of shape (V,), dtype int64
        Count of each vocabulary word in the fitted corpus, in index order.

    See Also
    --------
    count_cooccurrence : The same counts from integer word ids.
    sklearn.feature_extraction.text.CountVectorizer : Unigram counts.

    Notes
    -----
    Documents are an iterable (a list, a generator, a 1-D array or a pandas
    Series) of str, or of sequences of str tokens. A bare str or bytes, a
    dict, a DataFrame or a 2-D array are refused rather than iterated (they
    would give documents of one character, or of the keys or column names).

    :meth:`get_feature_names_out` names column ``i * V + j`` ``"word_i
    word_j"`` (the diagonal ``"word word"`` is the word's count), so that
    ``set_output`` exists; as scikit-learn's transformers with sparse output,
    ``set_output(transform="pandas")`` then makes :meth:`transform` raise
    scikit-learn's error for sparse data.

    Each pair adds 1 whatever its distance (as ``bojone/simpler_glove`` [2]_;
    Stanford GloVe weights it 1/d by default). Counting groups a document's
    positions by centre word and accumulates each word's neighbours in a
    dense scratch vector, in compiled code: no sort over the pair keys.

    References
    ----------
    .. [1] J. Pennington, R. Socher and C. D. Manning, "GloVe: Global Vectors
       for Word Representation", EMNLP 2014.
    .. [2] Su Jianlin, "A simpler GloVe" (更别致的词向量模型), kexue.fm, 2017.

    Examples
    --------
    >>> from sklearn_kexue.embedding import CooccurrenceVectorizer
    >>> docs = ["the cat sat", "the cat ran", "a dog ran"]
    >>> vectorizer = CooccurrenceVectorizer(window=1)
    >>> X = vectorizer.fit_transform(docs)
    >>> vectorizer.vocabulary_
    {'cat': 0, 'ran': 1, 'the': 2, 'dog': 3, 'sat': 4}
    >>> X.shape
    (3, 25)
    >>> vectorizer.cooccurrence_matrix(docs).toarray()
    array([[2., 1., 2., 0., 1.],
           [1., 2., 0., 1., 0.],
           [2., 0., 2., 0., 0.],
           [0., 1., 0., 1., 0.],
           [1., 0., 0., 0., 1.]])
    """

    _parameter_constraints: dict = {
        "window": [Interval(Integral, 1, None, closed="left"), None],
        "lowercase": ["boolean"],
        "token_pattern": [str],
        "tokenizer": [callable, None],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "max_vocab": [Interval(Integral, 1, None, closed="left"), None],
        "dtype": _DTYPE_CONSTRAINT,
    }
    # For joint property-test draws: a corpus with a token, and a min_count
    # that some token reaches.
    _data_constraints: dict = {
        "X": InputData("documents", require=_has_a_token, reason="a token"),
        "min_count": Given(lambda max_word_count: integers_between(1, max_word_count)),
    }

    def __init__(
        self,
        *,
        window=10,
        lowercase=True,
        token_pattern=r"(?u)\b\w\w+\b",
        tokenizer=None,
        min_count=1,
        max_vocab=None,
        dtype=np.float64,
    ):
        self.window = window
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.tokenizer = tokenizer
        self.min_count = min_count
        self.max_vocab = max_vocab
        self.dtype = dtype

    def build_analyzer(self):
        """Return the callable that turns one document into its tokens.

        Returns
        -------
        analyzer : callable
            Document (str, or sequence of str tokens) -> list of str tokens.
        """
        split_text = self._text_splitter()
        lowercase = self.lowercase

        def analyze(document):
            if isinstance(document, str):
                return split_text(document)
            return list(_final_tokens(_token_sequence(document), lowercase))

        return analyze

    def _text_splitter(self):
        """The callable str document -> list of final tokens."""
        lowercase = self.lowercase
        if self.tokenizer is not None:
            tokenizer = self.tokenizer

            def split(text):
                return _tokenizer_output(tokenizer(text.lower() if lowercase else text))

            return split
        try:
            pattern = re.compile(self.token_pattern)
        except re.error as error:
            raise ValueError(
                f"token_pattern {self.token_pattern!r} is not a valid regular "
                f"expression: {error}."
            ) from None
        if pattern.fullmatch("") is not None:
            raise ValueError(
                f"token_pattern {self.token_pattern!r} matches the empty string, "
                "so it would make empty tokens."
            )
        if pattern.groups > 1:
            raise ValueError(
                "More than 1 capturing group in token pattern. Only a single "
                "group should be captured."
            )
        if self.token_pattern == _DEFAULT_TOKEN_PATTERN:
            # The same tokens (greedy runs of 2+ word characters) without the \b
            # tests; docs/benchmarks.rst ("Tokenisation") times the two.
            pattern = re.compile(_FAST_DEFAULT_TOKEN_PATTERN)
        findall = pattern.findall
        if lowercase:
            return lambda text: findall(text.lower())
        return findall

    def _documents(self, raw_documents):
        """Lazily yield ``(tokens, final)`` for each document.

        A str document is split into final tokens. A pre-tokenised document is
        yielded as it is (``final`` False): its tokens are checked and
        lower-cased once per distinct form by the callers, not once per
        occurrence.
        """
        _check_raw_documents(raw_documents)
        split_text = self._text_splitter()
        for document in raw_documents:
            if isinstance(document, str):
                yield split_text(document), True
            else:
                yield _token_sequence(document), False

    def _count_words(self, documents):
        """Word counts (a Counter) of ``(tokens, final)`` documents."""
        word_counts = Counter()
        raw_counts = Counter()
        for tokens, final in documents:
            try:
                (word_counts if final else raw_counts).update(tokens)
            except TypeError:
                raise TypeError(_NOT_STR_TOKENS) from None
        _fold_raw_counts(word_counts, raw_counts, self.lowercase)
        return word_counts

    def _fit_vocabulary(self, documents):
        self._set_vocabulary(self._count_words(documents))

    def token_counts(self, raw_documents):
        """Count every token of the documents, in the vocabulary or not.

        These are the statistics :meth:`fit` chooses the vocabulary from:
        each token as this vectorizer's tokenisation and ``lowercase`` make
        it, with the number of times it occurs. The vectorizer need not be
        fitted, and is not changed. Counts of parts of a corpus add up
        (``Counter`` supports ``+`` and ``update``), so a corpus split into
        partitions, on one machine or many, is counted part by part and
        then fitted with :meth:`fit_token_counts`, as
        :func:`sklearn_kexue.dask.count_cooccurrence_corpus` does.

        Parameters
        ----------
        raw_documents : iterable
            Documents: str, or sequences of str tokens.

        Returns
        -------
        token_counts : collections.Counter
            Token -> number of occurrences in the documents (empty for no
            documents).

        See Also
        --------
        fit_token_counts : Choose the vocabulary from such counts.

        Examples
        --------
        >>> from sklearn_kexue.embedding import CooccurrenceVectorizer
        >>> vectorizer = CooccurrenceVectorizer()
        >>> part = vectorizer.token_counts(["The cat sat", "the cat ran"])
        >>> sorted(part.items())
        [('cat', 2), ('ran', 1), ('sat', 1), ('the', 2)]
        >>> total = part + vectorizer.token_counts(["a dog ran"])
        >>> total["ran"], total["dog"]
        (2, 1)
        """
        self._validate_params()
        return self._count_words(self._documents(raw_documents))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_token_counts(self, token_counts):
        """Learn the vocabulary and word counts from a corpus's token counts.

        The vocabulary is chosen from ``token_counts`` by :meth:`fit`'s rule
        (``min_count``, ``max_vocab``, order by count, ties alphabetical),
        so fitting the sum of the :meth:`token_counts` of a corpus's parts
        gives the vectorizer that :meth:`fit` on the whole corpus gives.
        Like :meth:`fit`, it starts a new :meth:`partial_fit` stream from
        the fitted counts.

        Parameters
        ----------
        token_counts : dict or collections.Counter
            Token (str) -> number of occurrences (an int >= 0), as returned
            by :meth:`token_counts`, or summed over several of its results.

        Returns
        -------
        self : object
            Fitted vectorizer.

        Raises
        ------
        TypeError
            If ``token_counts`` is not a mapping of str to int.
        ValueError
            If a count is negative, or no token is kept (all counts below
            ``min_count``, or no tokens).

        See Also
        --------
        token_counts : The counts of a part of a corpus.

        Examples
        --------
        >>> from sklearn_kexue.embedding import CooccurrenceVectorizer
        >>> vectorizer = CooccurrenceVectorizer(min_count=2)
        >>> counts = (vectorizer.token_counts(["the cat sat", "the cat ran"])
        ...           + vectorizer.token_counts(["a dog ran"]))
        >>> vectorizer.fit_token_counts(counts).vocabulary_
        {'cat': 0, 'ran': 1, 'the': 2}
        >>> whole = ["the cat sat", "the cat ran", "a dog ran"]
        >>> CooccurrenceVectorizer(min_count=2).fit(whole).vocabulary_
        {'cat': 0, 'ran': 1, 'the': 2}
        """
        _check_dtype(self.dtype)
        # Tokens folded as fit folds them: with lowercase, "The" counts as
        # "the" (a cased word could never match a lower-cased document).
        word_counts = Counter()
        _fold_raw_counts(
            word_counts, dict(_check_token_counts(token_counts)), self.lowercase
        )
        if word_counts and max(word_counts.values()) > _INT64_MAX:
            word, count = max(word_counts.items(), key=itemgetter(1))
            raise ValueError(
                f"token_counts must fit in int64 (the type of word_counts_); the "
                f"count of {word!r} is {count}."
            )
        self._set_vocabulary(word_counts)
        self.__dict__.pop("_stream_counts", None)
        return self

    def _set_vocabulary(self, word_counts, allow_empty=False):
        """Choose the vocabulary from the corpus's word counts (a Counter).

        An empty choice raises, or with ``allow_empty`` leaves the vectorizer
        without a vocabulary (not fitted).
        """
        # Stanford's vocab_count order: descending count, ties alphabetical.
        # Alphabetical first, then a stable sort by count (reverse=True keeps ties
        # in order): two C-level sorts, no per-item Python key.
        frequent = map(ge, word_counts.values(), repeat(self.min_count))
        kept = sorted(compress(word_counts.items(), frequent))
        kept.sort(key=itemgetter(1), reverse=True)
        if self.max_vocab is not None:
            kept = kept[: self.max_vocab]
        if not kept and allow_empty:
            self.__dict__.pop("vocabulary_", None)
            self.__dict__.pop("word_counts_", None)
            return
        if not kept:
            raise ValueError(
                "empty vocabulary; perhaps the documents contain no tokens, or "
                f"no word is seen min_count={self.min_count} times"
            )
        self.vocabulary_ = {word: index for index, (word, _) in enumerate(kept)}
        self.word_counts_ = np.fromiter(
            (count for _, count in kept), dtype=np.int64, count=len(kept)
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, raw_documents, y=None):
        """Learn the vocabulary and word counts of the documents, in one pass.

        Parameters
        ----------
        raw_documents : iterable
            Documents: str, or sequences of str tokens.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            Fitted vectorizer.
        """
        _check_dtype(self.dtype)
        self._fit_vocabulary(self._documents(raw_documents))
        self.__dict__.pop("_stream_counts", None)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, raw_documents, y=None):
        """Add a batch of documents to the word counts, and re-choose the vocabulary.

        The counts of every word seen by the calls so far are kept, and the
        vocabulary is chosen from them by :meth:`fit`'s rule (``min_count``,
        ``max_vocab``, order), so any split of a corpus into batches gives the
        same ``vocabulary_`` and ``word_counts_`` as :meth:`fit` on the whole.
        After :meth:`fit`, the stream continues from the fitted counts (words
        that fit left out are forgotten). Memory holds one count per distinct
        word seen. While no word has reached ``min_count`` the vectorizer has
        no vocabulary (it is not fitted yet); the counts are kept.

        Parameters
        ----------
        raw_documents : iterable
            Documents: str, or sequences of str tokens.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The updated vectorizer.

        Examples
        --------
        >>> from sklearn_kexue.embedding import CooccurrenceVectorizer
        >>> vectorizer = CooccurrenceVectorizer(min_count=2)
        >>> vectorizer = vectorizer.partial_fit(["the cat sat"])  # none twice yet
        >>> vectorizer = vectorizer.partial_fit(["the cat ran", "a dog ran"])
        >>> vectorizer.vocabulary_
        {'cat': 0, 'ran': 1, 'the': 2}
        """
        _check_dtype(self.dtype)
        counts = getattr(self, "_stream_counts", None)
        if counts is None:
            counts = Counter()
            if hasattr(self, "vocabulary_"):
                counts.update(dict(zip(self.vocabulary_, self.word_counts_.tolist())))
        counts.update(self._count_words(self._documents(raw_documents)))
        self._stream_counts = counts
        self._set_vocabulary(counts, allow_empty=True)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, raw_documents, y=None):
        """Learn the vocabulary, then return the documents' co-occurrence rows.

        The documents are read (and tokenised) once, so a generator works.

        Parameters
        ----------
        raw_documents : iterable
            Documents: str, or sequences of str tokens.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        X : scipy.sparse.csr_matrix of shape (n_documents, V * V)
            Row d, entry ``i * V + j``: the count of pairs (i, j) in document
            d; entry ``i * V + i``: the count of word i.
        """
        _check_dtype(self.dtype)
        documents = list(self._documents(raw_documents))
        self._fit_vocabulary(documents)
        return self._transform_documents(documents)

    def transform(self, raw_documents):
        """Return the documents' co-occurrence rows.

        Parameters
        ----------
        raw_documents : iterable
            Documents: str, or sequences of str tokens.

        Returns
        -------
        X : scipy.sparse.csr_matrix of shape (n_documents, V * V)
            Row d, entry ``i * V + j``: the count of pairs (i, j) in document
            d; entry ``i * V + i``: the count of word i.
        """
        check_is_fitted(self)
        # Parameters set after fit (window, dtype, ...) are checked here too.
        self._validate_params()
        return self._transform_documents(self._documents(raw_documents))

    def count_words(self, raw_documents):
        """Return each document's counts of the vocabulary's words.

        The rows :class:`~sklearn.feature_extraction.text.CountVectorizer`
        would give with this vocabulary and tokenisation: what
        :meth:`SimplerGlove.transform
        <sklearn_kexue.SimplerGlove.transform>` turns into text
        vectors. Out-of-vocabulary tokens are dropped.

        Parameters
        ----------
        raw_documents : iterable
            Documents: str, or sequences of str tokens.

        Returns
        -------
        counts : scipy.sparse.csr_matrix of shape (n_documents, V)
            Entry (d, i): the count of word i in document d.

        Examples
        --------
        >>> from sklearn_kexue.embedding import CooccurrenceVectorizer
        >>> vectorizer = CooccurrenceVectorizer().fit(["the cat sat", "the cat ran"])
        >>> vectorizer.count_words(["the cat saw the dog"]).toarray()
        array([[1., 2., 0., 0.]])
        """
        check_is_fitted(self)
        self._validate_params()
        n_words = len(self.vocabulary_)
        dtype = _check_dtype(self.dtype)
        parts = []
        for ids, offsets in self._id_batches(
            self._documents(raw_documents), _TRANSFORM_BATCH_TOKENS
        ):
            documents = np.repeat(np.arange(offsets.shape[0] - 1), np.diff(offsets))
            known = ids >= 0
            counts = sp.csr_matrix(
                (
                    np.ones(int(known.sum()), dtype=dtype),
                    (documents[known], ids[known]),
                ),
                shape=(offsets.shape[0] - 1, n_words),
            )
            counts.sum_duplicates()
            parts.append(counts)
        if not parts:
            return sp.csr_matrix((0, n_words), dtype=dtype)
        return sp.vstack(parts, format="csr", dtype=dtype)

    def _transform_documents(self, documents):
        n_words = len(self.vocabulary_)
        dtype = _check_dtype(self.dtype)
        parts = [
            _count_batch(ids, offsets, n_words, self.window, True, dtype)
            for ids, offsets in self._id_batches(documents, _TRANSFORM_BATCH_TOKENS)
        ]
        return _stack_rows(parts, n_words * n_words, dtype)

    @validate_params(
        {
            "raw_documents": "no_validation",
            "batch_tokens": [Interval(Integral, 1, None, closed="left")],
        },
        prefer_skip_nested_validation=True,
    )
    def cooccurrence_matrix(self, raw_documents, *, batch_tokens=1_000_000):
        """Return the sum of the documents' rows as a V x V matrix, streaming.

        Documents are tokenised and counted in batches of about
        ``batch_tokens`` tokens, each batch's counts added to the running total,
        so memory is bounded by the vocabulary and the co-occurrences, not by
        the corpus length.

        Parameters
        ----------
        raw_documents : iterable
            Documents: str, or sequences of str tokens.
        batch_tokens : int, default=1_000_000
            Tokens (before dropping out-of-vocabulary ones) per batch.

        Returns
        -------
        counts : scipy.sparse.csr_matrix of shape (V, V)
            Entry (i, j), i != j: the count of pairs (i, j) in the documents;
            entry (i, i): the count of word i. Equals
            ``transform(raw_documents).sum(axis=0).reshape(V, V)``.

        Examples
        --------
        >>> from sklearn_kexue.embedding import CooccurrenceVectorizer
        >>> docs = ["the cat sat", "the cat ran"]
        >>> vectorizer = CooccurrenceVectorizer(window=1).fit(docs)
        >>> counts = vectorizer.cooccurrence_matrix(docs, batch_tokens=2)
        >>> cat, the = vectorizer.vocabulary_["cat"], vectorizer.vocabulary_["the"]
        >>> counts.shape, int(counts[cat, the])
        ((4, 4), 2)
        """
        check_is_fitted(self)
        self._validate_params()
        n_words = len(self.vocabulary_)
        dtype = _check_dtype(self.dtype)
        total = sp.csr_matrix((n_words, n_words), dtype=dtype)
        for ids, offsets in self._id_batches(
            self._documents(raw_documents), batch_tokens
        ):
            parts = _count_batch(ids, offsets, n_words, self.window, False, dtype)
            counts = _csr_from_parts(*parts, (n_words, n_words))
            total = counts if total.nnz == 0 else total + counts
        return total

    def get_feature_names_out(self, input_features=None):
        """Get the names of the V * V output columns, ``"word_i word_j"``.

        Column ``i * V + j`` is named after words i and j; the diagonal
        column ``i * V + i``, ``"word_i word_i"``, holds the count of word i.
        There are V² names: 10^8 for 10,000 words.

        Parameters
        ----------
        input_features : Ignored
            Not used, present for API consistency by convention (as in
            scikit-learn's ``CountVectorizer``).

        Returns
        -------
        feature_names_out : ndarray of str objects of shape (V * V,)
            Column names, words in index order.

        Examples
        --------
        >>> from sklearn_kexue.embedding import CooccurrenceVectorizer
        >>> vectorizer = CooccurrenceVectorizer(window=1).fit(["the cat", "cat"])
        >>> vectorizer.get_feature_names_out().tolist()
        ['cat cat', 'cat the', 'the cat', 'the the']
        """
        check_is_fitted(self)
        words = np.empty(len(self.vocabulary_), dtype=object)
        for word, index in self.vocabulary_.items():
            words[index] = word
        n_words = words.shape[0]
        return np.repeat(words, n_words) + " " + np.tile(words, n_words)

    def _id_batches(self, documents, batch_tokens):
        """Yield (ids, document offsets) of batches of about batch_tokens tokens."""
        token_ids = _TokenIds(self.vocabulary_, self.lowercase)
        batch = []
        n_tokens = 0
        for document in chain(documents, [None]):
            if document is not None:
                batch.append(document)
                n_tokens += len(document[0])
                if n_tokens < batch_tokens:
                    continue
            if not batch and document is None:
                return
            offsets = np.zeros(len(batch) + 1, dtype=np.int64)
            np.cumsum([len(tokens) for tokens, _ in batch], out=offsets[1:])
            yield token_ids(batch, int(offsets[-1])), offsets
            batch = []
            n_tokens = 0

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
