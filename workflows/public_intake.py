"""The public concern form's intake: abuse limits, registration and the team's notification.

The rate limit counts in the "shared" cache (settings.CACHES): in production Django's database
cache, which every gunicorn worker on every app server sees, so the limit holds for the site
as a whole and not per process. A count is a read and a write: two submissions from one
address at the same moment may count once, which a limit of five an hour can afford.
"""

import logging
import math
import secrets
import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.mail import send_mail
from django.db import connections, router, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from pages.models import TeamPage

from .models import Case, Channel, Person, ReferralSource
from .services import referral_register

logger = logging.getLogger(__name__)

RATE_LIMIT = 5  # submissions per address ...
RATE_WINDOW_SECONDS = 60 * 60  # ... per hour
RATE_LIMIT_CACHE = "shared"


# --- Abuse limits ---------------------------------------------------------------------------


def body_too_large(request, *, limit: int) -> bool:
    """Is the request body larger than `limit` bytes (or of a length it does not state)?"""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > limit


def _rate_key(request):
    # Keyed on a keyed hash: the cache never holds the address itself, and the hash cannot
    # be reversed by trying every IPv4 address without the secret key.
    address = get_client_ip_address(request) or "unknown"
    digest = salted_hmac("brobygger.concern-form.rate-limit", address).hexdigest()
    return f"concern-form:{digest}"


def _window(cache, key, now):
    """(submissions counted, when the window ends) for the address under `key`."""
    counted = cache.get(key)
    if counted is None or counted[1] <= now:
        return 0, now + RATE_WINDOW_SECONDS
    return counted


def rate_limited(request) -> bool:
    """Has this address sent RATE_LIMIT submissions within the window?"""
    count, _ = _window(caches[RATE_LIMIT_CACHE], _rate_key(request), time.time())
    return count >= RATE_LIMIT


def submission_record(request) -> None:
    """Count one submission from the request's address (the window starts at the first).

    The window's end is kept with the count, and each write sets the entry to expire then:
    a cache's own `incr` may not keep the expiry (the database cache's sets the cache's
    default timeout of five minutes again).
    """
    key = _rate_key(request)
    cache = caches[RATE_LIMIT_CACHE]
    now = time.time()
    count, until = _window(cache, key, now)
    cache.set(key, (count + 1, until), max(1, math.ceil(until - now)))


def rate_limit_prune() -> int:
    """Delete the rate limit's expired counts from the database cache; returns how many.

    They are keyed hashes of citizens' addresses: an hour after the last submission they are
    no longer needed, and the database cache itself deletes expired rows only once it holds
    more than its MAX_ENTRIES. `manage.py prune_access_log` calls this every night. A memory
    cache forgets them itself (0).
    """
    cache = caches[RATE_LIMIT_CACHE]
    if not isinstance(cache, DatabaseCache):
        return 0
    using = router.db_for_write(cache.cache_model_class)
    connection = connections[using]
    table = connection.ops.quote_name(cache._table)
    # As the database cache compares its own expiry times (DatabaseCache._cull).
    now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])  # noqa: S608
        return cursor.rowcount


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
