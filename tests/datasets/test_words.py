"""Tests for the bundled two-character word list."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_kexue.datasets import load_two_character_words

# Counts of the two-character words of jieba 0.42.1's dict.txt at these thresholds.
EXPECTED_COUNTS = {100: 23630, 1000: 4702, 10000: 420}


def test_default_count_and_content():
    data = load_two_character_words()
    assert len(data.words) == len(data.frequency) == EXPECTED_COUNTS[100]
    assert data.words.dtype == object
    assert data.frequency.dtype == np.int64
    assert data.frame is None
    assert isinstance(data.DESCR, str) and "jieba" in data.DESCR
    assert data.words[:3].tolist() == ["一个", "中国", "我们"]
    assert data.frequency[:3].tolist() == [142747, 129470, 98740]
    assert data.frequency.min() == 100
    assert len(set(data.words)) == len(data.words)


@pytest.mark.parametrize("min_frequency", sorted(EXPECTED_COUNTS))
def test_min_frequency_filters(min_frequency):
    data = load_two_character_words(min_frequency=min_frequency)
    assert len(data.words) == EXPECTED_COUNTS[min_frequency]
    assert all(isinstance(word, str) and len(word) == 2 for word in data.words)
    assert np.all(data.frequency >= min_frequency)
    # Sorted by decreasing frequency, ties by word.
    keys = list(zip(-data.frequency, data.words))
    assert keys == sorted(keys)


def test_higher_threshold_is_a_prefix_of_the_default():
    full = load_two_character_words()
    top = load_two_character_words(min_frequency=np.int64(1000))
    n = len(top.words)
    assert top.words.tolist() == full.words[:n].tolist()
    np.testing.assert_array_equal(top.frequency, full.frequency[:n])
    assert full.frequency[n] < 1000


@pytest.mark.parametrize("min_frequency", [100, 1000])
def test_as_frame_matches_arrays(min_frequency):
    pytest.importorskip("pandas")
    data = load_two_character_words(min_frequency=min_frequency, as_frame=True)
    frame = data.frame
    assert list(frame.columns) == ["word", "frequency"]
    assert frame.shape == (len(data.words), 2)
    assert frame["word"].tolist() == data.words.tolist()
    assert frame["frequency"].dtype == np.int64
    np.testing.assert_array_equal(frame["frequency"].to_numpy(), data.frequency)


@pytest.mark.parametrize("min_frequency", [99, 0, -5])
def test_min_frequency_below_the_file_threshold_raises(min_frequency):
    message = r"'min_frequency' parameter .* must be an int in the range \[100, inf\)"
    with pytest.raises(ValueError, match=message):
        load_two_character_words(min_frequency=min_frequency)


@pytest.mark.parametrize("min_frequency", [100.0, "100", None, True, np.True_])
def test_non_int_min_frequency_raises(min_frequency):
    with pytest.raises(InvalidParameterError, match="min_frequency"):
        load_two_character_words(min_frequency=min_frequency)


@pytest.mark.parametrize("as_frame", [1, 0, "yes", None])
def test_non_bool_as_frame_raises(as_frame):
    with pytest.raises(InvalidParameterError, match="as_frame"):
        load_two_character_words(as_frame=as_frame)


def test_huge_min_frequency_keeps_no_word():
    data = load_two_character_words(min_frequency=10**30, as_frame=True)
    assert data.words.shape == (0,) and data.frame.shape == (0, 2)


def test_as_frame_without_pandas_raises_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def import_without_pandas(name, *args, **kwargs):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", import_without_pandas)
    with pytest.raises(ImportError, match="requires pandas"):
        load_two_character_words(as_frame=True)
