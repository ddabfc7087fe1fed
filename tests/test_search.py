"""Search: pages behind a view restriction never show to users who may not open them."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import PageViewRestriction

from intranet import roles

from .factories import (
    DepartmentPageFactory,
    PartnerPageFactory,
    StaffMemberFactory,
    StandardPageFactory,
    TeamPageFactory,
    section,
)

pytestmark = pytest.mark.django_db


def restrict(page, restriction_type, **kwargs):
    groups = kwargs.pop("groups", ())
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=restriction_type, **kwargs
    )
    restriction.groups.set(groups)
    return restriction


@pytest.fixture
def private_pages():
    """One page behind each kind of view restriction, each with a word of its own."""
    staff_only = DepartmentPageFactory(title="Intern stab")
    inside = TeamPageFactory(title="Natholdet", parent=staff_only)
    leaders_only = PartnerPageFactory(title="Ledelsesforum budget")
    password = StandardPageFactory(title="Hemmelig pilotstandard", slug="pilot")
    restrict(staff_only, PageViewRestriction.LOGIN)
    restrict(
        leaders_only,
        PageViewRestriction.GROUPS,
        groups=[Group.objects.get(name=roles.group_name(roles.LEADER))],
    )
    password_restriction = restrict(password, PageViewRestriction.PASSWORD, password="hemmelig")
    return {
        "staff_only": staff_only,
        "inside": inside,
        "leaders_only": leaders_only,
        "password": password,
        "password_restriction": password_restriction,
    }


def search(client, query):
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    pages = list(response.context["page_obj"] or [])
    return [page.title for page in pages], list(response.context["people"])


def test_anonymous_visitors_cannot_search(client):
    response = client.get(reverse("search"), {"q": "stab"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_search_finds_text_in_a_standards_sections(client, worker_a):
    StandardPageFactory(
        title="Kvalitetsstandard SKP",
        body=[section("<p>Brobygning til herberg.</p>", kind="purpose")],
    )
    client.force_login(worker_a)

    titles, _people = search(client, "brobygning")

    assert titles == ["Kvalitetsstandard SKP"]


def test_login_restricted_section_is_found_by_logged_in_staff(client, worker_a, private_pages):
    client.force_login(worker_a)

    assert search(client, "stab")[0] == ["Intern stab"]
    assert search(client, "natholdet")[0] == ["Natholdet"]


def test_group_restricted_page_is_hidden_from_other_groups(client, worker_a, private_pages):
    client.force_login(worker_a)

    assert search(client, "ledelsesforum")[0] == []


def test_group_restricted_page_is_found_by_its_group(client, leader, private_pages):
    client.force_login(leader)

    assert search(client, "ledelsesforum")[0] == ["Ledelsesforum budget"]


def test_password_protected_page_is_hidden_until_the_password_is_given(
    client, worker_a, private_pages
):
    client.force_login(worker_a)
    assert search(client, "pilotstandard")[0] == []

    session = client.session
    session[PageViewRestriction.passed_view_restrictions_session_key] = [
        private_pages["password_restriction"].pk
    ]
    session.save()

    assert search(client, "pilotstandard")[0] == ["Hemmelig pilotstandard"]


def test_unpublished_pages_and_drafts_are_not_found(client, worker_a):
    withdrawn = DepartmentPageFactory(title="Nedlagt afdeling")
    withdrawn.unpublish()
    standard = StandardPageFactory(title="Kvalitetsstandard SKP")
    standard.body = [section("<p>Udkastord i en kladde.</p>", kind="purpose")]
    standard.save_revision()
    client.force_login(worker_a)

    assert search(client, "nedlagt")[0] == []
    assert search(client, "udkastord")[0] == []


def test_staff_find_colleagues_with_their_mobile_numbers(client, worker_a, team_a):
    StaffMemberFactory(name="Birgitte Skov", mobile="20 30 40 50", teams=[team_a])
    client.force_login(worker_a)

    response = client.get(reverse("search"), {"q": "Birgitte"})

    assert [person.name for person in response.context["people"]] == ["Birgitte Skov"]
    assert "20 30 40 50" in response.content.decode()
    assert team_a.title in response.content.decode()


def test_empty_query_shows_only_the_form(client, worker_a):
    client.force_login(worker_a)

    response = client.get(reverse("search"), {"q": "  "})

    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert response.context["people"] == []
