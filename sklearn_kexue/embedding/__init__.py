"""Word embeddings: SimplerGlove and the windowed co-occurrence vectorizer."""

from sklearn_kexue.embedding._simpler_glove import SimplerGlove

__all__ = ["SimplerGlove"]
