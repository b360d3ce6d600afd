"""The package imports and runs where no cache directory is writable.

numba's ``cache=True`` writes compiled kernels next to the sources or in the
user's cache directory, and refuses even to import a module when neither can
be written. Each test copies the package to a fresh directory and runs a
child interpreter in which the package's ``__pycache__`` folders and the home
directory cannot be created: each is a path through a regular file, which no
user, root included, can make a directory of (so the test holds when CI runs
as root, where permission bits would not stop a write). The directories are
also made read-only. ``NUMBA_CACHE_DIR`` is unset in the child.
"""

import os
import shutil
import stat
import subprocess
import sys
import textwrap

import pytest

import sklearn_kexue

PACKAGE = os.path.dirname(sklearn_kexue.__file__)

# Every estimator fitted and applied on small data, with the compiled kernels
# forced (small calls would otherwise run their NumPy twins and compile nothing).
EXERCISE = textwrap.dedent(
    """
    import warnings
    import numpy as np
    import sklearn_kexue
    from sklearn_kexue.utils import _jit, all_estimators
    _jit.COMPILE_MIN_WORK = 0
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(0)
    X = rng.integers(0, 5, size=(30, 8)).astype(float)
    y = np.arange(30) % 2
    documents = [["a", "b", "c", "a"], ["b", "c", "d"]] * 5
    for name, cls in all_estimators():
        estimator = cls()
        if name.endswith("Vectorizer"):  # text in
            estimator.fit_transform(documents)
        elif hasattr(estimator, "predict"):
            estimator.fit(X, y).predict(X)
        elif not hasattr(estimator, "transform"):  # a neighbours index
            estimator.fit(X).kneighbors(X)
        else:
            estimator.fit(X).transform(X)
    from sklearn_kexue.hashing import _fly_kernels
    print("from:", sklearn_kexue.__file__)
    print("cache:", type(_fly_kernels.fly_winners_dense._cache).__name__)
    """
)


def _read_only_tree(root):
    for directory, _, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            os.chmod(path, os.stat(path).st_mode & ~0o222)
        os.chmod(directory, os.stat(directory).st_mode & ~0o222)


def _writable_again(root):
    for directory, _, files in os.walk(root):
        os.chmod(directory, os.stat(directory).st_mode | stat.S_IWUSR)
        for name in files:
            path = os.path.join(directory, name)
            os.chmod(path, os.stat(path).st_mode | stat.S_IWUSR)


@pytest.fixture
def read_only_install(tmp_path):
    """A copy of the package and a home directory in which nothing can be cached."""
    site = tmp_path / "site"
    shutil.copytree(
        PACKAGE,
        site / "sklearn_kexue",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc"),
    )
    for directory, _, _ in os.walk(site / "sklearn_kexue"):
        # numba's in-tree cache (and Python's bytecode) would go here.
        with open(os.path.join(directory, "__pycache__"), "w") as blocker:
            blocker.write("not a directory\n")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, so no directory can be made under it\n")
    _read_only_tree(site)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NUMBA_", "XDG_")) and key not in ("PYTHONPATH",)
    }
    env.update(
        PYTHONPATH=str(site),
        HOME=str(blocked / "home"),
        PYTHONDONTWRITEBYTECODE="1",
        TMPDIR=str(tmp_path / "tmp"),
    )
    (tmp_path / "tmp").mkdir()
    yield site, env, tmp_path
    _writable_again(site)


def _run(code, env, cwd):
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_falls_back_to_a_private_temporary_cache(read_only_install):
    site, env, tmp_path = read_only_install
    result = _run(EXERCISE, env, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"from: {site}" in result.stdout
    assert "cache: FunctionCache" in result.stdout
    # The kernels were cached in a directory only this user can write to.
    caches = [path for path in (tmp_path / "tmp").iterdir() if "numba" in path.name]
    assert len(caches) == 1
    assert stat.S_IMODE(caches[0].stat().st_mode) == 0o700
    assert any(
        name.endswith(".nbi") for _, _, files in os.walk(caches[0]) for name in files
    )
    # The package directory got nothing.
    assert not any(
        name.endswith((".nbi", ".nbc"))
        for _, _, files in os.walk(site)
        for name in files
    )


def test_compiles_in_memory_when_nothing_is_writable(read_only_install):
    _, env, tmp_path = read_only_install
    # No writable temporary directory either: tempfile's own override.
    code = (
        "import tempfile; tempfile.tempdir = "
        f"{str(tmp_path / 'blocked' / 'tmp')!r}\n" + EXERCISE
    )
    result = _run(code, env, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "cache: NullCache" in result.stdout
