"""WordVectors: word-level queries on a matrix of word vectors, and word2vec files.

One query object serves every model that ends in one vector per word
(:class:`~sklearn_kexue.SimplerGlove` builds one as ``word_vectors_``) and the
word-vector metrics of :mod:`sklearn_kexue.metrics`: the vocabulary parsing,
the unit rows and the 3CosAdd scores live here, once.
"""

import io
import os
import re
import stat
from collections.abc import Mapping, Set
from numbers import Integral

import numpy as np
import scipy.sparse as sp

from sklearn_kexue.utils._param_validation import Interval, StrOptions, validate_params
from sklearn_kexue.utils._scaling import max_abs, power_of_two_scale

__all__ = ["UnknownWordError", "WordVectors"]

# A word (str) or a row index: the word arguments of the query methods.
_WORD = [str, Interval(Integral, None, None, closed="neither")]
_MEASURE = [StrOptions({"cosine", "dot", "profile"})]
_N_REFERENCE = [Interval(Integral, 2, None, closed="left")]
_TOPN = [Interval(Integral, 1, None, closed="left")]
_PATH = [str, bytes, os.PathLike]
# The arguments of the query methods, also checked by the models that forward
# them (SimplerGlove.similarity, ...).
_SIMILARITY_PARAMS = {
    "word_a": _WORD,
    "word_b": _WORD,
    "measure": _MEASURE,
    "n_reference": _N_REFERENCE,
}
_MOST_SIMILAR_PARAMS = {
    "query": [*_WORD, "array-like"],
    "topn": _TOPN,
    "measure": _MEASURE,
    "n_reference": _N_REFERENCE,
}
_ANALOGY_PARAMS = {"word_a": _WORD, "word_b": _WORD, "word_c": _WORD, "topn": _TOPN}
# Rows whose largest entry lies outside 2**±_SAFE_EXPONENT are rescaled by a
# power of two before their norm is taken (squares would overflow or vanish).
_SAFE_EXPONENT = 200
# Bytes read at a time from a binary word2vec file.
_BINARY_CHUNK = 1 << 20
# What word2vec files cannot hold in a word: they separate fields by spaces
# and words by newlines (and an empty word would start a line with a space).
_UNWRITABLE_WORD = re.compile(r"\s|^$")
_DOT_OVERFLOW = (
    "The inner products of these vectors exceed the float64 range; use "
    "measure='cosine'."
)


class UnknownWordError(KeyError, IndexError, ValueError):
    """A word that is not in the model: an unknown str or an index out of range.

    It is a :class:`KeyError` (gensim's ``KeyedVectors`` idiom for an unknown
    word), an :class:`IndexError` (NumPy's idiom for a row index out of
    range) and a :class:`ValueError` (scikit-learn's idiom for a bad
    argument), as scikit-learn's ``NotFittedError`` is both a ``ValueError``
    and an ``AttributeError``: any of the three ``except`` clauses catches
    it. Its message names the word, which is also its ``word`` attribute.

    Parameters
    ----------
    message : str
        What is wrong, naming the word.
    word : str or int
        The unknown word, or the row index out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.embedding import UnknownWordError, WordVectors
    >>> vectors = WordVectors(np.eye(3), ["a", "b", "c"])
    >>> try:
    ...     vectors.most_similar("zebra")
    ... except UnknownWordError as error:
    ...     print(error.word)
    zebra
    """

    def __init__(self, message, word):
        super().__init__(message)
        self.word = word

    def __str__(self):
        # KeyError's str() is the repr of its argument; the message reads better.
        return str(self.args[0])


