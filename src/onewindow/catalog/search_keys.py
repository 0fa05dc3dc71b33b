"""Search keys of a Chinese name: full pinyin and initials (pypinyin), lower case, no
spaces or punctuation, so "spjy" and "shipinjingying" both find 食品经营许可."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def _letters(parts: list[str]) -> str:
    return "".join(ch for part in parts for ch in part.lower() if ch.isascii() and ch.isalnum())


def name_search_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of ``name``; Latin letters and digits are kept as they are."""
    full = _letters(lazy_pinyin(name, errors="default"))
    initials = _letters(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default"))
    return full, initials
