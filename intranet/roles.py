"""The staff roles: one definition of each group and what it may do, synced after migrate.

A role is a Django group. What a member may do on a *particular* case also depends on
team membership (pages.TeamPage / StaffMember.teams); see workflows for that rule.

Emergency access ("break the glass", workflows.EmergencyAccess) is for the roles that do
casework in the field: outreach workers and coordinators. Receiving-department staff read
only summaries sent to them; editors, moderators, leaders, administrators and the data
protection officer do not work on cases, so they are never offered it.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

OUTREACH_WORKER = "outreach_worker"
COORDINATOR = "coordinator"
RECEIVER = "receiver"
EDITOR = "editor"
MODERATOR = "moderator"
LEADER = "leader"
ADMINISTRATOR = "administrator"
DATA_PROTECTION = "data_protection"


@dataclass(frozen=True)
class Role:
    key: str
    group_name: str  # the group's name as staff see it in the admin
    label: str
    permissions: tuple[str, ...] = ()  # "app_label.codename"
    page_permissions: tuple[str, ...] = ()  # Wagtail page permission codenames on the root
    snippet_models: tuple[str, ...] = field(default=())  # "app_label.model": full access


WAGTAIL_ADMIN = "wagtailadmin.access_admin"

# What team membership (the staff directory: StaffMember.user and .teams) opens, and to whom:
# a team's cases to those who work on cases, the handovers sent to it to the receivers
# (workflows.models.case_visibility). Membership without the right opens nothing.
CASEWORK_PERMISSION = "workflows.work_case"
RECEIVING_PERMISSION = "workflows.acknowledge_handover"

ROLES = {
    role.key: role
    for role in [
        Role(
            OUTREACH_WORKER,
            "SKP-medarbejdere",
            _("Outreach worker (SKP)"),
            permissions=(
                "workflows.register_referral",
                "workflows.work_case",
                "workflows.take_emergency_access",
            ),
        ),
        Role(
            COORDINATOR,
            "Koordinatorer",
            _("Team coordinator"),
            permissions=(
                "workflows.register_referral",
                "workflows.work_case",
                "workflows.triage_case",
                "workflows.manage_queue",
                "workflows.take_emergency_access",
            ),
        ),
        Role(
            RECEIVER,
            "Modtagende medarbejdere",
            _("Receiving-department staff"),
            permissions=("workflows.acknowledge_handover",),
        ),
        Role(
            EDITOR,
            "Redaktører",
            _("Editor"),
            permissions=(WAGTAIL_ADMIN,),
            page_permissions=("add_page", "change_page"),
        ),
        Role(
            MODERATOR,
            "Moderatorer",
            _("Moderator (reviewer)"),
            permissions=(WAGTAIL_ADMIN,),
            page_permissions=("add_page", "change_page", "lock_page", "unlock_page"),
        ),
        Role(
            LEADER,
            "Ledere",
            _("Leader (approver)"),
            permissions=(WAGTAIL_ADMIN, "workflows.view_dashboard"),
            # The last approver of a workflow publishes, so leaders need publish permission.
            page_permissions=("add_page", "change_page", "publish_page"),
        ),
        Role(
            ADMINISTRATOR,
            "Administratorer",
            _("Administrator"),
            permissions=(
                WAGTAIL_ADMIN,
                "auth.add_user",
                "auth.change_user",
                "auth.view_user",
                "auth.add_group",
                "auth.change_group",
                "auth.view_group",
                "pages.change_emergencynumbers",
                "workflows.manage_queue",
            ),
            page_permissions=(
                "add_page",
                "change_page",
                "publish_page",
                "bulk_delete_page",
                "lock_page",
                "unlock_page",
            ),
            snippet_models=("pages.staffmember", "workflows.referralsource"),
        ),
        Role(
            DATA_PROTECTION,
            "Databeskyttelse",
            _("Data protection officer"),
            # Reviews the access log, answers insight requests (docs/privacy.md).
            permissions=("intranet.review_access_log",),
        ),
    ]
}


def group_name(role_key):
    return ROLES[role_key].group_name


def sync_roles(using="default"):
    """Create or update every role's group and permissions; idempotent."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core.exceptions import ImproperlyConfigured
    from wagtail.models import GroupPagePermission, Page

    def permission(dotted):
        app_label, codename = dotted.split(".")
        try:
            return Permission.objects.using(using).get(
                content_type__app_label=app_label, codename=codename
            )
        except Permission.DoesNotExist as exc:
            raise ImproperlyConfigured(f"Role permission {dotted} does not exist.") from exc

    root = Page.objects.using(using).filter(depth=1).first()
    for role in ROLES.values():
        group, _created = Group.objects.using(using).get_or_create(name=role.group_name)
        perms = [permission(dotted) for dotted in role.permissions]
        for model in role.snippet_models:
            app_label, model_name = model.split(".")
            ct = ContentType.objects.db_manager(using).get(app_label=app_label, model=model_name)
            perms += list(Permission.objects.using(using).filter(content_type=ct))
        group.permissions.set(perms)
        if root is not None:
            wanted = {permission(f"wagtailcore.{c}").pk for c in role.page_permissions}
            GroupPagePermission.objects.using(using).filter(group=group).exclude(
                page=root, permission_id__in=wanted
            ).delete()
            for perm_id in wanted:
                GroupPagePermission.objects.using(using).get_or_create(
                    group=group, page=root, permission_id=perm_id
                )