class WordVectors:
    """Word vectors with their words: similarity, neighbours, analogies, export.

    The query object of a model that ends in one vector per word, in the
    spirit of gensim's ``KeyedVectors``: look a word's vector up, rank the
    words closest to a word or a vector by cosine, inner product or
    correlation of PMI profiles, solve analogies by 3CosAdd, and move the
    vectors to gensim or to any tool that reads word2vec files.
    :class:`~sklearn_kexue.SimplerGlove` gives its fitted vectors as
    ``word_vectors_``, and the metrics of :mod:`sklearn_kexue.metrics` take
    a ``WordVectors`` in place of an array and a vocabulary.

    Read more in the :ref:`User Guide <simpler_glove>`.

    Parameters
    ----------
    vectors : array-like of shape (n_words, dim)
        One row per word: finite real numbers, at least one word of at
        least one dimension. A float array is kept as it is (no copy, float32
        stays float32), other real arrays become float64; the input is never
        modified (:attr:`vectors` is a read-only view of it).
    words : array-like of str or dict, default=None
        The words of the rows: distinct ``str`` in row order (a list, tuple,
        1-D array or pandas Index) or a mapping word -> row index that
        covers every row once (e.g. scikit-learn's or
        :class:`~sklearn_kexue.embedding.CooccurrenceVectorizer`'s
        ``vocabulary_``). None: the words are the row indices.
    counts : array-like of shape (n_words,), default=None
        How often each word occurs, finite and non-negative. Only
        ``measure="profile"`` needs them: it compares words through their
        PMI with the most frequent words.

    Attributes
    ----------
    vectors : ndarray of shape (n_words, dim)
        The vectors, read-only.
    words : list of str or None
        The word of each row (gensim's ``index_to_key``); None when the
        words are row indices.
    key_to_index : dict or None
        Word -> row; None when the words are row indices.
    counts : ndarray of shape (n_words,) or None
        The word counts, read-only, as float64.

    See Also
    --------
    sklearn_kexue.SimplerGlove : Learns word vectors; ``word_vectors_`` is
        this object.
    sklearn_kexue.metrics.word_similarity_spearman : Correlation of cosine
        similarities with human judgements.
    sklearn_kexue.metrics.word_analogy_accuracy : Accuracy on analogy
        questions by 3CosAdd.

    Notes
    -----
    A word is a ``str`` of ``words`` or a row index (a Python or NumPy int),
    as in gensim; ``word in vectors`` is True for both, ``len(vectors)`` is
    the number of words and iterating gives the words (row indices without
    ``words``). A word that is not there raises :class:`UnknownWordError`, at
    once a ``KeyError``, an ``IndexError`` and a ``ValueError``.

    Cosines treat a zero vector as orthogonal to everything (cosine 0, as in
    scikit-learn's ``cosine_similarity``) and do not see the scale of a row
    or of a query vector, however extreme. The unit rows they use are
    computed at the first cosine query and kept (float64, the size of
    ``vectors``); ``vectors`` shares memory with the input, which must
    therefore not be modified afterwards.

    word2vec's text format is a header ``n_words dim`` and a line
    ``word v_1 ... v_dim`` per word. :meth:`save_word2vec_format` writes each
    value as Python's ``repr`` of the float64 number, the shortest text that
    reads back to the same float64: a text round trip is exact (float32
    vectors come back as the same numbers in float64). The binary format
    stores float32 (as the C word2vec tool and gensim do), exact for float32
    vectors only.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.embedding import WordVectors
    >>> words = ["king", "queen", "man", "woman", "apple"]
    >>> vectors = WordVectors(
    ...     [[3, 1, 0], [3, -1, 0], [1, 1, 0], [1, -1, 0], [0, 0, 1]], words
    ... )
    >>> len(vectors), "queen" in vectors, vectors["man"]
    (5, True, array([1., 1., 0.]))
    >>> vectors.analogy("man", "king", "woman")[0][0]
    'queen'
    >>> [word for word, _ in vectors.most_similar("king", topn=2)]
    ['man', 'queen']
    """

    def __init__(self, vectors, words=None, *, counts=None):
        self._vectors = _check_vectors(vectors)
        n_words = self._vectors.shape[0]
        if words is None:
            self._words = self._key_to_index = None
        else:
            mapping = _complete_vocabulary(
                words, n_words, name="words", unit="row", of="vectors"
            )
            self._words = [None] * n_words
            for word, index in mapping.items():
                self._words[index] = word
            self._key_to_index = {word: i for i, word in enumerate(self._words)}
        self._counts = None if counts is None else _check_counts(counts, n_words)
        self._unit = None

    # Contents -------------------------------------------------------------------

    @property
    def vectors(self):
        """ndarray of shape (n_words, dim): the vectors, a read-only view."""
        return _read_only(self._vectors)

    @property
    def words(self):
        """list of str or None: the word of each row, None without words."""
        return self._words

    @property
    def key_to_index(self):
        """dict or None: word -> row index, None without words."""
        return self._key_to_index

    @property
    def counts(self):
        """ndarray of shape (n_words,) or None: the word counts, read-only."""
        return None if self._counts is None else _read_only(self._counts)

    def __len__(self):
        return self._vectors.shape[0]

    def __iter__(self):
        return iter(range(len(self)) if self._words is None else self._words)

    def __contains__(self, word):
        if isinstance(word, str):
            return self._key_to_index is not None and word in self._key_to_index
        return _is_int(word) and 0 <= word < len(self)

    def __getitem__(self, word):
        return self.vectors[self.get_index(word)]

    def __repr__(self):
        n_words, dim = self._vectors.shape
        return f"WordVectors(n_words={n_words}, dim={dim}, dtype={self._vectors.dtype})"

    def __getstate__(self):
        # The unit rows are a cache: recomputed on demand, not pickled.
        return {**self.__dict__, "_unit": None}

    def get_index(self, word):
        """Row index of a word.

        Parameters
        ----------
        word : str or int
            A word of :attr:`words`, or a row index.

        Returns
        -------
        index : int
            The row of ``word`` in :attr:`vectors`.

        Raises
        ------
        UnknownWordError
            If the word is not there or the index is out of range.
        TypeError
            If ``word`` is neither a str nor an int.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_kexue.embedding import WordVectors
        >>> vectors = WordVectors(np.eye(3), {"b": 1, "a": 0, "c": 2})
        >>> vectors.get_index("c"), vectors.get_index(1)
        (2, 1)
        """
        if isinstance(word, str):
            if self._key_to_index is None:
                raise UnknownWordError(
                    f"Word {word!r} is not in the vocabulary: these word vectors "
                    "have no words (pass words= to WordVectors), so words are "
                    "row indices.",
                    word,
                )
            try:
                return self._key_to_index[word]
            except KeyError:
                raise UnknownWordError(
                    f"Word {word!r} is not in the vocabulary.", word
                ) from None
        if not _is_int(word):
            raise TypeError(
                "A word must be a str or an int row index; got "
                f"{word!r} of type {type(word).__name__}."
            )
        if not 0 <= word < len(self):
            raise UnknownWordError(
                f"Word index {word} is out of range [0, {len(self)}).", word
            )
        return int(word)

    # Queries --------------------------------------------------------------------

    @validate_params(_SIMILARITY_PARAMS, prefer_skip_nested_validation=True)
    def similarity(self, word_a, word_b, *, measure="cosine", n_reference=10_000):
        """Similarity of two words.

        Parameters
        ----------
        word_a, word_b : str or int
            Words of :attr:`words`, or row indices.
        measure : {"cosine", "dot", "profile"}, default="cosine"
            ``"dot"``: the inner product (for
            :class:`~sklearn_kexue.SimplerGlove`, the model's PMI:
            relatedness). ``"cosine"``: its normalised form. ``"profile"``:
            the Pearson correlation of the two words' profiles of inner
            products with the ``n_reference`` most frequent words (by
            :attr:`counts`): similarity rather than relatedness.
        n_reference : int, default=10000
            Reference words of ``measure="profile"``.

        Returns
        -------
        similarity : float
            The inner product, cosine or profile correlation of the two words.
            The cosine of a zero vector with any vector is 0.

        Raises
        ------
        UnknownWordError
            If a word is not there or an index is out of range (a
            ``KeyError``, ``IndexError`` and ``ValueError`` at once).
        ValueError
            If ``measure="profile"`` and there are no :attr:`counts`.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_kexue.embedding import WordVectors
        >>> vectors = WordVectors([[3.0, 4.0], [4.0, 3.0], [0.0, 1.0]], ["a", "b", "c"])
        >>> vectors.similarity("a", "b")
        0.96
        >>> vectors.similarity("a", "b", measure="dot")
        24.0
        """
        index_a, index_b = self.get_index(word_a), self.get_index(word_b)
        rows = self._vectors[[index_a, index_b]].astype(np.float64)
        if measure == "profile":
            # The correlation does not see a row's scale: unit rows first.
            rows = _unit_rows(rows) @ self._profile_map(n_reference).T
        if measure == "dot":
            with np.errstate(over="ignore", invalid="ignore"):
                dot = float(rows[0] @ rows[1])
            if not np.isfinite(dot):
                raise ValueError(_DOT_OVERFLOW)
            return dot
        unit = _unit_rows(rows)
        return float(unit[0] @ unit[1])

    @validate_params(_MOST_SIMILAR_PARAMS, prefer_skip_nested_validation=True)
    def most_similar(self, query, *, topn=10, measure="cosine", n_reference=10_000):
        """The words closest to a word or a vector.

        Parameters
        ----------
        query : str, int or array-like of shape (dim,)
            A word of :attr:`words` (or a row index), which is left out of
            the answer, or a vector of finite real numbers.
        topn : int, default=10
            Number of words returned (fewer if there are fewer).
        measure : {"cosine", "dot", "profile"}, default="cosine"
            See :meth:`similarity`. ``"profile"`` ranks by the correlation of
            profiles: neighbours that are similar (interchangeable) rather
            than related.
        n_reference : int, default=10000
            Reference words of ``measure="profile"``; for
            :class:`~sklearn_kexue.SimplerGlove`, fewer (about 500) favours
            syntactic neighbours, more (about 10,000) semantic ones.

        Returns
        -------
        neighbours : list of (word, float)
            Best first, ties in row order; words are row indices when there
            are no :attr:`words`. Cosines with a zero vector are 0.

        Raises
        ------
        UnknownWordError
            If the query word is not there or an index is out of range (a
            ``KeyError``, ``IndexError`` and ``ValueError``).
        ValueError
            If a query vector has the wrong shape or is not finite, if
            ``measure="dot"`` overflows, or if ``measure="profile"`` and there
            are no :attr:`counts`.
        TypeError
            If a query vector does not hold real numbers.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_kexue.embedding import WordVectors
        >>> words = ["cat", "dog", "car"]
        >>> vectors = WordVectors([[1.0, 0.2], [0.9, 0.3], [0.0, 1.0]], words)
        >>> [word for word, _ in vectors.most_similar("cat")]
        ['dog', 'car']
        >>> vectors.most_similar([0.0, 2.0], topn=1)
        [('car', 1.0)]
        """
        exclude = []
        if isinstance(query, (str, Integral)):
            exclude.append(self.get_index(query))
        else:
            query = self._query_vector(query, measure)
        if measure == "cosine":
            vectors = self._unit_vectors()
        else:
            vectors = self._vectors.astype(np.float64, copy=False)
            if measure == "profile":
                # The correlation does not see a row's scale: unit rows first.
                space = self._profile_map(n_reference)
                vectors = _unit_rows(vectors) @ space.T
                if not exclude:
                    query = _unit_rows(query[np.newaxis])[0] @ space.T
        target = vectors[exclude[0]] if exclude else query
        if measure == "dot":
            with np.errstate(over="ignore", invalid="ignore"):
                scores = vectors @ target
            if not np.all(np.isfinite(scores)):
                raise ValueError(_DOT_OVERFLOW)
        else:
            if measure == "profile":
                vectors = _unit_rows(vectors)
            scores = vectors @ _unit_rows(target[np.newaxis])[0]
        return self._ranked(scores, exclude, topn)

    @validate_params(_ANALOGY_PARAMS, prefer_skip_nested_validation=True)
    def analogy(self, word_a, word_b, word_c, *, topn=1):
        """Solve "a is to b as c is to ?" by 3CosAdd.

        The answer maximises cos(v, b̂ - â + ĉ) over the unit-normalised word
        vectors, leaving out the three query words (as gensim and GloVe's
        evaluation script do).

        Parameters
        ----------
        word_a, word_b, word_c : str or int
            Words of :attr:`words` or row indices.
        topn : int, default=1
            Number of answers (fewer if there are fewer other words).

        Returns
        -------
        answers : list of (word, float)
            Best first, with the cosine to b̂ - â + ĉ.

        Raises
        ------
        UnknownWordError
            If a word is not there or an index is out of range (a
            ``KeyError``, ``IndexError`` and ``ValueError`` at once).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_kexue.embedding import WordVectors
        >>> words = ["man", "woman", "king", "queen"]
        >>> vectors = WordVectors([[1, 1], [1, -1], [3, 1], [3, -1]], words)
        >>> answer, cosine = vectors.analogy("man", "king", "woman")[0]
        >>> answer, round(cosine, 4)
        ('queen', 0.8595)
        """
        indices = [self.get_index(word) for word in (word_a, word_b, word_c)]
        scores, norms = _three_cos_add(self._unit_vectors(), *([i] for i in indices))
        # b̂ - â + ĉ = 0 (e.g. a = b, c a zero vector): every cosine is 0.
        scores = scores[0] / norms[0] if norms[0] > 0 else np.zeros(len(self))
        return self._ranked(scores, indices, topn)

    # Export ---------------------------------------------------------------------

    def to_gensim(self):
        """The vectors as a gensim ``KeyedVectors``.

        Needs gensim (``pip install gensim``), which this package does not
        depend on. The keys are :attr:`words` (row indices without words), in
        row order; :attr:`counts`, when given, become gensim's ``"count"``
        attribute (gensim's ``save_word2vec_format`` then writes the most
        frequent words first). The vectors are copied as float32, gensim's
        own type: gensim 4.4's ``KeyedVectors.similarity`` normalises float64
        vectors in place, which would corrupt later queries. For float64 in
        gensim, read a file of :meth:`save_word2vec_format` with
        ``KeyedVectors.load_word2vec_format(path, datatype=np.float64)``.

        Returns
        -------
        keyed_vectors : gensim.models.KeyedVectors
            The same words and vectors.

        Raises
        ------
        ImportError
            If gensim is not installed.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_kexue.embedding import WordVectors
        >>> vectors = WordVectors([[1.0, 0.2], [0.9, 0.3], [0.0, 1.0]], ["a", "b", "c"])
        >>> keyed = vectors.to_gensim()
        >>> keyed.most_similar("a", topn=1)[0][0], keyed.vectors.dtype
        ('b', dtype('float32'))
        """
        try:
            from gensim.models import KeyedVectors
        except ImportError as error:
            raise ImportError(
                "WordVectors.to_gensim needs gensim, which is not installed: "
                "pip install gensim"
            ) from error
        keyed = KeyedVectors(self._vectors.shape[1], dtype=np.float32)
        keys = list(range(len(self))) if self._words is None else list(self._words)
        keyed.add_vectors(keys, self._vectors.astype(np.float32))
        if self._counts is not None:
            keyed.allocate_vecattrs(["count"], [self._counts.dtype])
            keyed.expandos["count"][:] = self._counts
        return keyed

    @validate_params(
        {"path": _PATH, "binary": ["boolean"]}, prefer_skip_nested_validation=True
    )
    def save_word2vec_format(self, path, *, binary=False):
        """Write the vectors in word2vec's format, text or binary.

        The text format has a header line ``n_words dim`` and a line
        ``word v_1 ... v_dim`` per word, in row order; each value is the
        ``repr`` of the float64 number, which reads back exactly. Without
        :attr:`words` the row index is written as the word. The binary
        format (``binary=True``) follows the header with ``word``, a space
        and ``dim`` little-endian float32 per word, as the C word2vec tool
        writes it: float64 vectors are rounded to float32. gensim's
        ``KeyedVectors.load_word2vec_format`` and :meth:`load_word2vec_format`
        read both.

        Parameters
        ----------
        path : str or path-like
            The file to write (overwritten).
        binary : bool, default=False
            Whether to write the binary format.

        Raises
        ------
        ValueError
            If a word is empty or contains whitespace, which the format
            cannot hold (it separates fields by spaces and words by
            newlines); nothing is written then.

        Examples
        --------
        >>> import os, tempfile
        >>> from sklearn_kexue.embedding import WordVectors
        >>> vectors = WordVectors([[0.1, -2.0], [1e-300, 3.0]], ["a", "b"])
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "vectors.txt")
        ...     vectors.save_word2vec_format(path)
        ...     with open(path) as file:
        ...         print(file.read(), end="")
        2 2
        a 0.1 -2.0
        b 1e-300 3.0
        """
        words = (
            [str(i) for i in range(len(self))] if self._words is None else self._words
        )
        encoded = []
        for row, word in enumerate(words):
            if _UNWRITABLE_WORD.search(word):
                raise ValueError(
                    f"Word {word!r} (row {row}) cannot be written in word2vec "
                    "format, which separates fields by spaces and words by "
                    "newlines: a word must be non-empty and hold no whitespace."
                )
            try:
                encoded.append(word.encode())
            except UnicodeEncodeError:
                raise ValueError(
                    f"Word {word!r} (row {row}) cannot be written in word2vec "
                    "format, whose words are UTF-8: it holds a lone surrogate."
                ) from None
        if binary:
            with np.errstate(over="ignore"):
                rows = self._vectors.astype("<f4", copy=False)
            finite = np.isfinite(rows).all(axis=1)
            if not finite.all():
                raise ValueError(
                    f"Row {int(np.argmin(finite))} of the vectors exceeds the "
                    "float32 range of the binary word2vec format; write the "
                    "text format (binary=False), which is exact."
                )
        n_words, dim = self._vectors.shape
        with open(os.fspath(path), "wb") as file:
            file.write(f"{n_words} {dim}\n".encode())
            if binary:
                for word, row in zip(encoded, rows):
                    file.write(word + b" " + row.tobytes() + b"\n")
            else:
                for word, row in zip(words, self._vectors.tolist()):
                    file.write(f"{word} {' '.join(map(repr, row))}\n".encode())

    @classmethod
    @validate_params(
        {"path": _PATH, "binary": ["boolean"]}, prefer_skip_nested_validation=True
    )
    def load_word2vec_format(cls, path, *, binary=False):
        """Read word vectors from a file in word2vec's format, text or binary.

        Reads what :meth:`save_word2vec_format`, gensim's
        ``KeyedVectors.save_word2vec_format`` and the C word2vec tool write
        (UTF-8 words). Text values are read as float64, exactly as written;
        binary ones as float32.

        Parameters
        ----------
        path : str or path-like
            The file to read.
        binary : bool, default=False
            Whether the file is in the binary format.

        Returns
        -------
        word_vectors : WordVectors
            The words and vectors of the file, in its order, without counts.

        Raises
        ------
        ValueError
            If the file does not follow the format: a bad header, a line
            without ``dim`` numbers, fewer or more words than the header
            announces, repeated words or values that are not finite.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from sklearn_kexue.embedding import WordVectors
        >>> vectors = WordVectors(np.random.default_rng(0).normal(size=(4, 3)))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "vectors.txt")
        ...     vectors.save_word2vec_format(path)
        ...     loaded = WordVectors.load_word2vec_format(path)
        >>> loaded.words, np.array_equal(loaded.vectors, vectors.vectors)
        (['0', '1', '2', '3'], True)
        """
        path = os.fspath(path)
        with open(path, "rb") as file:
            n_words, dim = _read_header(file.readline(), path)
            read = _read_binary if binary else _read_text
            words, vectors = read(file, n_words, dim, path)
        try:
            return cls(vectors, words)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None

    # Helpers --------------------------------------------------------------------

    def _unit_vectors(self):
        """The rows scaled to unit length (float64), computed once."""
        if self._unit is None:
            self._unit = _unit_rows(self._vectors)
        return self._unit

    def _query_vector(self, query, measure):
        """A query vector as float64, checked: real, finite, of the right length.

        For the cosine measures (invariant to the query's scale) a vector with
        huge or tiny entries is rescaled exactly by a power of two.
        """
        vector = np.asarray(query)
        if vector.dtype.kind not in "iuf":
            raise TypeError(
                "A query vector must hold real numbers; got an array of dtype "
                f"{vector.dtype}."
            )
        vector = vector.astype(np.float64)
        dim = self._vectors.shape[1]
        if vector.shape != (dim,):
            raise ValueError(
                f"A query vector must have shape ({dim},), got {vector.shape}."
            )
        if not np.all(np.isfinite(vector)):
            raise ValueError("A query vector must be finite; it holds NaN or inf.")
        if measure != "dot":
            vector *= power_of_two_scale(max_abs(vector))
        return vector

    def _profile_map(self, n_reference):
        """U with <U v_a, U v_b> = the covariance of the PMI profiles of a and b.

        A word's profile over reference words R is (<v_w, v_r>) for r in R;
        centred over R it is V_c v_w with V_c the centred reference vectors,
        so the profiles' correlation is a cosine after mapping every vector
        by a square root U of V_cᵀ V_c (Su's "similar words").
        """
        if self._counts is None:
            raise ValueError(
                "measure='profile' compares words through their inner products "
                "with the most frequent words and needs the word counts; pass "
                "counts= to WordVectors."
            )
        frequent = np.argsort(-self._counts, kind="stable")[:n_reference]
        reference = self._vectors[frequent].astype(np.float64)
        # U's scale cancels in the cosines: a power of two keeps VᵀV finite.
        reference *= power_of_two_scale(max_abs(reference))
        centred = reference - reference.mean(axis=0)
        eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred)
        return np.sqrt(np.clip(eigenvalues, 0.0, None))[:, np.newaxis] * eigenvectors.T

    def _ranked(self, scores, exclude, topn):
        """The ``topn`` best (word, score), best first, ties in row order."""
        scores = np.array(scores, dtype=np.float64)
        scores[exclude] = -np.inf
        best = _top(scores, min(topn, scores.shape[0] - len(set(exclude))))
        words = self._words
        return [
            (int(index) if words is None else words[index], float(scores[index]))
            for index in best
        ]


