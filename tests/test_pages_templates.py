"""Every page type renders for its audience; internal details stay with logged-in staff."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.template import engines
from django.test import RequestFactory
from django.utils import translation
from wagtail.models import PageViewRestriction, Site

from pages.models import EmergencyNumbers, StandardRedirect

from .factories import (
    DepartmentPageFactory,
    PartnerPageFactory,
    StaffMemberFactory,
    StandardPageFactory,
    TeamPageFactory,
    directory,
    section,
    site_root,
    standard_index,
)

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def assert_accessible_structure(html):
    """One h1, no skipped heading levels, landmarks, no inline styles or scripts."""
    soup = BeautifulSoup(html, "html.parser")
    levels = [int(tag.name[1]) for tag in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
    assert levels.count(1) == 1
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert soup.find("main") and soup.find("header") and soup.find("footer")
    assert not soup.select("[style]")
    assert not [s for s in soup.find_all("script") if not s.get("src")]
    for field in soup.select("input:not([type=hidden]), select, textarea"):
        assert soup.find("label", attrs={"for": field.get("id")}), field
    return soup


@pytest.fixture
def team(db):
    team = TeamPageFactory(
        title="Udekørende team Nord",
        phone="70 10 20 31",
        email="nord@example.invalid",
        secure_email="nord.sikker@example.invalid",
        address="Bygaden 1\n2000 Frederiksberg",
        internal_notes="<p>Nøgleboks ved bagdøren.</p>",
    )
    StaffMemberFactory(
        name="Anna Holm", mobile="20 30 40 50", work_phone="70 10 20 99", teams=[team]
    )
    return team


@pytest.fixture
def standard(team):
    shelter = PartnerPageFactory(title="Herberget Lyset", kind="shelter")
    standard = StandardPageFactory(
        title="Kvalitetsstandard SKP",
        delivering_teams=[team],
        first_contact_deadline_days=7,
        reassessment_interval_months=4,
        approval_date=dt.date(2026, 1, 15),
        body=[section("<p>At bygge bro til etablerede tilbud.</p>", kind="purpose")],
    )
    standard.redirects = [StandardRedirect(reason="other_municipality", destination=shelter)]
    standard.save_revision().publish()
    return standard


def test_home_page_is_the_public_entrance(client, standard):
    home = site_root()
    home.intro = "<p>Velkommen til Brobygger.</p>"
    home.save_revision().publish()

    response = client.get("/", **ENGLISH)

    assert response.status_code == 200
    soup = assert_accessible_structure(response.content.decode())
    assert "Velkommen til Brobygger." in soup.text
    links = {a["href"] for a in soup.select("main a")}
    assert {standard_index().url, directory().url} <= links


def test_list_of_standards_links_each_published_standard(client, standard):
    draft = StandardPageFactory(title="Udkast til standard")
    draft.unpublish()

    response = client.get(standard_index().url, **ENGLISH)

    assert response.status_code == 200
    assert_accessible_structure(response.content.decode())
    assert standard.title in response.content.decode()
    assert draft.title not in response.content.decode()


def test_standard_page_states_its_rules_in_plain_words(client, standard, team):
    response = client.get(standard.url, **ENGLISH)

    assert response.status_code == 200
    soup = assert_accessible_structure(response.content.decode())
    text = " ".join(soup.text.split())
    assert "First contact within 7 days of the referral." in text
    assert "The support is reassessed every 4 months." in text
    assert "For people aged 18 to 65." in text
    assert "Social- og Sundhedsudvalget" in text
    assert "At bygge bro til etablerede tilbud." in text
    assert "Herberget Lyset" in text
    # The delivering team's public contact details come from the team page.
    assert team.phone in text and team.secure_email in text
    assert "Nøgleboks" not in text  # internal notes stay on the team page, for staff


def in_short(client, standard):
    """The sentences of the standard's "In short" box."""
    soup = BeautifulSoup(client.get(standard.url, **ENGLISH).content.decode(), "html.parser")
    box = soup.select_one(".standard-rules")
    return [" ".join(li.text.split()) for li in box.select("li")] if box else []


