"""Emergency access ("break the glass"): opening a case outside one's team, and its review.

Who may take it is a permission (intranet/roles.py: the casework roles); what it opens is
Case.objects.visible_to, which includes the case until the access expires.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from intranet.audit import log_access
from intranet.models import AccessAction

from ..models import Case, EmergencyAccess

PERMISSION = "workflows.take_emergency_access"
DPO_PERMISSION = "intranet.review_access_log"

logger = logging.getLogger(__name__)


def may_take_emergency_access(user) -> bool:
    return user.is_authenticated and user.has_perm(PERMISSION)


def _start_of_day(moment: datetime.datetime) -> datetime.datetime:
    """Midnight of `moment`'s day in Danish time (the project's TIME_ZONE)."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def emergency_access_limit_reached(*, user, now: datetime.datetime | None = None) -> bool:
    """Has `user` taken BROBYGGER_EMERGENCY_ACCESS_PER_DAY grants today (Danish time)?"""
    today = EmergencyAccess.objects.filter(
        user=user, granted_at__gte=_start_of_day(now or timezone.now())
    )
    return today.count() >= settings.BROBYGGER_EMERGENCY_ACCESS_PER_DAY


def emergency_access_limit_check(*, user, now: datetime.datetime | None = None) -> None:
    """Refuse (ValidationError) once `user` has used the day's grants.

    The view asks this before it looks the case up: a refusal that came only for an existing
    case would tell whether a case number exists.
    """
    if emergency_access_limit_reached(user=user, now=now):
        raise ValidationError(
            _(
                "You have already taken emergency access %(limit)d times today, which is the "
                "most allowed. Call the case's team or your leader instead; if the citizen is "
                "in danger, call 112."
            )
            % {"limit": settings.BROBYGGER_EMERGENCY_ACCESS_PER_DAY}
        )


@transaction.atomic
def emergency_access_grant(
    *, user, case: Case, category: str, reason: str, request=None
) -> EmergencyAccess:
    """Open `case` to `user` for BROBYGGER_EMERGENCY_ACCESS_HOURS; logged with the reason.

    At most BROBYGGER_EMERGENCY_ACCESS_PER_DAY grants a user a day (Danish time). The log
    entry is written in the same transaction: no access without its record; the data
    protection officer is e-mailed once it is committed.
    """
    if not may_take_emergency_access(user):
        raise PermissionDenied
    if Case.objects.visible_to(user).filter(pk=case.pk).exists():
        raise ValidationError(_("You already have access to this case."))
    # One user's grants one at a time, so two at once cannot both slip under the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    now = timezone.now()
    emergency_access_limit_check(user=user, now=now)
    access = EmergencyAccess(
        user=user,
        case=case,
        category=category,
        reason=reason.strip(),
        granted_at=now,
        expires_at=now + datetime.timedelta(hours=settings.BROBYGGER_EMERGENCY_ACCESS_HOURS),
    )
    access.full_clean()
    access.save()
    log_access(
        user=user,
        action=AccessAction.EMERGENCY,
        what="emergency access",
        person_id=case.person_id,
        case_id=case.pk,
        request=request,
        reason=access.reason,
    )
    # robust: a mail server failure is logged; it must not undo or hide the access.
    transaction.on_commit(lambda: emergency_access_notify(access=access), robust=True)
    return access


def officer_addresses() -> list[str]:
    """Who is told of an emergency access: active users with the data protection role, and
    the addresses in BROBYGGER_DPO_EMAIL."""
    users = get_user_model().objects.with_perm(
        DPO_PERMISSION,
        is_active=True,
        include_superusers=False,
        backend="django.contrib.auth.backends.ModelBackend",
    )
    addresses = [address for address in users.values_list("email", flat=True) if address]
    addresses += settings.BROBYGGER_DPO_EMAIL
    return sorted(set(addresses))


def emergency_access_notify(*, access: EmergencyAccess) -> None:
    """E-mail the data protection officer at once: who, which case, what kind of emergency
    and a link to the review screen. Never the person or the reason (special-category data):
    the officer reads those in Brobygger."""
    recipients = officer_addresses()
    if not recipients:
        logger.warning(
            "Emergency access %s: no data protection officer has an e-mail address.", access.pk
        )
        return
    context = {
        "access": access,
        "who": access.user.get_full_name() or access.user.get_username(),
        "url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        + reverse("privacy:emergency_review", args=[access.pk]),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/emergency_access_subject.txt", context)
        body = render_to_string("emails/emergency_access.txt", context)
    send_mail(" ".join(subject.split()), body, None, recipients)


@transaction.atomic
def emergency_access_review(*, access: EmergencyAccess, by, note: str, request=None):
    """The data protection officer marks an emergency access as reviewed, with a note."""
    access = EmergencyAccess.objects.select_for_update().get(pk=access.pk)
    if access.is_reviewed:
        raise ValidationError(_("This emergency access has already been reviewed."))
    if not note.strip():
        raise ValidationError({"note": _("Write what the review found.")})
    access.reviewed_at = timezone.now()
    access.reviewed_by = by
    access.review_note = note.strip()
    access.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    log_access(
        user=by,
        action=AccessAction.CHANGE,
        what="emergency access review (data protection)",
        person_id=access.case.person_id,
        case_id=access.case_id,
        request=request,
    )
    return access