# Shared with sklearn_kexue.metrics and SimplerGlove -----------------------------


def _is_int(value):
    """An integer that is not a bool (numpy's integers included)."""
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


def _vocabulary_items(vocabulary, *, name, unit, index_kind):
    """The (word, index) pairs of a mapping or of a sequence of words, checked.

    Words must be str (NumPy's str included; returned as str) and, in a
    sequence, distinct; a mapping's indices must be ints (not bools).
    ``name`` is the argument's name in messages, ``unit`` what an index
    points to ("row", "column") and ``index_kind`` how a mapping's values
    are called ("row indices", ...).
    """
    if isinstance(vocabulary, str):
        raise TypeError(
            f"{name} must be a mapping word -> {unit} or a sequence of words in "
            f"{unit} order; got a str ({vocabulary[:20]!r})."
        )
    if isinstance(vocabulary, Mapping):
        items = list(vocabulary.items())
        for word, index in items:
            if not _is_int(index):
                raise TypeError(
                    f"{name} must map words to int {index_kind}; got {index!r} "
                    f"of type {type(index).__name__} for {word!r}."
                )
    else:
        words = np.asarray(
            list(vocabulary) if isinstance(vocabulary, Set) else vocabulary,
            dtype=object,
        )
        if isinstance(vocabulary, Set) or words.ndim != 1:
            raise ValueError(
                f"{name} must be a mapping word -> {unit} or a 1-D sequence of "
                f"words in {unit} order; got "
                + (
                    "a set (unordered)."
                    if isinstance(vocabulary, Set)
                    else f"an array of shape {words.shape}."
                )
            )
        items = list(zip(words.tolist(), range(words.shape[0])))
    bad = [word for word, _ in items if not isinstance(word, str)][:1]
    if bad:
        bad = bad[0]
        owner = name if name == "words" else f"{name}'s words"
        raise TypeError(
            f"{owner} must be str; got {bad!r} of type {type(bad).__name__}."
        )
    items = [(str(word), int(index)) for word, index in items]
    if len({word for word, _ in items}) != len(items):
        seen = set()
        repeated = next(w for w, _ in items if w in seen or seen.add(w))
        raise ValueError(
            f"{name} contains repeated words ({repeated!r}); a word may not be "
            "listed more than once."
        )
    return items


