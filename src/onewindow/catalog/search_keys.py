"""Search keys of the catalog: names and terms folded for matching, and the pinyin of a
Chinese name.

* :func:`fold` is NFKC (full-width letters, digits, brackets and the ideographic space
  become their half-width forms) followed by case folding. Queries and every stored
  search column pass through it, so ``ｓｐｊｙ``, ``SPJY`` and ``spjy`` are one word and
  ``药品经营许可(零售)`` finds ``药品经营许可（零售）``.
* :func:`name_search_keys` gives the full pinyin and the initials (pypinyin), lower case,
  no spaces or punctuation, so "spjy" and "shipinjingying" both find 食品经营许可.
* :func:`parse_terms` splits what an administrator typed as synonyms, colloquial or
  English names (one per line, or separated by commas or 、) into clean terms.
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

#: What separates the terms an administrator types: new lines, commas, 、 and semicolons
#: (after folding, so the full-width ones are included). Spaces do not: "work permit" is
#: one term.
TERM_SEPARATORS = re.compile(r"[\n\r,;、]+")

#: At most this many terms per item or bundle, each at most this long.
MAX_TERMS = 30
MAX_TERM_LENGTH = 50


def fold(text: str) -> str:
    """``text`` as the search compares it: NFKC, case-folded, runs of space made one."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(folded.split())


def parse_terms(text: str | list[str] | None) -> list[str]:
    """The distinct terms of ``text`` (or of a list of terms), trimmed, in the order given.

    Duplicates are judged on the folded form (``ＷＯＲＫ permit`` and ``work permit`` are
    one); the first spelling is kept. Limits are the service's to enforce.
    """
    if text is None:
        return []
    pieces = text if isinstance(text, list) else TERM_SEPARATORS.split(_fold_separators(text))
    terms: list[str] = []
    seen: set[str] = set()
    for piece in pieces:
        term = " ".join(str(piece).split())
        key = fold(term)
        if term and key not in seen:
            seen.add(key)
            terms.append(term)
    return terms


def _fold_separators(text: str) -> str:
    # Full-width commas and semicolons are separators too; the terms keep their spelling.
    return text.replace("，", ",").replace("；", ";")


def folded_terms(terms: list[str]) -> str:
    """The stored search column of ``terms``: each folded, one per line (a query word has
    no new line, so it never matches across two terms)."""
    return "\n".join(fold(term) for term in terms)


def _letters(parts: list[str]) -> str:
    return "".join(ch for part in parts for ch in part.lower() if ch.isascii() and ch.isalnum())


def name_search_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of ``name``; Latin letters and digits are kept as they are."""
    full = _letters(lazy_pinyin(name, errors="default"))
    initials = _letters(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default"))
    return full, initials
