"""Words of an appeal's text (jieba segmentation) and how alike two texts are, for
duplicate detection (docs/appeals-duplicates.md says how the score is made and why)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

#: Words that say nothing about what an appeal is about.
STOPWORDS = frozenset(
    {
        "的",
        "了",
        "和",
        "是",
        "在",
        "我",
        "我们",
        "我司",
        "公司",
        "你们",
        "请",
        "请问",
        "帮忙",
        "一下",
        "这个",
        "那个",
        "有",
        "没有",
        "就",
        "都",
        "也",
        "还",
        "把",
        "被",
        "对",
        "与",
        "及",
        "或",
        "但",
        "而",
        "如果",
        "因为",
        "所以",
        "已经",
        "现在",
        "目前",
        "什么",
        "怎么",
        "如何",
        "能否",
        "可以",
        "是否",
        "一个",
        "问题",
        "情况",
        "反映",
        "希望",
        "要求",
    }
)


@cache
def _tokenizer():
    import jieba

    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def words_of(text: str) -> list[str]:
    """The content words of ``text``: NFKC-folded and lower-cased, segmented by jieba,
    without punctuation, single characters that are not Chinese, and stopwords."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    words = []
    for word in _tokenizer().lcut(folded):
        word = word.strip()
        if not word or word in STOPWORDS:
            continue
        if not any(ch.isalnum() for ch in word):
            continue
        if len(word) == 1 and word.isascii():
            continue
        words.append(word)
    return words


# -- the duplicate score (docs/appeals-duplicates.md) ----------------------------------------

#: Two texts at least this similar (cosine of their TF-IDF vectors, 0–1) are offered as
#: duplicates; chosen on the worked examples of docs/appeals-duplicates.md.
DUPLICATE_THRESHOLD = 0.5


@cache
def idf_table() -> tuple[dict[str, float], float]:
    """(word → inverse document frequency, the median idf) of jieba's bundled table (a
    general Chinese corpus). A word missing from it counts with the median, as jieba's own
    keyword extraction does."""
    import jieba.analyse

    path = Path(jieba.analyse.__file__).with_name("idf.txt")
    table: dict[str, float] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, _space, value = line.rstrip("\n").partition(" ")
            if word and value:
                table[word] = float(value)
    values = sorted(table.values())
    return table, values[len(values) // 2]


def scored_words(words: Iterable[str]) -> list[str]:
    """The words that take part in the score: single characters and bare numbers say
    little on their own (月, 日, 上, 20) and are left out."""
    return [word for word in words if len(word) > 1 and not word.isdigit()]


def tfidf_vector(words: Iterable[str]) -> dict[str, float]:
    """The unit TF-IDF vector of ``words``: each scored word weighs (times it occurs) ×
    (its idf); the vector is scaled to length 1 (an empty text gives an empty vector)."""
    table, median = idf_table()
    weights: dict[str, float] = {}
    for word in scored_words(words):
        weights[word] = weights.get(word, 0.0) + table.get(word, median)
    norm = math.sqrt(sum(weight * weight for weight in weights.values()))
    if not norm:
        return {}
    return {word: weight / norm for word, weight in weights.items()}


def cosine(first: dict[str, float], second: dict[str, float]) -> float:
    """The cosine of two unit vectors (0 when either is empty), rounded to 4 places."""
    if len(second) < len(first):
        first, second = second, first
    total = sum(weight * second.get(word, 0.0) for word, weight in first.items())
    return round(min(total, 1.0), 4)


def text_similarity(first: str, second: str) -> float:
    """How alike two texts are (0–1): the cosine of their TF-IDF vectors."""
    return cosine(tfidf_vector(words_of(first)), tfidf_vector(words_of(second)))


def stored_words(words: str, subject: str, description: str) -> list[str]:
    """The words of an order: its stored ``words`` (space-joined, set at receipt), or,
    for an order received without them, computed from its subject and description."""
    if words.strip():
        return words.split()
    return words_of(f"{subject}\n{description}")
