"""The request limit of the public certificate check (page and API share one allowance)."""

from onewindow.core.throttle import FixedWindow

__all__ = ["VERIFY", "FixedWindow"]

#: Certificate verifications (page and API together) per client address and minute. A
#: desk checking certificates one by one stays far below; enumerating serials does not.
VERIFY = FixedWindow("certificates:verify", limit=60, seconds=60)
