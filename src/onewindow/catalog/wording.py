"""How a decision on an item is worded: 准予登记 / 不予登记 for a registration (登记),
准予许可 / 不予许可 for an administrative licence (行政许可), plain 准予 / 不予 for the rest
(确认, 给付, 公共服务 …). Pure: the item's type and name decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.constants import ItemType

#: An item whose name says 登记 (设立登记, 注销登记, 使用登记, 不动产登记 …) registers.
REGISTRATION_WORD = "登记"


@dataclass(frozen=True)
class DecisionWording:
    """The words of an approval and a denial."""

    approve: str | Promise
    deny: str | Promise


REGISTRATION = DecisionWording(_("准予登记"), _("不予登记"))
LICENSING = DecisionWording(_("准予许可"), _("不予许可"))
PLAIN = DecisionWording(_("准予"), _("不予"))


def decision_wording(*, item_type: str | None, name: str | None) -> DecisionWording:
    """The wording of a decision on an item of ``item_type`` named ``name``."""
    if name and REGISTRATION_WORD in name:
        return REGISTRATION
    if item_type == ItemType.ADMINISTRATIVE_LICENSING:
        return LICENSING
    return PLAIN
