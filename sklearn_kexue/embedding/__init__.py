"""Word embeddings: SimplerGlove and the windowed co-occurrence vectorizer."""

from sklearn_kexue.embedding._simpler_glove import SimplerGlove, UnknownWordError
from sklearn_kexue.embedding._vectorizer import (
    CooccurrenceVectorizer,
    count_cooccurrence,
)

__all__ = [
    "CooccurrenceVectorizer",
    "SimplerGlove",
    "UnknownWordError",
    "count_cooccurrence",
]
