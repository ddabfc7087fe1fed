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
