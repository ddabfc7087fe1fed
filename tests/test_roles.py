from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission

from intranet import roles
from intranet.roles import ROLES, sync_roles


def test_every_role_has_its_group_after_migrate(db):
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.group_name for role in ROLES.values()} <= names


def test_sync_roles_is_idempotent(db):
    before = (Group.objects.count(), GroupPagePermission.objects.count())
    sync_roles()
    sync_roles()
    assert (Group.objects.count(), GroupPagePermission.objects.count()) == before


def test_only_leaders_and_administrators_may_publish(db):
    publishers = set(
        GroupPagePermission.objects.filter(permission__codename="publish_page").values_list(
            "group__name", flat=True
        )
    )
    ours = {role.group_name for role in ROLES.values()}
    assert publishers & ours == {
        roles.group_name(roles.LEADER),
        roles.group_name(roles.ADMINISTRATOR),
    }


def test_editor_persona_has_no_publish_permission(editor, leader):
    from wagtail.models import Page

    page = Page.objects.get(depth=2)
    assert page.permissions_for_user(editor).can_edit()
    assert not page.permissions_for_user(editor).can_publish()
    assert page.permissions_for_user(leader).can_publish()


def test_a_users_permissions_are_their_own_and_their_groups(db):
    """What every staff page asks (user.has_perm), as the configured backends answer it."""
    from django.contrib.auth.models import AnonymousUser, Permission

    from .factories import UserFactory

    def permission(codename):
        return Permission.objects.get(codename=codename)

    group = Group.objects.create(name="Test: koordinatorer")
    group.permissions.add(permission("manage_queue"), permission("work_case"))
    other_group = Group.objects.create(name="Test: andre")
    other_group.permissions.add(permission("view_dashboard"), permission("work_case"))
    own = UserFactory(username="egen")
    own.user_permissions.add(permission("register_referral"))
    both = UserFactory(username="begge")
    both.groups.add(group, other_group)
    both.user_permissions.add(permission("work_case"))
    grouped = UserFactory(username="gruppe")
    grouped.groups.add(group)
    inactive = UserFactory(username="inaktiv", is_active=False)
    inactive.groups.add(group)
    admin = UserFactory(username="admin", is_superuser=True)

    def permissions(user):
        return type(user).objects.get(pk=user.pk).get_all_permissions()

    assert permissions(own) == {"workflows.register_referral"}
    assert permissions(both) == {
        "workflows.manage_queue",
        "workflows.work_case",
        "workflows.view_dashboard",
    }
    assert permissions(grouped) == {"workflows.manage_queue", "workflows.work_case"}
    assert permissions(inactive) == set()
    assert permissions(UserFactory(username="ingen")) == set()
    assert permissions(admin) == {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    assert AnonymousUser().get_all_permissions() == set()
    user = type(both).objects.get(pk=both.pk)
    assert user.has_perm("workflows.manage_queue")
    assert user.has_perm("workflows.view_dashboard")
    assert user.has_perm("workflows.register_referral") is False
    assert not type(inactive).objects.get(pk=inactive.pk).has_perm("workflows.manage_queue")
