"""
===============================================================
Novel two-character words from a truncated SVD of a word matrix
===============================================================

A linear autoencoder :math:`M \\approx M C D` with :math:`k` hidden units
is, at its optimum, the rank-:math:`k` truncated SVD of :math:`M`
(Eckart-Young). Su Jianlin's post "SVD分解(一)：自编码器与人工智能"
(https://kexue.fm/archives/4208) applies it to Chinese words: take the
two-character words of the jieba dictionary, arrange their frequencies in a
first-character :math:`\\times` second-character matrix, truncate the SVD,
clip the negative reconstructed values to 0 (a ReLU) and read the cells that
were 0 but are reconstructed high as candidate new words.

This example repeats that experiment with
:class:`~sklearn_kexue.LinearAutoencoder`,
:func:`~sklearn_kexue.decomposition.novel_entries` and the bundled word list
of :func:`~sklearn_kexue.datasets.load_two_character_words`, and then checks
how often such candidates really are words, by hiding known words and seeing
whether they come back. See :ref:`linear_autoencoder` for the theory.
"""

# %%
# The first-character by second-character matrix
# ----------------------------------------------
#
# The 23,630 two-character words with frequency at least 100 of jieba 0.42.1
# give a matrix with one row per first character and one column per second
# character. Each word's cell holds its frequency, as in the blog post; all
# other cells are 0. Fewer than 0.3 % of the cells are filled, so the matrix
# is stored as SciPy CSR and never densified by the fit.

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp

from sklearn_kexue import LinearAutoencoder
from sklearn_kexue.datasets import load_two_character_words
from sklearn_kexue.decomposition import novel_entries

data = load_two_character_words()
words, frequency = data.words, data.frequency

# Row and column labels: the sorted vocabularies of first and second characters.
first_chars, rows = np.unique([word[0] for word in words], return_inverse=True)
second_chars, columns = np.unique([word[1] for word in words], return_inverse=True)


def word_matrix(values, keep=None):
    """CSR matrix with ``values[i]`` at (first char, second char) of word i."""
    keep = np.ones(len(words), dtype=bool) if keep is None else keep
    return sp.csr_array(
        (values[keep], (rows[keep], columns[keep])),
        shape=(len(first_chars), len(second_chars)),
    )


X = word_matrix(frequency.astype(np.float64))
print(
    f"{X.shape[0]} first characters x {X.shape[1]} second characters, "
    f"{X.nnz} words ({X.nnz / np.prod(X.shape):.2%} of the cells), "
    f"frequencies {frequency.min()} to {frequency.max()}"
)

# %%
# The spectrum
# ------------
#
# How many hidden units does the matrix need? Fit 300 components and look at
# the singular values and at the share of the energy :math:`\|M\|_F^2` that
# the first :math:`k` capture (the cumulative ``explained_variance_ratio_``,
# which for this uncentred autoencoder is exactly
# :math:`\sum_{i \le k} \sigma_i^2 / \|M\|_F^2`). With this many components
# the PROPACK solver is much faster than the default ARPACK on this matrix,
# and just as exact.

spectrum = LinearAutoencoder(n_components=300, solver="propack", random_state=0)
spectrum.fit(X)
captured = np.cumsum(spectrum.explained_variance_ratio_)
for k in (1, 10, 20, 50, 100, 200, 300):
    print(f"k = {k:3d}: {captured[k - 1]:6.1%} of the energy")

# A float n_components is a rule: the smallest k that captures that share.
rule = LinearAutoencoder(n_components=0.9, solver="propack", random_state=0).fit(X)
print(f"n_components=0.9 keeps k = {rule.n_components_} components")

ranks = np.arange(1, spectrum.n_components_ + 1)
fig, (ax_sigma, ax_energy) = plt.subplots(1, 2, figsize=(10, 4))
ax_sigma.loglog(ranks, spectrum.singular_values_)
ax_sigma.set_xlabel("component i")
ax_sigma.set_ylabel(r"singular value $\sigma_i$")
ax_sigma.set_title("Singular values of the frequency matrix")
ax_energy.semilogx(ranks, captured)
ax_energy.axhline(0.9, color="gray", linestyle=":")
ax_energy.axvline(rule.n_components_, color="gray", linestyle=":")
ax_energy.set_xlabel("number of components k")
ax_energy.set_ylabel("share of the energy captured")
ax_energy.set_title("Share of the energy in the first k components")
fig.tight_layout()

# %%
# The first component alone captures a tenth of the energy. A non-negative
# matrix has a non-negative leading singular pair, so this component gives
# every first and every second character a non-negative weight, a kind of
# popularity, and reconstructs each cell as the product of the two. After it
# the spectrum decays slowly: half of the energy needs about 20 components
# and 90 % needs 138. No gap singles out one k.
#
# Novel entries
# -------------
#
# Fit a 50-unit autoencoder with a ReLU on the reconstruction and list the 30
# zero cells reconstructed highest. The values are on the scale of the word
# frequencies.