@pytest.mark.parametrize(
    ("min_age", "max_age", "sentence"),
    [
        (18, 65, "For people aged 18 to 65."),
        (18, None, "For people aged 18 or over."),
        (None, 65, "For people aged 65 or under."),
        (None, None, None),
    ],
)
def test_standard_page_states_exactly_the_age_limits_it_has(client, db, min_age, max_age, sentence):
    standard = StandardPageFactory(min_age=min_age, max_age=max_age)

    ages = [line for line in in_short(client, standard) if "aged" in line]

    assert ages == ([sentence] if sentence else [])


@pytest.mark.parametrize(
    ("rule", "days", "hours", "sentence"),
    [
        ("calendar_days", 1, None, "First contact within 1 day of the referral."),
        ("calendar_days", 7, None, "First contact within 7 days of the referral."),
        ("working_days", 3, None, "First contact within 3 working days of the referral."),
        ("hours", None, 48, "First contact within 48 hours of the referral."),
        ("same_day", None, None, "First contact the same day as the referral."),
        ("asap", None, None, "First contact as soon as possible after the referral."),
        ("none", None, None, None),
    ],
)
def test_standard_page_promises_exactly_the_first_contact_its_standard_states(
    client, db, rule, days, hours, sentence
):
    standard = StandardPageFactory(
        first_contact_rule=rule,
        first_contact_deadline_days=days,
        first_contact_deadline_hours=hours,
    )

    promises = [line for line in in_short(client, standard) if "contact" in line]

    assert promises == ([sentence] if sentence else [])


@pytest.mark.parametrize(
    ("rule", "months", "sentence"),
    [
        ("every", 1, "The support is reassessed every month."),
        ("every", 4, "The support is reassessed every 4 months."),
        ("once", 4, "The support is reassessed once, after 4 months."),
        ("about", 3, "The support is reassessed after about 3 months."),
        ("none", None, None),
    ],
)
def test_standard_page_states_exactly_which_reassessment_the_standard_sets(
    client, db, rule, months, sentence
):
    standard = StandardPageFactory(reassessment_rule=rule, reassessment_interval_months=months)

    lines = [line for line in in_short(client, standard) if "reassessed" in line]

    assert lines == ([sentence] if sentence else [])


def test_a_standard_stating_no_rule_has_no_in_short_box(client, db):
    standard = StandardPageFactory(
        first_contact_rule="none",
        first_contact_deadline_days=None,
        reassessment_interval_months=None,
        min_age=None,
        max_age=None,
    )

    response = client.get(standard.url, **ENGLISH)

    assert response.status_code == 200
    assert in_short(client, standard) == []
    assert "In short" not in response.content.decode()


@pytest.mark.parametrize(
    ("days", "sentence"),
    [
        (42, "The referral is decided within 6 weeks."),
        (7, "The referral is decided within 1 week."),
        (10, "The referral is decided within 10 days."),
        (None, None),
    ],
)
def test_standard_page_states_its_case_handling_deadline_apart_from_first_contact(
    client, db, days, sentence
):
    standard = StandardPageFactory(case_handling_deadline_days=days)

    lines = in_short(client, standard)

    assert [line for line in lines if "decided" in line] == ([sentence] if sentence else [])
    assert "First contact within 7 days of the referral." in lines


@pytest.mark.danish
def test_standard_page_dates_are_danish(client, standard):
    response = client.get(standard.url, HTTP_ACCEPT_LANGUAGE="da")

    assert "15. januar 2026" in response.content.decode()


def test_directory_lists_departments_and_partners_but_not_private_ones(client, team):
    PartnerPageFactory(title="Rusmiddelcentret", kind="addiction")
    hidden = DepartmentPageFactory(title="Intern stab")
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)

    response = client.get(directory().url, **ENGLISH)

    assert response.status_code == 200
    assert_accessible_structure(response.content.decode())
    html = response.content.decode()
    assert team.get_parent().title in html
    assert "Rusmiddelcentret" in html
    assert "Intern stab" not in html


def test_department_page_lists_its_teams(client, team):
    response = client.get(team.get_parent().url, **ENGLISH)

    assert response.status_code == 200
    assert_accessible_structure(response.content.decode())
    assert team.title in response.content.decode()


def test_team_page_shows_public_contact_details_to_everyone(client, team, standard):
    response = client.get(team.url, **ENGLISH)

    assert response.status_code == 200
    soup = assert_accessible_structure(response.content.decode())
    text = soup.text
    assert "70 10 20 31" in text and "nord@example.invalid" in text
    assert standard.title in text
    assert "20 30 40 50" not in text
    assert "Anna Holm" not in text
    assert "Nøgleboks" not in text


