"""The public concern form's intake: abuse limits, registration and the team's notification.

The rate limit counts per client address (intranet.throttle.client_ip) in the "shared" cache,
so it holds for the site as a whole (intranet.throttle.Limit).
"""

import logging
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from intranet.throttle import CACHE, Limit, client_ip
from pages.models import TeamPage

from .models import Case, Channel, Person, ReferralSource
from .services import referral_register

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
    return client_ip(request) or "unknown"


def _rate_key(request):
    return CONCERN_LIMIT.key(_address(request))


def rate_limited(request) -> bool:
    """Has this address sent RATE_LIMIT submissions within the window?"""
    return CONCERN_LIMIT.reached(_address(request))


def submission_record(request) -> None:
    """Count one submission from the request's address (the window starts at the first)."""
    CONCERN_LIMIT.record(_address(request))


# --- Receipt numbers ------------------------------------------------------------------------


def case_reference(case: Case) -> str:
    """The receipt number the citizen gets, e.g. BB-2026-000123 (year and case number)."""
    return f"BB-{timezone.localtime(case.created_at).year}-{case.pk:06d}"


def decoy_reference() -> str:
    """A receipt number of the same form for a submission that was silently dropped."""
    return f"BB-{timezone.localdate().year}-{secrets.randbelow(10**6):06d}"


# --- Registration ---------------------------------------------------------------------------


def _whereabouts(*, place: str, appearance: str) -> str:
    # Staff read the case in the municipality's language, whatever the citizen's choice.
    with translation.override(settings.LANGUAGE_CODE):
        parts = [
            (_("Usually met"), place.strip()),
            (_("Looks like"), appearance.strip()),
        ]
        return "\n\n".join(f"{label}: {text}" for label, text in parts if text)


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
