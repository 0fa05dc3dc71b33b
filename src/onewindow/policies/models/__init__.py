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

__all__ = [
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
