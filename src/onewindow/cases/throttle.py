"""The request limit of the public progress lookup: the page (``track/``) and the API
(``GET /api/v1/track/{number}``) share one allowance per client address."""

from onewindow.core.throttle import FixedWindow

#: Progress lookups (page and API together) per client address and window: an applicant
#: looking up a case now and then stays far below; walking through numbers does not.
TRACK = FixedWindow("cases:track", limit=20, seconds=60)
