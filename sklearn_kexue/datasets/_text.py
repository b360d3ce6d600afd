"""English text and word-vector evaluation sets shipped inside gensim's wheel."""

import bz2
import html
import importlib.util
import pathlib
import re
import xml.etree.ElementTree as ElementTree

import numpy as np
from sklearn.utils import Bunch

from sklearn_kexue.utils._param_validation import StrOptions, validate_params

__all__ = ["load_wikipedia_shard", "load_word_analogies", "load_word_similarity"]

_WIKIPEDIA_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
_SIMILARITY_FILES = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}
_ANALOGY_FILE = "questions-words.txt"

_SOURCE = """
The file ships in the wheel of gensim (LGPL-2.1), under
``gensim/test/test_data``; install gensim (``pip install gensim``) to use
this loader. Nothing is downloaded.
"""

_WIKIPEDIA_DESCR = (
    """\
A shard of English Wikipedia
----------------------------

The 206 pages (articles 10 to 30302, shortened) of the Wikipedia dump file
``enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2``, as
plain text: templates, tables, references, tags, file and category links
removed, links replaced by their text, HTML entities decoded; redirect pages
are kept (they are one line). About 455,000 tokens of two or more word
characters. Wikipedia text is CC BY-SA.
"""
    + _SOURCE
)

_SIMILARITY_DESCR = {
    "wordsim353": """\
WordSim-353
-----------

353 English word pairs with the mean relatedness judged by people, 0 to 10
(Finkelstein et al., 2002, "Placing search in context: the concept
revisited", ACM TOIS 20(1)).
""",
    "simlex999": """\
SimLex-999
----------

999 English word pairs with the mean *similarity* (not relatedness) judged
by people, 0 to 10 (Hill, Reichart & Korhonen, 2015, "SimLex-999:
evaluating semantic models with (genuine) similarity estimation",
Computational Linguistics 41(4)).
""",
}

_ANALOGY_DESCR = (
    """\
Google word analogies
---------------------

19,544 questions "a is to b as c is to d" in 14 sections, 5 semantic
(capitals, currencies, family, ...) and 9 syntactic (``gram1-...`` to
``gram9-...``), from Mikolov et al. (2013), "Efficient estimation of word
representations in vector space", lower-cased.
"""
    + _SOURCE
)


