"""The request limit of the public appeal lookup: the page (``appeals/query/``) and the API
(``GET /api/v1/appeals/lookup``) share one allowance per client address, like the case
progress lookup (``cases/throttle.py``, ADR 0011)."""

from onewindow.core.throttle import FixedWindow

#: Lookups per client address and minute: following one's appeal now and then stays far
#: below; walking through numbers and codes does not.
LOOKUP = FixedWindow("appeals:lookup", limit=20, seconds=60)
