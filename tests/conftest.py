"""Personas: each one a user with only what its role gives it."""

import io
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction

import intranet.urls  # noqa: F401  (flow URLs must be registered before any test reverses them)
from intranet import roles
from pages import content_cache
from pages.rules import rules_of_revision

from .factories import StaffMemberFactory, TeamPageFactory, UserFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL with DJANGO_DB_APP_ROLE set (CI), the tests act as the application's role.

    The login (DATABASE_URL) is the owner of the tables: it builds and migrates the test
    database and grants the app role its privileges (`manage.py grant_app_role`), as the
    deployment does. Every connection then acts as the app role (`-c role=...`, the login
    must be a member of it), so the tests meet production's privileges; the test runner's
    flush between transactional tests is the owner's (intranet/test_postgresql).
    """
    role = django_settings.DATABASE_APP_ROLE
    if connection.vendor != "postgresql" or not role:
        yield
        return
    with django_db_blocker.unblock():
        call_command("grant_app_role", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, pg_has_role(current_user, %s, 'MEMBER')", [role])
            login, may_act = cursor.fetchone()
        connection.close()
    if not may_act:
        pytest.exit(
            f"The tests log in as {login}, which must be a member of {role}: "
            f"GRANT {role} TO {login}"
        )
    options = connection.settings_dict.setdefault("OPTIONS", {})
    login_options = options.get("options", "")
    options["options"] = f"{login_options} -c role={role}".strip()
    yield
    options["options"] = login_options
    with django_db_blocker.unblock():
        connection.close()


@pytest.fixture
def table_owner(db):
    """`with table_owner():` runs its statements as the owner of the tables (the login).

    Without DJANGO_DB_APP_ROLE, or on SQLite, the suite already is the owner.
    """

    @contextmanager
    def as_owner():
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("SET ROLE NONE")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")

    return as_owner


@pytest.fixture(autouse=True)
def _ui_language(request, settings):
    """Tests read messages by their English msgids; tests marked `danish` see the product's
    default Danish interface, and the translation tests check that it is complete."""
    if request.node.get_closest_marker("danish") is None:
        settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _fresh_rules_cache():
    """A rolled-back test database reuses revision ids: forget the rules read before."""
    rules_of_revision.cache_clear()
    yield
    rules_of_revision.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_public_content_cache():
    """Each test renders public content afresh, whatever an earlier test kept."""
    caches[content_cache.CACHE_ALIAS].clear()
    yield
    caches[content_cache.CACHE_ALIAS].clear()


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


# --- workflows ------------------------------------------------------------------------------


@pytest.fixture
def coordinator_b(team_b):
    """The coordinator who triages team B's referrals."""
    return _member("koordinator_b", [roles.COORDINATOR], [team_b])


@pytest.fixture
def worker_a2(team_a):
    """A second outreach worker of team A (cover, second contact person)."""
    return _member("skp_a2", [roles.OUTREACH_WORKER], [team_a])


@pytest.fixture
def receiving_team(db):
    """A team in another department (the authority) that cases are handed over to."""
    return TeamPageFactory(title="Myndighedsteamet")


@pytest.fixture
def receiver(receiving_team):
    """Receiving staff of the receiving team."""
    return _member("modtager", [roles.RECEIVER], [receiving_team])


@pytest.fixture
def receiver_b(team_b):
    """Receiving staff of team B."""
    return _member("modtager_b", [roles.RECEIVER], [team_b])


@pytest.fixture
def family_department(db):
    """A partner page the standard redirects under-age referrals to."""
    from .factories import PartnerPageFactory

    return PartnerPageFactory(title="Familieafdelingen", kind="authority")


@pytest.fixture
def skp_standard(team_a, family_department):
    """The published SKP standard (7 days, reassess every 4 months); team A delivers it.

    With no standard of its own, any other team falls under it too.

    Published "60 days ago" so referrals registered now fall under it whatever their minute.
    """
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from pages.models import RedirectReason

    from .factories import standard_with_redirects

    with time_machine.travel(timezone.now() - timedelta(days=60), tick=True):
        return standard_with_redirects(
            delivering_teams=[team_a],
            redirects={RedirectReason.UNDER_AGE: family_department},
        )


# --- data protection ------------------------------------------------------------------------


@pytest.fixture
def dpo(db):
    """The data protection officer: reviews the access log, answers insight requests."""
    return UserFactory(username="databeskyttelse", roles=[roles.DATA_PROTECTION])


def demo_data():
    """Run `manage.py demo_data`; returns what it printed."""
    output = io.StringIO()
    call_command("demo_data", force=True, stdout=output)
    return output.getvalue()


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    """The demo data, built once for the module and rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_data()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_module, db):
    """The demo data's output; each test's own changes roll back as usual."""
    return demo_module
