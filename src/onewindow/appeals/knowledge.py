"""The knowledge base's search keys, ranks and snippets, and who edits articles (pure: no
queries of its own; the services store the keys and rank in SQL with these numbers).

An article is searched like the catalog (docs/decisions/0025): the query and the stored
text are folded alike (``catalog.search_keys.fold``: NFKC and case folding), the query is
split into words at any space (the ideographic space too), every word must match, each
word scores the best rank it reaches and an article's rank is the sum over its words,
ties by title:

====  ==================================================
0     the title is the word (企业开办流程)
1     the title starts with it (企业开办 → 企业开办流程)
2     the title contains it (开办 → 企业开办流程)
3     the body (the current version's text) contains it
4     the title's pinyin initials start with it (qykb)
5     the title's pinyin initials contain it (kb)
6     the title's full pinyin starts with it (qiyekaiban)
7     the title's full pinyin contains it (kaiban)
====  ==================================================

The pinyin ranks apply only to a word of Latin letters and digits (``catalog.search``'s
``pinyin_key``): a Chinese word is matched by its characters, not by its sound.

``search_folded`` holds the folded title, a new line, then the folded body: a query word
never holds a new line, so "the title starts with the word" is ``startswith(word)`` and
"the title is the word" is ``startswith(word + "\\n")``, and "the title contains it" is a
match found before the first new line, all in plain SQL on both databases.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from onewindow.appeals.constants import CENTRE_ROLES, READER_ROLES
from onewindow.appeals.permissions import handler_department_ids, holds_any
from onewindow.catalog.search_keys import fold, name_search_keys
from onewindow.org.models import User

RANK_TITLE_EXACT = 0
RANK_TITLE_PREFIX = 1
RANK_TITLE_CONTAINS = 2
RANK_BODY = 3
RANK_INITIALS_PREFIX = 4
RANK_INITIALS_CONTAINS = 5
RANK_PINYIN_PREFIX = 6
RANK_PINYIN_CONTAINS = 7

#: What a word matched, by its rank: the ``matched_on`` of a result.
MATCHED_ON = {
    RANK_TITLE_EXACT: "title",
    RANK_TITLE_PREFIX: "title",
    RANK_TITLE_CONTAINS: "title",
    RANK_BODY: "body",
    RANK_INITIALS_PREFIX: "pinyin",
    RANK_INITIALS_CONTAINS: "pinyin",
    RANK_PINYIN_PREFIX: "pinyin",
    RANK_PINYIN_CONTAINS: "pinyin",
}
#: The same in words, for the pages.
MATCHED_ON_LABELS = {"title": _("标题"), "body": _("正文"), "pinyin": _("拼音")}

#: Characters of the body shown around the first match (or from the start).
SNIPPET_LENGTH = 80

#: The separator between the folded title and the folded body in ``search_folded``.
TITLE_END = "\n"


@dataclass(frozen=True)
class SearchKeys:
    folded: str  # folded title, "\n", folded body
    pinyin: str  # the title's full pinyin
    initials: str  # the title's pinyin initials


def search_keys(title: str, body: str) -> SearchKeys:
    """The stored search columns of an article whose current version has ``title`` and
    ``body`` (``fold`` makes each one line, so the first new line ends the title)."""
    pinyin, initials = name_search_keys(title)
    return SearchKeys(
        folded=f"{fold(title)}{TITLE_END}{fold(body)}", pinyin=pinyin, initials=initials
    )


def matched_on(ranks: list[int]) -> list[str]:
    """What the words of a result matched (``title``, ``body``, ``pinyin``), best first,
    each once."""
    return list(dict.fromkeys(MATCHED_ON[rank] for rank in sorted(ranks)))


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """``text`` folded character by character (as ``fold`` does, without collapsing
    spaces), and for each folded character the index of the character it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, character in enumerate(text):
        piece = unicodedata.normalize("NFKC", character).casefold()
        folded.append(piece)
        origin.extend([index] * len(piece))
    return "".join(folded), origin


def snippet(body: str, words: list[str], *, length: int = SNIPPET_LENGTH) -> str:
    """A one-line piece of ``body`` of about ``length`` characters around the first place
    one of the (folded) ``words`` occurs, with "…" where it is cut; the start of the body
    when no word occurs in it (a match on the title or the pinyin)."""
    text = " ".join(body.split())
    if not text:
        return ""
    folded, origin = _folded_with_positions(text)
    found = [folded.find(word) for word in words if word]
    found = [position for position in found if position >= 0]
    start = 0
    if found:
        first = origin[min(found)]
        start = max(0, first - length // 4)
    end = min(len(text), start + length)
    start = max(0, min(start, end - length))
    piece = text[start:end]
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")


# -- who reads and who edits -----------------------------------------------------------------


def reads_knowledge(user: User) -> bool:
    """Staff of a zone who read its knowledge base: the hotline, the centre, the
    departments' appeal handlers and 电子监察."""
    return bool(
        user.is_authenticated
        and user.is_active
        and not user.is_applicant
        and user.zone_id is not None
        and holds_any(user, READER_ROLES)
    )


def edits_zone_articles(user: User, zone_id: int) -> bool:
    """The centre (派单员) of the zone edits every article of it."""
    return bool(
        user.is_authenticated
        and user.is_active
        and not user.is_applicant
        and user.zone_id == zone_id
        and holds_any(user, CENTRE_ROLES)
    )


def edits_for_department(user: User, zone_id: int, department_id: int | None) -> bool:
    """Whether ``user`` may write an article kept by ``department_id`` in ``zone_id``:
    the zone's centre, or an appeal handler (诉求承办人员) of that department."""
    if edits_zone_articles(user, zone_id):
        return True
    return bool(
        department_id is not None
        and user.is_authenticated
        and user.is_active
        and user.zone_id == zone_id
        and department_id in handler_department_ids(user)
    )


def is_editor(user: User) -> bool:
    """Whether ``user`` edits any article at all (the centre, or a department's handler)."""
    if not reads_knowledge(user):
        return False
    return edits_zone_articles(user, user.zone_id) or bool(handler_department_ids(user))
