"""The public concern form's intake: abuse limits, registration and the team's notification.

The rate limit counts per client address (intranet.throttle.client_limit_key) in the "shared" cache,
so it holds for the site as a whole, and exactly however many submissions arrive at once
(intranet.throttle.Limit.admit).
"""

import logging
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from intranet.submissions import submit_once
from intranet.throttle import CACHE, Limit, client_limit_key
from pages.models import TeamPage

from ..models import Case, Channel, Person, ReferralSource, new_case_reference
from ..services import referral_register

logger = logging.getLogger(__name__)

RATE_LIMIT = 5  # submissions per address ...
RATE_WINDOW_SECONDS = 60 * 60  # ... per hour
RATE_LIMIT_CACHE = CACHE
CONCERN_LIMIT = Limit("concern-form", limit=RATE_LIMIT, window_seconds=RATE_WINDOW_SECONDS)


# --- Abuse limits ---------------------------------------------------------------------------


def body_too_large(request, *, limit: int) -> bool:
    """Is the request body larger than `limit` bytes (or of a length it does not state)?"""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > limit


def _address(request) -> str:
    return client_limit_key(request) or "unknown"


def _rate_key(request):
    return CONCERN_LIMIT.key(_address(request))


def rate_limited(request) -> bool:
    """Has this address sent RATE_LIMIT submissions within the window?"""
    return CONCERN_LIMIT.reached(_address(request))


def submission_admit(request) -> bool:
    """Count one submission from the request's address unless it has used up the limit; True
    if it was counted. In the database cache the count belongs to the caller's transaction:
    call it in the one that registers the concern, and a registration that fails is not
    counted."""
    return CONCERN_LIMIT.admit(_address(request))


# --- Receipt numbers ------------------------------------------------------------------------


def case_reference(case: Case) -> str:
    """The receipt number the citizen gets: the case's random reference, never its number."""
    return case.reference


def decoy_reference() -> str:
    """A receipt number of the same form for a submission that was silently dropped."""
    return new_case_reference()


# --- Registration ---------------------------------------------------------------------------


def _whereabouts(*, place: str, appearance: str) -> str:
    # Staff read the case in the municipality's language, whatever the citizen's choice.
    with translation.override(settings.LANGUAGE_CODE):
        parts = [
            (_("Usually met"), place.strip()),
            (_("Looks like"), appearance.strip()),
        ]
        return "\n\n".join(f"{label}: {text}" for label, text in parts if text)


class RateLimited(Exception):
    """The address has sent RATE_LIMIT submissions within the window: nothing registered."""


def concern_submit(request, *, token: uuid.UUID | None, arguments: dict) -> str:
    """Count the submission and register the concern, once per form; the receipt number.

    The token is the form's (`OnceOnlyFormMixin`): a double click or a resend with the same
    token waits for the first and raises `AlreadySubmitted` with the first one's receipt
    number as its `result_url`. Raises `RateLimited`, counting and registering nothing, when
    the address has used up the rate limit.
    """

    def count_and_register():
        if not submission_admit(request):
            raise RateLimited
        return concern_register(**arguments)

    case = submit_once(token, None, count_and_register, case_reference)
    return case_reference(case)


@transaction.atomic
def concern_register(
    *,
    team: TeamPage,
    alias: str,
    appearance: str,
    place: str,
    age_group: str,
    concern: str,
    acute: bool,
    emergency_call: str,
    source: ReferralSource | None,
    referrer_name: str,
    referrer_contact: str,
) -> Case:
    """Register a referral from the public form; the team's mailbox is told once committed."""
    person = Person(
        alias=alias.strip(),
        whereabouts=_whereabouts(place=place, appearance=appearance),
        age_group=age_group,
    )
    case = referral_register(
        team=team,
        person=person,
        concern=concern,
        channel=Channel.WEB_FORM,
        source=source,
        referrer_name=referrer_name,
        referrer_contact=referrer_contact,
        acute=acute,
        emergency_call=emergency_call,
        without_standard=True,
    )
    # robust: a mail server failure is logged; it must not turn a saved referral into a 500.
    transaction.on_commit(lambda: team_notify(case=case), robust=True)
    return case


def team_notify(*, case: Case) -> None:
    """Tell the team's mailbox that a referral waits: a link and a number, no personal data."""
    team = case.team
    recipient = team.notification_email or team.email
    if not recipient:
        logger.warning("Team %s has no mailbox for new referrals from the web form.", team.pk)
        return
    context = {
        "team": team,
        "reference": case_reference(case),
        "url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        + reverse("workflows:case_detail", args=[case.pk]),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/concern_received_subject.txt", context)
        body = render_to_string("emails/concern_received.txt", context)
    send_mail(" ".join(subject.split()), body, None, [recipient])
