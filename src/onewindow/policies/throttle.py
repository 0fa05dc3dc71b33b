"""The request limit of 公示 objections: the page and the API share one allowance per
client address (ADR 0011)."""

from onewindow.core.throttle import FixedWindow

#: Objections per client address and ten minutes: a person objecting stays far below.
OBJECTION = FixedWindow("policies:objection", limit=5, seconds=600)
