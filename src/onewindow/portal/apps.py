from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "onewindow.portal"
    label = "portal"
    verbose_name = _("门户")

    def ready(self) -> None:
        # Each app's ``navigation.py`` registers its entries in ``core.registry``.
        autodiscover_modules("navigation")