def _complete_vocabulary(vocabulary, n_words, *, name, unit, of):
    """Word -> index, one word for each index 0 to n_words - 1.

    The vocabulary of a model: a mapping that covers every row (or column)
    once, or a sequence of n_words distinct words in order.
    """
    items = _vocabulary_items(
        vocabulary, name=name, unit=unit, index_kind=f"{unit} indices"
    )
    indices = sorted(index for _, index in items)
    if indices != list(range(n_words)):
        raise ValueError(
            f"{name} must map {n_words} words to the indices 0 to {n_words - 1} "
            f"(one per {unit} of {of}); got {len(items)} words with indices "
            f"from {indices[0] if indices else None} to "
            f"{indices[-1] if indices else None}."
        )
    return dict(items)


def _unit_rows(vectors):
    """Rows scaled to unit length as float64 (zero rows stay zero), at any scale."""
    vectors = np.asarray(vectors, dtype=np.float64)
    largest = np.max(np.abs(vectors), axis=1, keepdims=True)
    extreme = (largest > 2.0**_SAFE_EXPONENT) | (
        (largest > 0) & (largest < 2.0**-_SAFE_EXPONENT)
    )
    if extreme.any():
        # A power of two per extreme row, which cosines do not see; applied in
        # two halves, as 2**1074 (for subnormal rows) is not a float64.
        _, exponent = np.frexp(np.where(extreme, largest, 1.0))
        half = -exponent // 2
        vectors = vectors * np.ldexp(1.0, half) * np.ldexp(1.0, -exponent - half)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def _three_cos_add(unit, a, b, c):
    """3CosAdd scores of analogy questions "a is to b as c is to ?".

    For each question (rows a[k], b[k], c[k] of the unit rows ``unit``): the
    dot product of every unit row with b̂ - â + ĉ, -inf for a, b and c (never
    an answer), and the norm of b̂ - â + ĉ (the cosine is the score divided
    by it). Returns scores of shape (n_questions, n_words) and the norms.
    """
    a, b, c = (np.asarray(index, dtype=np.intp) for index in (a, b, c))
    targets = unit[b] - unit[a] + unit[c]
    scores = targets @ unit.T
    questions = np.arange(len(a))
    for query in (a, b, c):
        scores[questions, query] = -np.inf
    return scores, np.linalg.norm(targets, axis=1)


