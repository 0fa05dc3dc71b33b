"""Links from a figure to the cases behind it (the drill-down list)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


class DrillLinks:
    """The drill-down URLs of one page: ``base`` holds the page's filters (from, to,
    department, item); :meth:`url` adds the figure and what narrows it (a department, an
    item, a range of days). The list's address is looked up once per page."""

    def __init__(self, base: dict) -> None:
        self.prefix = reverse("insights:cases") + "?"
        self.base = {key: value for key, value in base.items() if value not in (None, "")}

    def url(self, figure: str, **narrow) -> str:
        query = {**self.base}
        query.update({key: value for key, value in narrow.items() if value is not None})
        query["figure"] = figure
        return self.prefix + urlencode(query)
