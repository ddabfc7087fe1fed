"""Personas: each one a user with only what its role gives it."""

import pytest

import intranet.urls  # noqa: F401  (flow URLs must be registered before any test reverses them)
from intranet import roles

from .factories import StaffMemberFactory, TeamPageFactory, UserFactory


@pytest.fixture
def team_a(db):
    return TeamPageFactory(title="Udekørende team Nord")


@pytest.fixture
def team_b(db):
    return TeamPageFactory(title="Udekørende team Syd")


def _member(username, role_keys, teams):
    user = UserFactory(username=username, roles=role_keys)
    StaffMemberFactory(name=user.get_full_name(), user=user, teams=teams)
    return user


@pytest.fixture
def worker_a(team_a):
    """An outreach worker (SKP) of team A."""
    return _member("skp_a", [roles.OUTREACH_WORKER], [team_a])


@pytest.fixture
def worker_b(team_b):
    """An outreach worker (SKP) of team B."""
    return _member("skp_b", [roles.OUTREACH_WORKER], [team_b])


@pytest.fixture
def coordinator_a(team_a):
    """The coordinator who triages team A's referrals."""
    return _member("koordinator_a", [roles.COORDINATOR], [team_a])


@pytest.fixture
def editor(db):
    return UserFactory(username="redaktoer", roles=[roles.EDITOR])


@pytest.fixture
def moderator(db):
    return UserFactory(username="moderator", roles=[roles.MODERATOR])


@pytest.fixture
def leader(db):
    return UserFactory(username="leder", roles=[roles.LEADER])


@pytest.fixture
def administrator(db):
    return UserFactory(username="administrator", roles=[roles.ADMINISTRATOR])