def _top(scores, topn):
    """Indices of the ``topn`` largest scores, best first, ties by index."""
    if topn <= 0:
        return np.empty(0, dtype=np.intp)
    # Everything at least as good as the topn-th score, then an exact order.
    threshold = np.partition(scores, scores.shape[0] - topn)[scores.shape[0] - topn]
    candidates = np.flatnonzero(scores >= threshold)
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order[:topn]]


# Private helpers ----------------------------------------------------------------


def _read_only(array):
    view = array.view()
    view.flags.writeable = False
    return view


def _check_vectors(vectors):
    """A 2-D finite real array, float dtypes kept, others as float64."""
    if sp.issparse(vectors) or hasattr(vectors, "todense"):
        raise TypeError(
            "vectors must be a dense 2-D array of real numbers; got a sparse "
            f"{type(vectors).__name__}."
        )
    try:
        array = np.asarray(vectors)
    except ValueError:  # ragged nested sequences
        raise ValueError(
            "vectors must be a 2-D array of real numbers; got rows of "
            "different lengths."
        ) from None
    if array.dtype.kind not in "iuf":
        raise TypeError(
            f"vectors must hold real numbers; got an array of dtype {array.dtype}."
        )
    if array.ndim != 2:
        raise ValueError(
            "vectors must be a 2-D array of shape (n_words, dim); got shape "
            f"{array.shape}."
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"vectors is empty (shape {array.shape}); at least one word with "
            "at least one dimension is needed."
        )
    finite = np.isfinite(array).all(axis=1)
    if not finite.all():
        raise ValueError(
            f"vectors must be finite; row {int(np.argmin(finite))} holds NaN or inf."
        )
    if array.dtype.kind != "f" or array.dtype.itemsize > 8:
        # Integers, and long doubles, which no float64 routine here reads.
        with np.errstate(over="ignore"):
            array = array.astype(np.float64)
        finite = np.isfinite(array).all(axis=1)
        if not finite.all():
            raise ValueError(
                f"vectors must be finite in float64; row {int(np.argmin(finite))} "
                "exceeds its range."
            )
    return array


