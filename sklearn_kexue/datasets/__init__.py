"""Datasets: the two-character words of jieba's Chinese dictionary (bundled), and
English text and word-vector evaluation sets read from gensim's wheel."""

from sklearn_kexue.datasets._text import (
    load_wikipedia_shard,
    load_word_analogies,
    load_word_similarity,
)
from sklearn_kexue.datasets._words import load_two_character_words

__all__ = [
    "load_two_character_words",
    "load_wikipedia_shard",
    "load_word_analogies",
    "load_word_similarity",
]
