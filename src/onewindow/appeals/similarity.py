"""Words of an appeal's text for duplicate detection (jieba segmentation)."""

from __future__ import annotations

import unicodedata
from functools import cache

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
