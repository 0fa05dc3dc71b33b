"""A URL conf for the follow-up tests: the site's, with the appeals namespace holding
stand-ins for the order pages other parts of the app own (``appeals:staff_order``,
``appeals:my_appeal``) when the branch does not have them yet, so the links and redirects
of follow-up resolve to the same URLs they will have."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver, include, path, re_path

from onewindow import urls as site
from onewindow.appeals import urls as appeal_urls


def _order_page(request: HttpRequest, number: str) -> HttpResponse:
    return HttpResponse(number)


_names = {getattr(pattern, "name", None) for pattern in appeal_urls.urlpatterns}
_patterns = list(appeal_urls.urlpatterns)
if "staff_order" not in _names:
    _patterns.append(
        re_path(rf"^appeals/staff/{appeal_urls.NUMBER}/$", _order_page, name="staff_order")
    )
if "my_appeal" not in _names:
    _patterns.append(re_path(rf"^appeals/my/{appeal_urls.NUMBER}/$", _order_page, name="my_appeal"))

urlpatterns = [
    path("", include((_patterns, "appeals"))),
    *[
        pattern
        for pattern in site.urlpatterns
        if not (isinstance(pattern, URLResolver) and pattern.namespace == "appeals")
    ],
]
