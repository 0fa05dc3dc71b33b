"""Ratings over HTTP: ``POST /api/v1/reviews``.

Online and mobile ratings need the applicant's session (401 without one; a write with a
session needs its CSRF token, 403); window and SMS ratings carry the signed link's token
and need no login. The endpoint parses, finds the case and calls ``rating_submit``, which
decides: 404 for a case one may not rate (or a bad link), 409 for a case not delivered,
a bundle's item, a closed window or a second rating on the channel, 422 for bad input.
Input and link are checked before the case is looked up, so that without a valid link a
missing case and an existing one get the same answer.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import AuthenticationError

from onewindow.cases.models import Case
from onewindow.core.api_auth import refuse_bad_csrf
from onewindow.core.api_body import json_object, validated
from onewindow.core.identifiers import fold_code
from onewindow.core.schemas import Error
from onewindow.reviews.constants import ACCOUNT_CHANNELS, LINK_CHANNELS
from onewindow.reviews.links import invalid_link
from onewindow.reviews.models import Rating
from onewindow.reviews.schemas import RatingIn, RatingOut
from onewindow.reviews.services import (
    case_not_found,
    rating_input_check,
    rating_link_claim,
    rating_submit,
)

router = Router(tags=["reviews"])

RESPONSES = {201: RatingOut, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _body(request: HttpRequest) -> RatingIn:
    """The JSON body as :class:`RatingIn` (an empty body is not an object)."""
    return validated(RatingIn, json_object(request, empty_is_object=False))


def rating_out(rating: Rating) -> dict:
    rectification = getattr(rating, "rectification", None)
    return {
        "id": rating.pk,
        "case_number": rating.case.number,
        "channel": rating.channel,
        "channel_label": rating.get_channel_display(),
        "level": rating.level,
        "level_label": rating.get_level_display(),
        "comment": rating.comment,
        "real_name": rating.real_name,
        "rated_at": rating.rated_at,
        "rated_on": rating.rated_on,
        "department": rating.department.name,
        "rectification": (
            {
                "status": rectification.status,
                "status_label": rectification.get_status_display(),
                "department": rectification.department.name,
                "due_on": rectification.due_on,
                "due_provisional": rectification.due_provisional,
            }
            if rectification is not None
            else None
        ),
    }


@router.post(
    "",
    response=RESPONSES,
    auth=None,
    summary="好差评：对已办结的办件评价（一事一评，每个渠道一次）",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": RatingIn.model_json_schema()}},
        }
    },
)
def rating_create(request: HttpRequest):
    user = request.user
    if user.is_authenticated:
        refuse_bad_csrf(request)
    body = _body(request)
    if body.channel in ACCOUNT_CHANNELS and not user.is_authenticated:
        raise AuthenticationError()
    # Input and link are checked before the case is looked up: without a valid link, an
    # existing case and a missing one get the same answer.
    rating_input_check(channel=body.channel, level=body.level, comment=body.comment)
    if body.channel in LINK_CHANNELS:
        rating_link_claim(body.token)
    number = fold_code(body.case_number)
    # An empty number finds nothing (the column allows "" for cases without one).
    case = (
        Case.objects.select_related("zone", "parent", "department").filter(number=number).first()
        if number
        else None
    )
    if case is None:
        raise invalid_link() if body.channel in LINK_CHANNELS else case_not_found()
    rating = rating_submit(
        case=case,
        channel=body.channel,
        level=body.level,
        comment=body.comment,
        actor=user if user.is_authenticated else None,
        token=body.token,
    )
    rating = Rating.objects.select_related("case", "department", "rectification__department").get(
        pk=rating.pk
    )
    return Status(201, rating_out(rating))
