"""
=================================================
Word vectors from a Wikipedia shard: SimplerGlove
=================================================

This example trains :class:`~sklearn_kexue.SimplerGlove` word vectors on
206 pages of English Wikipedia (:func:`~sklearn_kexue.datasets.
load_wikipedia_shard`, about 455,000 tokens, shipped in gensim's wheel), so
that the inner product of two words' vectors fits their pointwise mutual
information,

.. math::

    \\langle v_i, v_j \\rangle \\approx \\log \\frac{P(i, j)}{P(i)\\,P(j)} .

:class:`~sklearn_kexue.embedding.CooccurrenceVectorizer` counts the pairs
of words at most 10 tokens apart, streaming the corpus into one
co-occurrence total. We then look at the loss curve, at the relation the
model predicts between a word's squared norm and its frequency,
:math:`\\lVert v_w \\rVert^2 \\approx -\\log P(w)`, at nearest neighbours and
at an analogy. The corpus is tiny for word vectors (text8 has 17 million
tokens), so neighbours are topical rather than precise. See
:ref:`simpler_glove` for the model.
"""

# %%
# Count co-occurrences
# --------------------
# Words seen at least 10 times; a symmetric window of 10 tokens inside each
# page. The corpus total has the pair counts off its diagonal and the word
# counts on it; flattened, it is a one-row input for ``input_type=
# "cooccurrence"``.
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import spearmanr

from sklearn_kexue import SimplerGlove
from sklearn_kexue.datasets import load_wikipedia_shard, load_word_similarity
from sklearn_kexue.embedding import CooccurrenceVectorizer
from sklearn_kexue.metrics import word_similarity_spearman

pages = load_wikipedia_shard().data
vectorizer = CooccurrenceVectorizer(window=10, min_count=10)
vectorizer.fit(pages)
total = vectorizer.cooccurrence_matrix(pages)
print(f"{len(vectorizer.vocabulary_)} words, {total.nnz} non-zero pair counts")

# %%
# Fit the vectors
# ---------------
# Without weight truncation (``truncate_weights=False``) frequent pairs keep
# their full weight, which is what lets the norms follow the frequencies;
# 50 dimensions, 15 epochs of Adagrad.
glove = SimplerGlove(
    n_components=50,
    input_type="cooccurrence",
    truncate_weights=False,
    vocabulary=vectorizer.vocabulary_,
    max_iter=15,
    tol=0,
    random_state=0,
)
glove.fit(total.reshape(1, -1))

probability = glove.word_counts_ / glove.word_counts_.sum()
squared_norm = np.sum(glove.embeddings_**2, axis=1)
rho = spearmanr(squared_norm, -np.log(probability)).statistic
print(f"Spearman correlation of ||v||^2 with -log P(w): {rho:.3f}")

fig, (ax_loss, ax_norm) = plt.subplots(1, 2, figsize=(10, 4))
ax_loss.plot(np.arange(1, glove.n_iter_ + 1), glove.loss_curve_, marker="o")
ax_loss.set(
    xlabel="epoch",
    ylabel="mean ½ λ (<v_i, v_j> - PMI)²",
    yscale="log",
    title="Loss curve",
)
ax_norm.scatter(-np.log(probability), squared_norm, s=3, alpha=0.3)
limit = max(squared_norm.max(), -np.log(probability).max())
ax_norm.plot([0, limit], [0, limit], color="black", lw=1, label="||v||² = -log P(w)")
for word in ("the", "of", "and", "anarchism", "aristotle"):
    index = glove.vocabulary_[word]
    ax_norm.annotate(word, (-np.log(probability[index]), squared_norm[index]))
ax_norm.set(
    xlabel="-log P(w)",
    ylabel="||v_w||²",
    title=f"Squared norm against frequency (Spearman {rho:.2f})",
)
ax_norm.legend(loc="upper left")
fig.tight_layout()

# %%
# Frequent function words get the shortest vectors: their PMI with
# everything is close to zero. The squared norms grow with -log P(w) as the
# model predicts, though below the line: the diagonal is never fitted, only
# implied.
#
# Neighbours, an analogy and a benchmark
# --------------------------------------
# ``measure="cosine"`` ranks related words (they co-occur);
# ``measure="profile"`` ranks words whose PMI profiles over the 1,000 most
# frequent words correlate: similar words, which occur in the same company.
for word in ("king", "music", "university"):
    related = [w for w, _ in glove.most_similar(word, topn=6)]
    similar = [
        w
        for w, _ in glove.most_similar(
            word, topn=6, measure="profile", n_reference=1000
        )
    ]
    print(f"{word:>10}  related: {', '.join(related)}")
    print(f"{'':>10}  similar: {', '.join(similar)}")

answers = [word for word, _ in glove.analogy("france", "paris", "germany", topn=5)]
print("france : paris :: germany : ?", ", ".join(answers))

wordsim = load_word_similarity("wordsim353")
rho, coverage = word_similarity_spearman(
    glove.embeddings_, glove.vocabulary_, wordsim.pairs, wordsim.scores
)
print(f"WordSim-353: Spearman {rho:.3f} on {coverage:.0%} of the pairs")

# %%
# With half a million tokens the neighbours are topical and the analogy is
# hit or miss: the benchmarks page compares these scores with Stanford
# GloVe and Word2Vec trained on the same tokens.
plt.show()
