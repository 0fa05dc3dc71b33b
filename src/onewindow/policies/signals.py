"""Signals the policies app sends so that its other parts can react without being imported.

``facts_changed`` is sent after the commit of every change to enterprise facts (a
declaration, an import, a department's push): the subscriptions listen and re-run the
matches of the enterprises named.
"""

from django.dispatch import Signal

#: Sent on commit with ``enterprise_ids`` (a list of Applicant ids), ``names`` (the facts
#: changed, derived ones included) and ``source`` (a ``FactSource`` value).
facts_changed = Signal()