model = LinearAutoencoder(n_components=50, activation="relu", random_state=0).fit(X)
energy = model.explained_variance_ratio_.sum()
print(f"solver chosen by 'auto': {model.solver_}, captured energy {energy:.1%}")


def print_entries(found, value_format):
    """Print the found cells as word and reconstructed value, five per line."""
    cells = [
        f"{first}{second} {value:{value_format}}"
        for first, second, value in zip(
            found.row_label, found.column_label, found.value
        )
    ]
    for start in range(0, len(cells), 5):
        print("   ".join(cells[start : start + 5]))


found = novel_entries(model, X, n_entries=30, labels=(first_chars, second_chars))
print_entries(found, "6.0f")

# %%
# Few of these are words. Most are the missing cell of a small block of very
# frequent words. The squared error is dominated by the largest counts, so
# some components fit just a few of them, and a component spanning the
# first characters 经 and 通 and the second characters 济, 过 and 常
# (经济, 通过, 经过, 通常, 经常 are all frequent words) also fills the
# one cell of that block that is not a word, 通济. Likewise one pair of
# components fits 湖北 and 北京 and fills in 湖京 and 北北, and another
# mixes 同时 with 当然 into 同然. A handful of entries are plausible
# as words or as parts of common phrases: 全心 (as in 全心全意), 所能 (as
# in 力所能及), 大化, 产院, 最上 (as in 最上面). Other values of k
# give lists of the same kind.
#
# Do the novel entries find real words?
# -------------------------------------
#
# Judging candidates by eye is subjective. A direct test is to hide 10 % of
# the words at random (set their cells to 0), fit on the rest, and count how
# many of the 100 highest novel entries are hidden words. This undercounts
# the real words among the candidates, since words rarer than 100 or missing
# from the dictionary count as misses; but it compares settings fairly. A
# random zero cell is a hidden word with probability about 1 in 4000.
#
# The same test is run on a second matrix that holds :math:`\log(1 + f)`
# instead of the frequency :math:`f`: this damps the most frequent words, so
# the fit spreads its effort over all of them.

rng = np.random.default_rng(0)
hidden = rng.random(len(words)) < 0.1
hidden_cells = set(zip(rows[hidden], columns[hidden]))
weightings = {
    "frequency f": frequency.astype(np.float64),
    "log(1 + f)": np.log1p(frequency),
}
n_components_grid = [1, 3, 10, 30, 100, 300]
n_checked = 100

precision = {}
for name, values in weightings.items():
    X_train = word_matrix(values, keep=~hidden)
    precision[name] = []
    for k in n_components_grid:
        candidate_model = LinearAutoencoder(
            n_components=k, activation="relu", solver="propack", random_state=0
        ).fit(X_train)
        top = novel_entries(candidate_model, X_train, n_entries=n_checked)
        hits = sum((r, c) in hidden_cells for r, c in zip(top.row, top.column))
        precision[name].append(hits / n_checked)
    print(
        name,
        " ".join(f"k={k}: {p:.0%}" for k, p in zip(n_components_grid, precision[name])),
    )

chance = hidden.sum() / (np.prod(X.shape) - (X.nnz - hidden.sum()))
print(f"chance that a random zero cell is a hidden word: {chance:.4%}")
fig, ax = plt.subplots(figsize=(6, 4))
for name, values in precision.items():
    ax.semilogx(n_components_grid, values, marker="o", label=f"cell values {name}")
ax.set_xlabel("number of components k")
ax.set_ylabel(f"share of hidden words in the top {n_checked}")
ax.set_title("Recovering hidden words from novel entries")
ax.legend()
fig.tight_layout()

# %%
# With raw frequencies, at most 5 % of the top candidates are hidden words.
# That is a hundred times better than chance, but no better than the rank-1 model,
# which only multiplies the popularity of the two characters, and beyond
# about 30 components it gets worse. With :math:`\log(1 + f)` values the
# low-rank structure does help: 14 to 23 % of the top 100 candidates are
# words that the model never saw for k between 3 and 100, against 10 % for
# the rank-1 model, while 300 components fit the training words too closely
# to generalise. (With 100 candidates per point, differences of a few
# percent are within the noise.)
#
# So the blog's recipe works much better once the frequencies are damped.
# The novel entries of the :math:`\log(1 + f)` matrix at k = 100, the
# best k of the grid above, read much more like words: place names such as
# 华西, 海北, 长海 and 北站, directions such as 山北 and 南坡, the dynasty
# 南汉, and phrases such as 几月, 几届, 六次 and 这条. Reduplications such as
# 十十 and 西西, and the non-words 第年 and 日年, remain.

X_log = word_matrix(np.log1p(frequency))
log_model = LinearAutoencoder(
    n_components=100, activation="relu", solver="propack", random_state=0
).fit(X_log)
print_entries(
    novel_entries(log_model, X_log, n_entries=30, labels=(first_chars, second_chars)),
    "5.2f",
)
