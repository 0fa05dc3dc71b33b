"""The example's site, for its tests only: the product's URLs plus the example's pages and
an API with the example's router (``@pytest.mark.urls`` / ``ROOT_URLCONF`` in the tests).

A real app needs no such file: it adds ``path("", include(...))`` to ``onewindow/urls.py``
and ``api.add_router("/suggestions", router)`` to ``onewindow/api.py``. The product's API
object cannot take a router once its URLs are built, so the example gets an API of its own
with the product's parser, renderer and error handlers (the same ``{message, code,
fields}`` answers).
"""

from django.urls import include, path
from ninja import NinjaAPI

from onewindow import api as product
from onewindow.urls import urlpatterns as product_urlpatterns
from suggestions.api import router

api = NinjaAPI(
    title="OneWindow API (tutorial example)",
    version="1-example",
    renderer=product.UnicodeJSONRenderer(),
    parser=product.InputPolicyParser(),
    urls_namespace="suggestions-api",
    docs_url=None,
    openapi_url=None,  # the product's /api/v1/openapi.json stays the product's
)
for error_class, handler in product.api._exception_handlers.items():
    api.add_exception_handler(error_class, handler)
api.add_decorator(product._check_parameters, mode="view")  # the input policy (ADR 0013)
api.add_router("/suggestions", router)

urlpatterns = [
    path("api/v1/", api.urls),  # tried first: the product's API answers its own paths
    *product_urlpatterns,
    path("", include("suggestions.urls")),
]