def test_team_page_shows_staff_and_internal_notes_to_logged_in_staff(client, team, worker_b):
    client.force_login(worker_b)

    response = client.get(team.url, **ENGLISH)

    assert response.status_code == 200
    text = assert_accessible_structure(response.content.decode()).text
    assert "Anna Holm" in text and "20 30 40 50" in text
    assert "Nøgleboks ved bagdøren." in text


def test_partner_page_renders_its_contact_details(client, db):
    partner = PartnerPageFactory(title="Akutmodtagelsen", kind="health", phone="1813")

    response = client.get(partner.url, **ENGLISH)

    assert response.status_code == 200
    text = assert_accessible_structure(response.content.decode()).text
    assert "1813" in text and "Health services and psychiatry" in text


def test_private_standard_asks_anonymous_visitors_to_log_in(client, standard, worker_a):
    PageViewRestriction.objects.create(page=standard, restriction_type=PageViewRestriction.LOGIN)

    anonymous = client.get(standard.url)
    client.force_login(worker_a)
    staff = client.get(standard.url)

    assert anonymous.status_code == 302
    assert staff.status_code == 200


def render_emergency_numbers():
    site_root()  # makes the default site
    request = RequestFactory().get("/")
    request.user = None
    template = engines["django"].from_string('{% include "includes/emergency_numbers.html" %}')
    return template.render({}, request)


def test_emergency_numbers_include_shows_the_numbers_and_notice(db):
    html = render_emergency_numbers()

    for number in ("112", "114", "1813"):
        assert f'href="tel:{number}"' in html
    assert "ikke et akuttilbud" in html


def test_emergency_numbers_follow_the_site_setting(db):
    site_root()
    numbers = EmergencyNumbers.for_site(Site.objects.get(is_default_site=True))
    numbers.medical_helpline = "1818"
    numbers.notice = "Ring 112 ved akut fare."
    numbers.save()

    html = render_emergency_numbers()

    assert 'href="tel:1818"' in html
    assert "Ring 112 ved akut fare." in html


def test_emergency_numbers_never_render_empty_without_the_setting():
    template = engines["django"].from_string('{% include "includes/emergency_numbers.html" %}')

    with translation.override("en"):
        html = template.render({})

    for number in ("112", "114", "1813"):
        assert f'href="tel:{number}"' in html
    assert "In acute danger to life or health, call 112." in html


def test_standard_page_queries_do_not_grow_with_its_redirects_and_links(
    client, standard, team, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(standard.url)  # caches of the first request (site, content types)
    link = f'<p>Kontakt <a linktype="page" id="{team.pk}">teamet</a>.</p>'
    standard.body = [section(link, kind="target_group")]
    standard.save_revision().publish()
    # Each count is of the first request after a publish: the content is rendered afresh.
    with CaptureQueriesContext(connection) as plain:
        client.get(standard.url)
    # Every block's links are looked up with the others': sections, own sections, paragraphs.
    standard.body = [
        {"type": "paragraph", "value": link},
        section(link, kind="target_group"),
        section(link, kind="activities"),
        section(link, heading="Kriterier"),
        {"type": "paragraph", "value": link},
        section(link, kind="follow_up"),
    ]
    for reason in ("acute", "under_age", "over_age"):
        partner = PartnerPageFactory(title=f"Partner {reason}", kind="other")
        standard.redirects.add(StandardRedirect(reason=reason, destination=partner))
    standard.save_revision().publish()

    with django_assert_max_num_queries(len(plain)):
        response = client.get(standard.url)

    assert response.content.decode().count(f'href="{team.url}"') >= 7  # 6 links, 1 heading
    assert "Partner over_age" in response.content.decode()


def test_standard_preview_shows_its_unsaved_teams_and_redirects(standard, team):
    other_team = TeamPageFactory(title="Udekørende team Syd")
    partner = PartnerPageFactory(title="Rusmiddelcentret", kind="addiction")
    standard.delivering_teams = [other_team]
    standard.redirects = [StandardRedirect(reason="substance_abuse", destination=partner)]

    html = standard.make_preview_request().render().content.decode()

    assert "Udekørende team Syd" in html and "Rusmiddelcentret" in html
    assert team.title not in html and "Herberget Lyset" not in html
