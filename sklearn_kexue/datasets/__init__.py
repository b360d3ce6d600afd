"""Bundled datasets: the two-character words of jieba's Chinese dictionary."""

from sklearn_kexue.datasets._words import load_two_character_words

__all__ = ["load_two_character_words"]
