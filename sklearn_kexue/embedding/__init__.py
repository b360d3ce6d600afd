"""Word embeddings: SimplerGlove, windowed co-occurrence counts, text vectors."""

from sklearn_kexue.embedding._simpler_glove import SimplerGlove
from sklearn_kexue.embedding._text import SimplerGloveVectorizer
from sklearn_kexue.embedding._vectorizer import (
    CooccurrenceVectorizer,
    count_cooccurrence,
)
from sklearn_kexue.embedding._word_vectors import UnknownWordError, WordVectors

__all__ = [
    "CooccurrenceVectorizer",
    "SimplerGlove",
    "SimplerGloveVectorizer",
    "UnknownWordError",
    "WordVectors",
    "count_cooccurrence",
]
