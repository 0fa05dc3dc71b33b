"""A light and the working days left, as every page shows them (``cases/_light.html`` and
``cases/_remaining.html`` call these): tags rather than included templates, because a list
shows them on every row and an include per row cost the inbox and the board a quarter of
their rendering time."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop

register = template.Library()


#: The words of each light (source strings; translated when shown).
LIGHT_WORDS = {
    "green": gettext_noop("绿灯"),
    "yellow": gettext_noop("黄灯"),
    "red": gettext_noop("红灯"),
    "paused": gettext_noop("暂停计时"),
}


@register.simple_tag
def light_signal(light: str | None) -> str:
    """A light as text and colour (never colour alone): green, yellow, red, paused, none."""
    words = gettext(LIGHT_WORDS.get(light or "", gettext_noop("不计时")))
    return format_html('<span class="signal signal--{}">{}</span>', light or "none", words)


@register.simple_tag
def remaining_days(remaining: int | None) -> str:
    """Working days left (an int or None); negative means late."""
    if remaining is None:
        return format_html('<span class="remaining">—</span>')
    if remaining < 0:
        words = gettext("超期 %(late)s 个工作日") % {"late": -remaining}
        return format_html('<span class="remaining remaining--late">{}</span>', words)
    if remaining == 0:
        today_words = gettext("今日到期")
        return format_html('<span class="remaining remaining--today">{}</span>', today_words)
    words = gettext("剩 %(remaining)s 个工作日") % {"remaining": remaining}
    return format_html('<span class="remaining">{}</span>', words)