# --- Granting rights ---------------------------------------------------------------------
# Whoever manages accounts and groups (the administrators) may only hand out rights they
# hold themselves: otherwise "Administratorer" could make anyone (themselves included) a
# data protection officer, a caseworker or a superuser. Superusers may grant anything.
# A right is a model permission, or a page, collection or site permission on one object.


def holds_permission(user, permission, *, page=None, collection=None, site=None):
    """Whether the user holds the permission (on that page or collection, or an ancestor;
    on that site); a superuser holds every permission."""
    from wagtail.models import GroupCollectionPermission, GroupPagePermission, GroupSitePermission

    if user.is_superuser:
        return True
    if not user.is_active:
        return False
    if page is not None:
        return GroupPagePermission.objects.filter(
            group__user=user, permission=permission, page__in=page.get_ancestors(inclusive=True)
        ).exists()
    if collection is not None:
        return GroupCollectionPermission.objects.filter(
            group__user=user,
            permission=permission,
            collection__in=collection.get_ancestors(inclusive=True),
        ).exists()
    if site is not None:
        return GroupSitePermission.objects.filter(
            group__user=user, permission=permission, site=site
        ).exists()
    return user.has_perm(f"{permission.content_type.app_label}.{permission.codename}")


def may_grant_group(user, *, group):
    """Whether the user may put someone into the group: they hold every right it gives."""
    if user.is_superuser:
        return True
    return (
        all(holds_permission(user, p) for p in group.permissions.select_related("content_type"))
        and all(
            holds_permission(user, gp.permission, page=gp.page)
            for gp in group.page_permissions.select_related("permission", "page")
        )
        and all(
            holds_permission(user, gp.permission, collection=gp.collection)
            for gp in group.collection_permissions.select_related("permission", "collection")
        )
        and all(
            holds_permission(user, gp.permission, site=gp.site)
            for gp in group.site_permissions.select_related("permission", "site")
        )
    )


def may_manage_user(user, *, account, may_grant=None):
    """Whether the user may change the account (its password, e-mail, groups, active state):
    only if it has no right the user lacks. Taking over a stronger account is escalation.

    `may_grant(group)` answers may_grant_group for this user; a list passes a memoised one.
    """
    if user.is_superuser or user == account:
        return True
    if account.is_superuser:
        return False
    if may_grant is None:

        def may_grant(group):
            return may_grant_group(user, group=group)

    return all(holds_permission(user, p) for p in account.user_permissions.all()) and all(
        may_grant(g) for g in account.groups.all()
    )


def may_change_team_membership(user):
    """Whether the user may change who is in which team (a directory entry's account link and
    teams): it opens the team's cases and handovers, so only to who holds both those rights
    (in practice a superuser). Administrators keep the rest of the directory."""
    from django.contrib.auth.models import Permission

    if user.is_superuser:
        return True
    wanted = [dotted.split(".") for dotted in (CASEWORK_PERMISSION, RECEIVING_PERMISSION)]
    permissions = Permission.objects.select_related("content_type").filter(
        content_type__app_label__in=[app_label for app_label, _codename in wanted],
        codename__in=[codename for _app_label, codename in wanted],
    )
    return len(permissions) == len(wanted) and all(
        holds_permission(user, permission) for permission in permissions
    )
