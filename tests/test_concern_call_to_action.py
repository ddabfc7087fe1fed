"""The public concern form is found: the front page, the contact directory, every § 99
standard and the outreach teams' pages link to it, with the acute numbers beside the link.

Not on a § 85 standard or the page of a team that delivers no § 99 standard (an outreach
team is one that delivers a published § 99 standard: TeamPage.is_outreach), and nowhere when
the form is missing, unpublished or closed to the visitor.
"""

import pytest
from bs4 import BeautifulSoup
from wagtail.models import PageViewRestriction, Site

from pages.models import ConcernFormPage, EmergencyNumbers

from .factories import (
    DepartmentPageFactory,
    StandardPageFactory,
    TeamPageFactory,
    directory,
    site_root,
)
from .test_pages_templates import ENGLISH, assert_accessible_structure

ACUTE_NUMBERS = ("112", "1813", "114")


@pytest.fixture
def concern_page(db):
    page = ConcernFormPage(title="Bekymret for en borger?", slug="bekymret")
    site_root().add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def outreach_team(db):
    department = DepartmentPageFactory(title="Sundhed og Omsorg")
    return TeamPageFactory(title="Udekørende team Nord", parent=department)


@pytest.fixture
def other_team(db):
    """A team that delivers only a § 85 standard: not an outreach team."""
    return TeamPageFactory(title="Bostøtteteamet")


@pytest.fixture
def standard_99(outreach_team):
    return StandardPageFactory(
        title="Kvalitetsstandard SKP (§ 99)",
        legal_basis_section="99",
        delivering_teams=[outreach_team],
    )


@pytest.fixture
def standard_85(other_team):
    return StandardPageFactory(
        title="Kvalitetsstandard for socialpædagogisk støtte (§ 85)",
        legal_basis_section="85",
        delivering_teams=[other_team],
    )


@pytest.fixture
def pages(concern_page, standard_99, standard_85, outreach_team, other_team):
    """Every public page kind the call to action is, or is not, on."""
    return {
        "front page": site_root(),
        "contact directory": directory(),
        "§ 99 standard": standard_99,
        "outreach team": outreach_team,
        "§ 85 standard": standard_85,
        "other team": other_team,
    }


WITH_CALL = ["front page", "contact directory", "§ 99 standard", "outreach team"]
WITHOUT_CALL = ["§ 85 standard", "other team"]


def call_to_action(client, page):
    response = client.get(page.url, **ENGLISH)
    assert response.status_code == 200
    soup = assert_accessible_structure(response.content.decode())
    return soup.select_one(".concern-cta")


@pytest.mark.parametrize("kind", WITH_CALL)
def test_the_page_links_to_the_concern_form_with_the_acute_numbers(
    client, pages, concern_page, kind
):
    cta = call_to_action(client, pages[kind])

    assert cta is not None, kind
    assert [a["href"] for a in cta.select("a.button")] == [concern_page.url]
    assert cta.find("h2").get_text(strip=True) == "Worried about a citizen?"
    assert {a["href"] for a in cta.select(".emergency-numbers a")} == {
        f"tel:{number}" for number in ACUTE_NUMBERS
    }


@pytest.mark.parametrize("kind", WITHOUT_CALL)
def test_a_section_85_standard_and_a_non_outreach_team_get_no_call_to_action(
    client, pages, concern_page, kind
):
    response = client.get(pages[kind].url, **ENGLISH)

    assert response.status_code == 200
    assert 'class="concern-cta"' not in response.content.decode()
    assert concern_page.url not in response.content.decode()


def test_a_team_delivering_both_a_section_85_and_a_section_99_standard_is_outreach(
    pages, outreach_team, other_team, standard_85
):
    standard_85.delivering_teams.add(outreach_team)

    assert outreach_team.is_outreach
    assert not other_team.is_outreach


def test_a_team_whose_section_99_standard_is_unpublished_is_not_outreach(
    client, pages, outreach_team, standard_99
):
    standard_99.unpublish()

    assert not outreach_team.is_outreach
    assert call_to_action(client, outreach_team) is None


@pytest.mark.parametrize("kind", WITH_CALL)
def test_no_link_when_the_concern_form_is_unpublished(client, pages, concern_page, kind):
    form_url = concern_page.url
    concern_page.unpublish()

    assert call_to_action(client, pages[kind]) is None
    assert f'href="{form_url}"' not in client.get(pages[kind].url).content.decode()


@pytest.mark.parametrize("kind", WITH_CALL)
def test_no_link_without_a_concern_form(client, pages, concern_page, kind):
    concern_page.delete()

    assert call_to_action(client, pages[kind]) is None


def test_no_link_for_visitors_a_private_concern_form_would_turn_away(client, pages, concern_page):
    PageViewRestriction.objects.create(
        page=concern_page, restriction_type=PageViewRestriction.LOGIN
    )

    assert call_to_action(client, pages["front page"]) is None


def test_unpublishing_the_form_hides_the_link_on_a_standard_kept_rendered(
    client, pages, concern_page
):
    standard = pages["§ 99 standard"]
    assert call_to_action(client, standard) is not None  # its content is now kept

    concern_page.unpublish()

    assert call_to_action(client, standard) is None


def test_the_numbers_beside_the_link_follow_the_site_setting(client, pages):
    numbers = EmergencyNumbers.for_site(Site.objects.get(is_default_site=True))
    numbers.medical_helpline = "1818"
    numbers.save()

    cta = call_to_action(client, pages["front page"])

    assert "tel:1818" in {a["href"] for a in cta.select(".emergency-numbers a")}


@pytest.mark.danish
def test_the_call_to_action_speaks_danish(client, pages):
    response = client.get(site_root().url)
    cta = BeautifulSoup(response.content.decode(), "html.parser").select_one(".concern-cta")
    text = " ".join(cta.get_text(" ").split())

    assert "Bekymret for en borger?" in text
    assert "Send en bekymringshenvendelse" in text
    for number, name in (("112", "Alarm"), ("1813", "Akuttelefonen"), ("114", "Politi")):
        assert f"{number} {name}" in text
