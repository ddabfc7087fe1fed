"""Emergency access ("break the glass"): opening a case outside one's team, and its review.

Who may take it is a permission (intranet/roles.py: the casework roles); what it opens is
Case.objects.visible_to, which includes the case until the access expires.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.audit import log_access
from intranet.models import AccessAction

from ..models import Case, EmergencyAccess

PERMISSION = "workflows.take_emergency_access"


def may_take_emergency_access(user) -> bool:
    return user.is_authenticated and user.has_perm(PERMISSION)


@transaction.atomic
def emergency_access_grant(*, user, case: Case, reason: str, request=None) -> EmergencyAccess:
    """Open `case` to `user` for BROBYGGER_EMERGENCY_ACCESS_HOURS; logged with the reason.

    The log entry is written in the same transaction: no access without its record.
    """
    if not may_take_emergency_access(user):
        raise PermissionDenied
    if Case.objects.visible_to(user).filter(pk=case.pk).exists():
        raise ValidationError(_("You already have access to this case."))
    now = timezone.now()
    access = EmergencyAccess(
        user=user,
        case=case,
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
    return access


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
