"""Signals of the policy catalogue, for the other parts of the app (the 免申即享 match runs
when a version is published; subscriptions tell the enterprises who follow the policy).

``version_published`` is sent after the commit of ``services.catalogue.version_publish``,
never inside its transaction, with ``version_id``, ``item_id``, ``zone_id``, ``way`` and
``effective_from`` (a ``date``: a receiver that acts "from the date" schedules itself).
"""

from django.dispatch import Signal

version_published = Signal()
