"""Signals a lower layer sends so that higher apps can react without being imported.

``calendar_changed`` is sent after the commit of every change to working days (a holiday
notice loaded, a zone override set or removed): ``cases`` listens and recomputes the
deadlines of running cases, which ``core`` cannot know about.
"""

from django.dispatch import Signal

#: Sent on commit with ``zone_id`` (None when the national notices changed).
calendar_changed = Signal()
