"""intranet.backends.ModelBackend answers as Django's ModelBackend, in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import AnonymousUser, Group, Permission

from intranet.backends import ModelBackend

from .factories import UserFactory


def _permission(codename):
    return Permission.objects.get(codename=codename)


@pytest.fixture
def users(db):
    group = Group.objects.create(name="Test: koordinatorer")
    group.permissions.add(_permission("manage_queue"), _permission("work_case"))
    other_group = Group.objects.create(name="Test: andre")
    other_group.permissions.add(_permission("view_dashboard"), _permission("work_case"))
    own = UserFactory(username="egen")
    own.user_permissions.add(_permission("register_referral"))
    both = UserFactory(username="begge")
    both.groups.add(group, other_group)
    both.user_permissions.add(_permission("work_case"))
    grouped = UserFactory(username="gruppe")
    grouped.groups.add(group)
    inactive = UserFactory(username="inaktiv", is_active=False)
    inactive.groups.add(group)
    return [
        own,
        both,
        grouped,
        inactive,
        UserFactory(username="ingen"),
        UserFactory(username="admin", is_superuser=True),
    ]


def test_the_same_permissions_as_djangos_backend(users):
    for user in users:
        theirs = DjangoModelBackend().get_all_permissions(type(user).objects.get(pk=user.pk))
        ours = ModelBackend().get_all_permissions(type(user).objects.get(pk=user.pk))
        assert ours == theirs, user.username
    assert "workflows.manage_queue" in ModelBackend().get_all_permissions(users[1])
    assert ModelBackend().get_all_permissions(users[3]) == set()  # inactive
    assert ModelBackend().get_all_permissions(AnonymousUser()) == set()


def test_one_query_and_then_none(users, django_assert_num_queries):
    user = type(users[1]).objects.get(pk=users[1].pk)
    with django_assert_num_queries(1):
        assert user.has_perm("workflows.manage_queue")
        assert user.has_perm("workflows.view_dashboard")
        assert user.has_perm("workflows.register_referral") is False
