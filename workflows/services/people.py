"""Who in a team holds a permission: the candidates for contact person and for a task."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q


def users_with_perm_in_team(team, perm: str):
    """Active members of `team` who hold `perm` ("app_label.codename") by group or directly."""
    app_label, codename = perm.split(".")
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).values("pk")
    team_id = team if isinstance(team, int) else team.pk
    return (
        get_user_model()
        .objects.filter(is_active=True, staff_member__teams=team_id)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
