"""Tests of the loaders that read English text and evaluation sets from gensim."""

import re

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_kexue.datasets import (
    load_wikipedia_shard,
    load_word_analogies,
    load_word_similarity,
)


def test_wikipedia_shard_is_plain_text():
    wiki = load_wikipedia_shard()
    assert len(wiki.data) == len(wiki.titles) == 206
    assert wiki.titles[1] == "Anarchism"
    tokens = sum(len(re.findall(r"(?u)\b\w\w+\b", page)) for page in wiki.data)
    assert 400_000 < tokens < 500_000
    text = "".join(wiki.data)
    # Templates, tables, links, tags and emphasis are gone (a dozen unbalanced
    # fragments of the shortened dump may remain).
    for markup in ("{{", "[[", "{|", "<ref", "'''", "&amp;"):
        assert text.count(markup) < 20, markup
    assert "Wikipedia" in wiki.DESCR


@pytest.mark.parametrize(
    "name, n_pairs, first", [("wordsim353", 353, "love"), ("simlex999", 999, "old")]
)
def test_word_similarity_sets(name, n_pairs, first):
    data = load_word_similarity(name)
    assert data.pairs.shape == (n_pairs, 2)
    assert data.pairs[0, 0] == first
    assert data.scores.shape == (n_pairs,)
    assert 0 <= data.scores.min() and data.scores.max() <= 10
    assert all(word == word.lower() for word in data.pairs.ravel())


def test_word_analogies():
    data = load_word_analogies()
    assert data.questions.shape == (19_544, 4)
    assert len(set(data.sections)) == 14
    assert data.semantic.sum() == 8_869
    assert not data.semantic[data.sections == "gram1-adjective-to-adverb"].any()
    assert np.all(np.char.lower(data.questions) == data.questions)


@pytest.mark.parametrize("name", ["men3000", "WordSim353", None, ["wordsim353"], 3])
def test_unknown_similarity_set(name):
    with pytest.raises(InvalidParameterError, match=r"'name' parameter.*wordsim353"):
        load_word_similarity(name)
