"""The API documentation page (``/api/v1/docs``) with the vendored Swagger UI (ADR 0016).

django-ninja's own page loads Swagger UI from a CDN and starts it with an inline script
(a white page on a machine without internet, and a wider Content-Security-Policy). This one
serves ``static/vendor/swagger-ui-<version>/`` and starts it from a static script
(``static/onewindow/api-docs.js``) that reads its settings from a JSON data block, so the
page lives under the site's policy like every other page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger, _csrf_needed

if TYPE_CHECKING:
    from ninja import NinjaAPI

#: The vendored swagger-ui-dist release (static/vendor/); ADR 0016 says how to update it.
SWAGGER_UI_VERSION = "5.36.0"
SWAGGER_UI_DIR = f"vendor/swagger-ui-{SWAGGER_UI_VERSION}"


class LocalSwagger(Swagger):
    """ninja's Swagger docs with the assets from our static files and no inline script."""

    template = "api_docs.html"
    default_settings = {
        "layout": "BaseLayout",
        "deepLinking": True,
        # No request to validator.swagger.io with our schema's address.
        "validatorUrl": None,
    }

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        context = {
            "swagger_settings": {**self.settings, "url": self.get_openapi_url(api, kwargs)},
            "swagger_ui": SWAGGER_UI_DIR,
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)
