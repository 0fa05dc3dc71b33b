"""Signed-in test clients and one request helper.

``sign_in`` gives a client the session every page and API call then sees: a plain login,
and the second factor too for a user whose roles require it (docs/decisions/0009).
``client_for`` makes (or takes) a client signed in as a user; with ``csrf=True`` the client
enforces CSRF like a browser and holds a real token, which ``send`` puts in the header.
"""

from __future__ import annotations

import json as jsonlib

from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from onewindow.org.models import User

#: The CSRF token every ``client_for(…, csrf=True)`` holds (cookie) and ``send`` sends (header).
TOKEN = _get_new_csrf_string()


def otp_login(client, user: User):
    """Log ``user`` in on ``client`` with a session that has passed the second factor, as
    administrators must: a confirmed TOTP device (created if missing) is put in the session
    the way ``django_otp.login`` does after a right code. Returns the device."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def sign_in(client, user: User) -> None:
    """``client.force_login(user)``, and the second factor too for a user whose roles
    require it (docs/decisions/0009): the session every page and API call then sees."""
    from onewindow.org.second_factor import requires_device

    if requires_device(user):
        otp_login(client, user)
    else:
        client.force_login(user)


def client_for(user: User | None, *, client: Client | None = None, csrf: bool = False) -> Client:
    """``client`` (a new one if none) signed in as ``user`` (anonymous for ``None``).

    With ``csrf`` the new client enforces CSRF checks and holds ``TOKEN`` in its cookie.
    """
    if client is None:
        client = Client(enforce_csrf_checks=csrf)
        if csrf:
            client.cookies[settings.CSRF_COOKIE_NAME] = TOKEN
    if user is not None:
        sign_in(client, user)
    return client


def send(
    client: Client,
    method: str,
    url: str,
    data=None,
    *,
    json=None,
    body: str | bytes | None = None,
    token: bool = True,
):
    """One request: form ``data`` (the query for GET), a ``json`` body, or a JSON ``body``
    as written (it may be malformed); the CSRF header with ``TOKEN`` unless ``token`` is
    false."""
    headers = {"X-CSRFToken": TOKEN} if token else {}
    if json is not None:
        body = jsonlib.dumps(json, ensure_ascii=False)
    if body is not None:
        return client.generic(method, url, body, content_type="application/json", headers=headers)
    if method == "GET":
        return client.get(url, data, headers=headers)
    if data is None:
        return client.generic(method, url, headers=headers)
    return client.post(url, data, headers=headers)
