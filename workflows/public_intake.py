"""The public concern form's intake: abuse limits, registration and the team's notification.

The rate limit counts in the "shared" cache (settings.CACHES): in production Django's database
cache, which every gunicorn worker on every app server sees, so the limit holds for the site
as a whole and not per process. The count is exact however many submissions arrive at once:
the address's cache row is locked while it is read and written (the database cache's own
`incr` is a read and a write without a lock), and in the memory cache a lock of the process
does the same.
"""

import logging
import math
import threading
import time
import uuid

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

from intranet.submissions import submit_once
from pages.models import TeamPage

from .models import Case, Channel, Person, ReferralSource, new_case_reference
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


def submission_admit(request) -> bool:
    """Count one submission from the request's address, unless it has sent RATE_LIMIT within
    the window (which starts at the first); True if it was counted.

    The window's end is kept with the count, and each write sets the entry to expire then:
    a cache's own `incr` may not keep the expiry (the database cache's sets the cache's
    default timeout of five minutes again). In the database cache the count belongs to the
    caller's transaction: call it in the one that registers the concern, and a registration
    that fails is not counted.
    """
    key = _rate_key(request)
    cache = caches[RATE_LIMIT_CACHE]
    if isinstance(cache, DatabaseCache):
        return _admit_with_row_locked(cache, key)
    with _memory_cache_lock:
        return _admit(cache, key)


# The memory cache is each process's own: a lock of the process makes its count exact.
_memory_cache_lock = threading.Lock()


def _admit(cache, key):
    now = time.time()
    count, until = _window(cache, key, now)
    if count >= RATE_LIMIT:
        return False
    cache.set(key, (count + 1, until), max(1, math.ceil(until - now)))
    return True


def _admit_with_row_locked(cache, key):
    using = router.db_for_write(cache.cache_model_class)
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(cache.cache_model_class._meta.db_table)
    cache_key = cache.make_key(key)
    lock_row = (
        f"UPDATE {table} SET {quote('expires')} = {quote('expires')} "  # noqa: S608
        f"WHERE {quote('cache_key')} = %s"
    )
    with transaction.atomic(using=using):
        for _attempt in range(5):
            # A write that changes nothing: it locks the address's row (PostgreSQL) or the
            # database (SQLite) until the transaction ends, so the next submission from the
            # address reads the count only after this one has written it.
            with connection.cursor() as cursor:
                cursor.execute(lock_row, [cache_key])
                if cursor.rowcount:
                    break
            # No row yet: the one made here stays locked until the transaction ends. If
            # another transaction made it meanwhile, `add` fails and its row is locked above.
            if cache.add(key, (0, time.time() + RATE_WINDOW_SECONDS), RATE_WINDOW_SECONDS):
                break
        return _admit(cache, key)


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
