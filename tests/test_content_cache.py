"""A standard's public content is kept rendered, and never shown stale or to the wrong visitor.

Each test first requests the page once, so the content is in the cache, then changes what
the page shows and requests it again.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import CacheHandler, caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import PageViewRestriction, Site

from pages.models import StandardRedirect, TeamPage

from .factories import (
    DepartmentPageFactory,
    PartnerPageFactory,
    StandardPageFactory,
    TeamPageFactory,
    section,
)


@pytest.fixture
def team(db):
    return TeamPageFactory(title="Udekørende team Nord", phone="70 10 20 31")


@pytest.fixture
def shelter(db):
    return PartnerPageFactory(title="Herberget Lyset", kind="shelter")


@pytest.fixture
def standard(team, shelter):
    standard = StandardPageFactory(
        title="Kvalitetsstandard SKP",
        delivering_teams=[team],
        body=[section("<p>At bygge bro til etablerede tilbud.</p>", kind="purpose")],
    )
    standard.redirects = [StandardRedirect(reason="other_municipality", destination=shelter)]
    standard.save_revision().publish()
    standard.refresh_from_db()  # as the editor loads it: with its live revision
    return standard


def page_text(client, standard):
    response = client.get(standard.url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_second_request_reads_the_content_from_the_cache(client, standard):
    with CaptureQueriesContext(connection) as first:
        page_text(client, standard)
    with CaptureQueriesContext(connection) as second:
        html = page_text(client, standard)

    assert len(second) < len(first)
    assert not [q for q in second if "pages_standardredirect" in q["sql"]]
    assert "At bygge bro" in html and "70 10 20 31" in html and "Herberget Lyset" in html


def test_a_team_s_new_contact_details_show_on_the_next_request(client, standard, team):
    page_text(client, standard)

    team.phone = "33 44 55 66"
    team.save_revision().publish()

    html = page_text(client, standard)
    assert "33 44 55 66" in html and "70 10 20 31" not in html


def test_a_newly_published_revision_of_the_standard_shows_on_the_next_request(
    client, standard, team
):
    page_text(client, standard)
    other = TeamPageFactory(title="Udekørende team Syd")

    standard.body = [section("<p>Ny formulering af formålet.</p>", kind="purpose")]
    standard.delivering_teams = [other]
    standard.save_revision().publish()

    html = page_text(client, standard)
    assert "Ny formulering af formålet." in html and "At bygge bro" not in html
    assert "Udekørende team Syd" in html and team.title not in html


def test_a_redirect_destination_s_new_title_and_live_state_show_on_the_next_request(
    client, standard, shelter
):
    assert f'href="{shelter.url}"' in page_text(client, standard)

    shelter.title = "Herberget Morgenlyset"
    shelter.save_revision().publish()
    html = page_text(client, standard)
    assert "Herberget Morgenlyset" in html and f'href="{shelter.url}"' in html

    shelter.unpublish()
    html = page_text(client, standard)
    assert "Herberget Morgenlyset" in html and f'href="{shelter.url}"' not in html


def test_an_unpublished_team_leaves_the_standard_on_the_next_request(client, standard, team):
    assert team.title in page_text(client, standard)

    team.unpublish()

    assert team.title not in page_text(client, standard)


def test_an_unpublished_standard_is_gone_on_the_next_request(client, standard):
    page_text(client, standard)

    standard.unpublish()

    assert client.get(standard.url).status_code == 404


def test_a_moved_team_is_linked_at_its_new_address(client, standard, team):
    old_url = team.url
    assert f'href="{old_url}"' in page_text(client, standard)

    team.move(DepartmentPageFactory(title="Socialafdelingen"), pos="last-child")
    team.refresh_from_db()

    html = page_text(client, standard)
    assert team.url != old_url and f'href="{team.url}"' in html and f'href="{old_url}"' not in html


def test_preview_shows_unsaved_changes_and_leaves_the_cache_alone(client, standard, team):
    other = TeamPageFactory(title="Udekørende team Syd")
    page_text(client, standard)  # the live content, cached

    standard.body = [section("<p>Udkast, ikke gemt.</p>", kind="purpose")]
    standard.delivering_teams = [other]
    preview = standard.make_preview_request().render().content.decode()
    assert "Udkast, ikke gemt." in preview and "Udekørende team Syd" in preview

    html = page_text(client, standard)
    assert "At bygge bro" in html and "Udkast, ikke gemt." not in html
    assert team.title in html and "Udekørende team Syd" not in html


def test_a_team_behind_a_login_is_shown_to_staff_only(client, standard, team, worker_a):
    PageViewRestriction.objects.create(page=team, restriction_type=PageViewRestriction.LOGIN)
    staff = client.__class__()
    staff.force_login(worker_a)

    assert team.title in page_text(staff, standard)
    assert team.title not in page_text(client, standard)
    assert team.title in page_text(staff, standard)


def test_a_new_view_restriction_hides_a_team_on_the_next_request(client, standard, team):
    page_text(client, standard)

    PageViewRestriction.objects.create(page=team, restriction_type=PageViewRestriction.LOGIN)

    assert team.title not in page_text(client, standard)


def test_the_review_badge_stays_with_logged_in_staff(client, standard, worker_a):
    standard.next_review_date = timezone.localdate() - dt.timedelta(days=1)
    standard.save_revision().publish()
    staff = client.__class__()
    staff.force_login(worker_a)

    assert "Review overdue" not in page_text(client, standard)
    assert "Review overdue" in page_text(staff, standard)
    assert "Review overdue" not in page_text(client, standard)


@pytest.mark.danish
def test_each_language_has_its_own_content(client, standard, settings):
    assert "Who delivers the support" not in page_text(client, standard)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Who delivers the support" in page_text(client, standard)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda team: team.save(), id="page saved"),
        pytest.param(lambda team: team.delete(), id="page deleted"),
        pytest.param(
            lambda team: PageViewRestriction.objects.create(
                page=team, restriction_type=PageViewRestriction.LOGIN
            ),
            id="view restriction",
        ),
        pytest.param(lambda team: Site.objects.first().save(), id="site"),
        pytest.param(
            lambda team: get_document_model().objects.create(title="Pjece", file="pjece.pdf"),
            id="document",
        ),
    ],
)
def test_after_every_change_the_content_may_show_it_is_rendered_afresh(
    client, standard, team, change
):
    page_text(client, standard)  # kept

    change(team)

    with CaptureQueriesContext(connection) as after:
        page_text(client, standard)
    assert [q for q in after if "pages_standardredirect" in q["sql"]]


def test_without_a_change_it_is_not_rendered_afresh(client, standard):
    page_text(client, standard)

    with CaptureQueriesContext(connection) as again:
        page_text(client, standard)
    assert not [q for q in again if "pages_standardredirect" in q["sql"]]


def test_content_kept_in_a_transaction_that_read_before_a_change_committed_is_not_read(
    client, standard, team, django_capture_on_commit_callbacks
):
    """A request that rendered between the change and its commit kept the old content under
    the generation of that moment; the commit moves the generation on again."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        team.phone = "33 44 55 66"
        team.save_revision().publish()
    # The moment before the commit, as a concurrent request saw it: the old phone number,
    # kept under the generation then current.
    TeamPage.objects.filter(pk=team.pk).update(phone="70 10 20 31")
    assert "70 10 20 31" in page_text(client, standard)
    TeamPage.objects.filter(pk=team.pk).update(phone="33 44 55 66")

    for callback in callbacks:  # the commit
        callback()

    html = page_text(client, standard)
    assert "33 44 55 66" in html and "70 10 20 31" not in html


def test_in_production_a_change_made_by_another_process_shows_at_once(client, standard, team):
    """Production keeps the generation in the database cache, so a change saved through one
    gunicorn worker or app server is seen by every other one on its next request, though
    each keeps its rendered content in its own memory."""
    shared = {**settings.CACHES, "shared": settings.SHARED_CACHES["database"]}
    with override_settings(CACHES=shared):
        try:
            page_text(client, standard)  # kept in this process's memory
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {settings.SHARED_CACHE_TABLE}")  # noqa: S608
                assert cursor.fetchone() == (1,)  # the generation, in the database

            # Another process: its own cache handler, writing to the same table.
            other_process = CacheHandler(shared)["shared"]
            other_process.set("public-content-generation", "set-elsewhere", timeout=None)
            TeamPage.objects.filter(pk=team.pk).update(phone="33 44 55 66")

            html = page_text(client, standard)
            assert "33 44 55 66" in html and "70 10 20 31" not in html
        finally:
            caches["shared"].clear()