def _gensim_test_file(name):
    """Path of a file in the installed gensim's ``test/test_data`` folder."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or spec.origin is None:
        raise ImportError(
            f"This loader reads {name!r} from gensim's wheel; install gensim "
            "first: pip install gensim"
        )
    path = pathlib.Path(spec.origin).parent / "test" / "test_data" / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the installed gensim.")
    return path


# Markup that is removed with its content, innermost first for templates.
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_TABLE = re.compile(r"\{\|.*?\|\}", re.DOTALL)
_REFERENCE = re.compile(r"<ref[^>/]*/>|<ref[^>]*>.*?</ref>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_FILE_LINK = re.compile(r"\[\[(?:File|Image|Category):[^\[\]]*\]\]", re.IGNORECASE)
_INNER_LINK = re.compile(r"\[\[(?:[^\[\]|]*\|)?([^\[\]]*)\]\]")
_OUTER_LINK = re.compile(r"\[https?://[^\s\]]*\s?([^\]]*)\]")
_EMPHASIS = re.compile(r"'{2,}")
_HEADING = re.compile(r"^=+\s*(.*?)\s*=+\s*$", re.MULTILINE)


def _plain_text(markup):
    text = html.unescape(markup)
    text = _COMMENT.sub("", text)
    text = _REFERENCE.sub("", text)
    previous = None
    while previous != text:  # nested templates, innermost first
        previous, text = text, _TEMPLATE.sub("", text)
    text = _TABLE.sub("", text)
    text = _FILE_LINK.sub("", text)
    previous = None
    while previous != text:  # links inside file captions and links
        previous, text = text, _INNER_LINK.sub(r"\1", text)
    text = _OUTER_LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = _EMPHASIS.sub("", text)
    return _HEADING.sub(r"\1", text)


@validate_params({}, prefer_skip_nested_validation=True)
def load_wikipedia_shard():
    """Load 206 pages of English Wikipedia as plain text (from gensim's tests).

    The largest English corpus that installs with a Python package: about
    455,000 tokens, enough to train and compare small word-vector models
    offline. Requires gensim (the file is in its wheel).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data``: list of str, one plain-text page each; ``titles``: list of
        str; ``DESCR``: the description of the corpus.

    Examples
    --------
    >>> from sklearn_kexue.datasets import load_wikipedia_shard
    >>> wiki = load_wikipedia_shard()
    >>> len(wiki.data), wiki.titles[1]
    (206, 'Anarchism')
    >>> wiki.data[1].split()[:4]
    ['Anarchism', 'is', 'a', 'political']
    """
    return _load_wikipedia_shard()


def _load_wikipedia_shard():
    path = _gensim_test_file(_WIKIPEDIA_FILE)
    titles, pages = [], []
    with bz2.open(path, "rb") as source:
        title = None
        for _, element in ElementTree.iterparse(source):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "title":
                title = element.text or ""
            elif tag == "text":
                titles.append(title)
                pages.append(_plain_text(element.text or ""))
            elif tag == "page":
                element.clear()
    return Bunch(data=pages, titles=titles, DESCR=_WIKIPEDIA_DESCR)


@validate_params(
    {"name": [StrOptions(set(_SIMILARITY_FILES))]},
    prefer_skip_nested_validation=True,
)
def load_word_similarity(name):
    """Load a word-similarity benchmark: WordSim-353 or SimLex-999.

    Requires gensim (the files are in its wheel).

    Parameters
    ----------
    name : {"wordsim353", "simlex999"}
        WordSim-353 scores relatedness (cup, coffee), SimLex-999 similarity
        (cup, mug).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``pairs``: ndarray of str of shape (n_pairs, 2), lower-cased;
        ``scores``: float ndarray of shape (n_pairs,), human judgements
        from 0 to 10; ``DESCR``.

    Examples
    --------
    >>> from sklearn_kexue.datasets import load_word_similarity
    >>> wordsim = load_word_similarity("wordsim353")
    >>> wordsim.pairs.shape, wordsim.pairs[0].tolist(), float(wordsim.scores[0])
    ((353, 2), ['love', 'sex'], 6.77)
    """
    return _load_word_similarity(name)


def _load_word_similarity(name):
    pairs, scores = [], []
    with open(_gensim_test_file(_SIMILARITY_FILES[name]), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            first, second, score = line.rstrip("\n").split("\t")[:3]
            pairs.append((first.lower(), second.lower()))
            scores.append(float(score))
    return Bunch(
        pairs=np.array(pairs),
        scores=np.array(scores),
        DESCR=_SIMILARITY_DESCR[name] + _SOURCE,
    )


@validate_params({}, prefer_skip_nested_validation=True)
def load_word_analogies():
    """Load the Google word-analogy questions (Mikolov et al., 2013).

    Requires gensim (the file is in its wheel).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``questions``: ndarray of str of shape (19544, 4), lower-cased, each
        "a is to b as c is to d"; ``sections``: ndarray of str, each
        question's section; ``semantic``: bool ndarray, False for the
        syntactic ``gram*`` sections; ``DESCR``.

    Examples
    --------
    >>> from sklearn_kexue.datasets import load_word_analogies
    >>> analogies = load_word_analogies()
    >>> analogies.questions[0].tolist(), str(analogies.sections[0])
    (['athens', 'greece', 'baghdad', 'iraq'], 'capital-common-countries')
    >>> int(analogies.semantic.sum()), len(set(analogies.sections))
    (8869, 14)
    """
    return _load_word_analogies()


def _load_word_analogies():
    questions, sections = [], []
    section = None
    with open(_gensim_test_file(_ANALOGY_FILE), encoding="utf-8") as f:
        for line in f:
            if line.startswith(":"):
                section = line[1:].strip()
            elif line.strip():
                questions.append(line.lower().split())
                sections.append(section)
    sections = np.array(sections)
    return Bunch(
        questions=np.array(questions),
        sections=sections,
        semantic=~np.char.startswith(sections, "gram"),
        DESCR=_ANALOGY_DESCR,
    )
