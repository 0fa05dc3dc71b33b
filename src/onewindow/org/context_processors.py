from django.conf import settings

from onewindow.org.models import Zone


def zone(request) -> dict:
    """The zone the site serves, for the page header (one cheap query, cached per request)."""
    if not hasattr(request, "_onewindow_zone"):
        request._onewindow_zone = (
            Zone.objects.filter(code=settings.ONEWINDOW_DEFAULT_ZONE).first()
            or Zone.objects.order_by("id").first()
        )
    return {"zone": request._onewindow_zone}
