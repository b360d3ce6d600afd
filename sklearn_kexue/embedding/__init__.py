"""Word embeddings: SimplerGlove, the windowed co-occurrence vectorizer and
WordVectors, the word-level query object of word vectors."""

from sklearn_kexue.embedding._simpler_glove import SimplerGlove
from sklearn_kexue.embedding._vectorizer import (
    CooccurrenceVectorizer,
    count_cooccurrence,
)
from sklearn_kexue.embedding._word_vectors import UnknownWordError, WordVectors

__all__ = [
    "CooccurrenceVectorizer",
    "SimplerGlove",
    "UnknownWordError",
    "WordVectors",
    "count_cooccurrence",
]
