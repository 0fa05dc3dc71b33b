"""The policies' tables: the enterprise profile (profile.py) and the policies (policy.py)."""

from onewindow.policies.models.policy import (
    MatchRun,
    Objection,
    Payment,
    Policy,
    PolicyItem,
    PolicyItemVersion,
    Publicity,
    Redemption,
    RedemptionNumberCounter,
    Subscription,
)

# -- profile
from onewindow.policies.models.profile import (  # -- profile
    EnterpriseFact,
    FactChange,
    FactSource,
)

__all__ = [
    "EnterpriseFact",  # -- profile
    "FactChange",  # -- profile
    "FactSource",  # -- profile
    "MatchRun",
    "Objection",
    "Payment",
    "Policy",
    "PolicyItem",
    "PolicyItemVersion",
    "Publicity",
    "Redemption",
    "RedemptionNumberCounter",
    "Subscription",
]
