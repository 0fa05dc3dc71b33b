from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo zone: a realistic data set for trying the platform (above every layer)."""

    name = "onewindow.demo"
    label = "demo"
    verbose_name = _("演示数据")