def _check_counts(counts, n_words):
    """Word counts as a float64 array of shape (n_words,), finite and >= 0."""
    array = np.asarray(counts)
    if array.dtype.kind not in "iuf":
        raise TypeError(
            f"counts must hold real numbers; got an array of dtype {array.dtype}."
        )
    if array.shape != (n_words,):
        raise ValueError(
            f"counts must have shape ({n_words},), one per word; got {array.shape}."
        )
    array = array.astype(np.float64, copy=False)
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError("counts must be finite and non-negative.")
    return array


def _read_header(line, path):
    """(n_words, dim) of a word2vec header line."""
    try:
        n_words, dim = (int(field) for field in line.decode().split())
    except ValueError:
        raise ValueError(
            f"{path}: the first line must be the header 'n_words dim' of the "
            f"word2vec format; got {line[:80]!r}."
        ) from None
    if n_words < 1 or dim < 1:
        raise ValueError(
            f"{path}: the header announces {n_words} words of dimension {dim}; "
            "both must be at least 1."
        )
    return n_words, dim


def _rows_to_allocate(file, n_words, least_bytes):
    """Rows to allocate before reading the words a header announces.

    A corrupt or truncated file may announce any number of words: allocating
    them all could ask for terabytes. A regular file with B bytes left holds
    at most B // least_bytes words (a word's least size in its format); for
    anything else the rows are grown as words are read.
    """
    try:
        status = os.fstat(file.fileno())
    except (AttributeError, OSError, io.UnsupportedOperation):
        return 0
    if not stat.S_ISREG(status.st_mode):
        return 0
    return min(n_words, max(status.st_size - file.tell(), 0) // least_bytes)


def _room_for_row(vectors, row, n_words):
    """``vectors`` with room for ``row``: doubled (up to n_words rows) if full."""
    if row < vectors.shape[0]:
        return vectors
    grown = np.empty((min(n_words, 2 * row + 1), vectors.shape[1]), vectors.dtype)
    grown[:row] = vectors
    return grown


def _read_text(file, n_words, dim, path):
    # A line holds a word, a space and dim values with a space between each.
    rows = _rows_to_allocate(file, n_words, least_bytes=1 + 2 * dim)
    words, vectors = [], np.empty((rows, dim))
    for row in range(n_words):
        line = file.readline()
        number = row + 2
        if not line:
            raise ValueError(
                f"{path}: the header announces {n_words} words, but the file "
                f"ends after {row}."
            )
        try:
            text = line.decode()
        except UnicodeDecodeError as error:
            raise ValueError(f"{path}, line {number}: not UTF-8 ({error}).") from None
        word, _, values = text.partition(" ")
        values = values.split()
        if not word or len(values) != dim:
            raise ValueError(
                f"{path}, line {number}: expected a word, a space and {dim} "
                f"numbers; got {text[:80]!r}."
            )
        words.append(word)
        vectors = _room_for_row(vectors, row, n_words)
        try:
            vectors[row] = [float(value) for value in values]
        except ValueError:
            raise ValueError(
                f"{path}, line {number}: expected {dim} numbers after the word "
                f"{word!r}; got {' '.join(values)[:80]!r}."
            ) from None
    for line in file:
        if line.strip():
            raise ValueError(
                f"{path}: the file holds more lines than the {n_words} words "
                "its header announces."
            )
    return words, vectors


def _read_binary(file, n_words, dim, path):
    size = 4 * dim
    # A record holds a word, a space and dim float32 values.
    rows = _rows_to_allocate(file, n_words, least_bytes=2 + size)
    words, vectors = [], np.empty((rows, dim), dtype=np.float32)
    chunk, start = bytearray(), 0
    for row in range(n_words):
        while True:
            space = chunk.find(b" ", start)
            if space != -1 and len(chunk) - space - 1 >= size:
                break
            more = file.read(_BINARY_CHUNK)
            if not more:
                raise ValueError(
                    f"{path}: the header announces {n_words} words of dimension "
                    f"{dim}, but the file ends after {row} (is it binary?)."
                )
            del chunk[:start]
            start = 0
            chunk += more
        # The C tool ends each vector with a newline; gensim does not.
        raw = bytes(chunk[start:space]).lstrip(b"\r\n")
        try:
            word = raw.decode()
        except UnicodeDecodeError as error:
            raise ValueError(f"{path}: word {row} is not UTF-8 ({error}).") from None
        if not word:
            raise ValueError(f"{path}: word {row} is empty (is the file binary?).")
        words.append(word)
        vectors = _room_for_row(vectors, row, n_words)
        vectors[row] = np.frombuffer(chunk, dtype="<f4", count=dim, offset=space + 1)
        start = space + 1 + size
    if bytes(chunk[start:]).strip() or file.read().strip():
        raise ValueError(
            f"{path}: the file holds more than the {n_words} words its header "
            "announces (is it binary?)."
        )
    return words, vectors
