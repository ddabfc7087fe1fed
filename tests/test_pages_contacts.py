"""Responsibility and contacts: several responsible departments, named contact persons who
are public only when their directory entry says so, and a team's capacity and hours as data."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation
from wagtail.models import Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from pages.models import (
    StaffMember,
    StandardContactPerson,
    StandardPage,
    TeamOpeningHours,
    TeamPage,
)
from pages.rules import rules_of_revision

from .factories import (
    DepartmentPageFactory,
    StaffMemberFactory,
    StandardPageFactory,
    TeamPageFactory,
    standard_index,
)

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
DANISH = {"HTTP_ACCEPT_LANGUAGE": "da"}


def text_of(client, page, **headers):
    response = client.get(page.url, **(headers or ENGLISH))
    assert response.status_code == 200
    return " ".join(
        BeautifulSoup(response.content.decode(), "html.parser").find("main").text.split()
    )


@pytest.fixture
def team(db):
    return TeamPageFactory(title="Udekørende team Nord", phone="70 10 20 31")


@pytest.fixture
def public_person(team):
    return StaffMemberFactory(
        name="Birgitte Holmskov",
        job_title="Koordinator",
        work_phone="70 00 99 03",
        mobile="20 00 99 03",
        email="birgitte@example.invalid",
        is_public=True,
        teams=[team],
    )


@pytest.fixture
def private_person(team):
    return StaffMemberFactory(
        name="Jonas Bækgaard",
        work_phone="70 00 99 02",
        mobile="20 00 99 02",
        email="jonas@example.invalid",
        teams=[team],
    )


def name_contacts(standard, *people):
    standard.contact_persons = [StandardContactPerson(person=person) for person in people]
    standard.save_revision().publish()
    standard.refresh_from_db()


@pytest.fixture
def standard(team, public_person, private_person):
    standard = StandardPageFactory(title="Kvalitetsstandard SKP", delivering_teams=[team])
    name_contacts(standard, private_person, public_person)
    return standard


# --- Several responsible departments -------------------------------------------------------


def test_a_standard_shows_each_responsible_department_by_title(client, db):
    health = DepartmentPageFactory(title="Sundhed og Omsorg")
    employment = DepartmentPageFactory(title="Beskæftigelse")
    standard = StandardPageFactory()
    standard.responsible_departments = [health, employment]
    standard.save_revision().publish()

    html = client.get(standard.url, **ENGLISH).content.decode()
    facts = BeautifulSoup(html, "html.parser").select_one(".standard-responsibility")

    assert facts.dt.text == "Responsible departments"
    links = [(a.text, a["href"]) for a in facts.select("dd a")]
    assert links == [("Beskæftigelse", employment.url), ("Sundhed og Omsorg", health.url)]


def test_a_standard_without_departments_shows_no_responsibility_line(client, db):
    standard = StandardPageFactory()

    assert "Responsible department" not in client.get(standard.url, **ENGLISH).content.decode()


def test_an_old_revision_naming_one_department_still_loads(db):
    """A revision saved before the change holds `responsible_department`: it is read as
    before (pages/rules.py reads revisions with from_serializable_data)."""
    department = DepartmentPageFactory()
    standard = StandardPageFactory(first_contact_deadline_days=5)
    revision = standard.live_revision
    content = revision.content
    content.pop("responsible_departments")
    content["responsible_department"] = department.pk
    Revision.objects.filter(pk=revision.pk).update(content=content)

    rules = rules_of_revision(revision.pk)

    assert rules.first_contact_deadline_days == 5
    assert Revision.objects.get(pk=revision.pk).as_object().title == standard.title


# serialized_rollback, as every committing test here: a plain flush afterwards runs the
# post-migrate hooks, which make a default locale the next test's restored one collides with.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_moves_the_one_department_into_the_several_and_back(table_owner):
    """Migration 0013, both ways: the page and its revisions keep their department."""
    health = DepartmentPageFactory(title="Sundhed og Omsorg")
    employment = DepartmentPageFactory(title="Beskæftigelse")
    standard = StandardPageFactory()
    standard.responsible_departments = [health, employment]
    standard.save_revision().publish()
    revision_id = StandardPage.objects.get(pk=standard.pk).live_revision_id
    before, latest = ("pages", "0010_standard_legal_basis_section"), None

    try:
        with table_owner():
            executor = MigrationExecutor(connection)
            latest = executor.loader.graph.leaf_nodes()
            executor.migrate([before])
            old = MigrationExecutor(connection).loader.project_state([before]).apps
            old_standard = old.get_model("pages", "StandardPage").objects.get(pk=standard.pk)
            old_content = old.get_model("wagtailcore", "Revision").objects.get(pk=revision_id)
            # Back to one department: the first by title.
            assert old_standard.responsible_department_id == employment.pk
            assert old_content.content["responsible_department"] == employment.pk
            assert "responsible_departments" not in old_content.content

            MigrationExecutor(connection).migrate(latest)
            latest = None
    finally:
        if latest is not None:  # never leave the test database behind the models
            with table_owner():
                MigrationExecutor(connection).migrate(latest)

    standard = StandardPage.objects.get(pk=standard.pk)
    assert list(standard.responsible_departments.all()) == [employment]
    from_revision = Revision.objects.get(pk=revision_id).as_object()
    assert list(from_revision.responsible_departments.all()) == [employment]
    assert "responsible_department" not in Revision.objects.get(pk=revision_id).content


# --- Contact persons: public only when the directory says so ------------------------------


def test_staff_are_private_by_default(db):
    assert StaffMember().is_public is False
    assert StaffMember._meta.get_field("is_public").default is False


def test_the_standard_shows_only_its_public_contact_persons_to_everyone(client, standard, worker_a):
    anonymous = text_of(client, standard)
    client.force_login(worker_a)
    staff = text_of(client, standard)

    for text in (anonymous, staff):  # the kept content is the same for every visitor
        assert "Birgitte Holmskov" in text and "Koordinator" in text
        assert "70 00 99 03" in text and "birgitte@example.invalid" in text
        assert "20 00 99 03" not in text  # the mobile is never public
        assert "Jonas Bækgaard" not in text and "70 00 99 02" not in text
        assert "jonas@example.invalid" not in text


def test_contact_persons_are_shown_in_the_editors_order(client, standard, team, public_person):
    other = StaffMemberFactory(name="Ahmad Lindvig", is_public=True, teams=[team])
    name_contacts(standard, public_person, other)

    text = text_of(client, standard)

    assert text.index("Birgitte Holmskov") < text.index("Ahmad Lindvig")


def test_the_team_page_shows_its_public_members_to_anonymous_visitors_only(client, standard, team):
    text = text_of(client, team)

    assert "Contact persons" in text
    assert "Birgitte Holmskov" in text and "70 00 99 03" in text
    assert "20 00 99 03" not in text
    assert "Jonas Bækgaard" not in text and "70 00 99 02" not in text
    assert "20 00 99 02" not in text


def test_logged_in_staff_see_every_member_of_the_team_as_before(client, standard, team, worker_b):
    client.force_login(worker_b)

    text = text_of(client, team)

    assert "Jonas Bækgaard" in text and "20 00 99 02" in text
    assert "Birgitte Holmskov" in text and "20 00 99 03" in text


def test_a_team_with_no_public_member_has_no_contact_persons_section(client, private_person):
    team = private_person.teams.get()

    assert "Contact persons" not in text_of(client, team)


def test_a_contact_person_made_private_leaves_the_kept_standard_at_once(
    client, standard, public_person
):
    assert "Birgitte Holmskov" in text_of(client, standard)  # now kept rendered

    public_person.is_public = False
    public_person.save()

    assert "Birgitte Holmskov" not in text_of(client, standard)


def test_a_contact_person_s_new_phone_and_a_newly_public_one_show_at_once(
    client, standard, public_person, private_person
):
    text_of(client, standard)

    public_person.work_phone = "70 00 99 33"
    public_person.save()
    private_person.is_public = True
    private_person.save()

    text = text_of(client, standard)
    assert "70 00 99 33" in text and "70 00 99 03" not in text
    assert "Jonas Bækgaard" in text


def test_a_deleted_directory_entry_leaves_the_standard_and_its_revision(
    client, standard, public_person
):
    text_of(client, standard)

    public_person.delete()

    assert "Birgitte Holmskov" not in text_of(client, standard)
    assert standard.live_revision.as_object().public_contact_persons() == []


def test_an_editor_names_a_contact_person_in_the_standards_editor(client, editor, public_person):
    index = standard_index()
    client.force_login(editor)
    data = nested_form_data(
        {
            "title": "SKP",
            "slug": "skp",
            "legal_basis_section": "99",
            "first_contact_rule": "calendar_days",
            "first_contact_deadline_days": 7,
            "reassessment_rule": "none",
            "target_group": rich_text("<p>Voksne</p>"),
            "redirects": inline_formset([]),
            "contact_persons": inline_formset([{"person": public_person.pk}]),
            "comments": inline_formset([]),
            "body": streamfield([]),
        }
    )

    response = client.post(
        reverse("wagtailadmin_pages:add", args=("pages", "standardpage", index.pk)), data
    )

    assert response.status_code == 302, response.context["form"].errors
    draft = StandardPage.objects.get(slug="skp").get_latest_revision_as_object()
    assert draft.public_contact_persons() == [public_person]


# --- A team's capacity and opening hours ----------------------------------------------------


def test_a_capacity_range_whose_highest_is_below_its_lowest_is_refused_on_the_field(team):
    team.capacity_min, team.capacity_max = 60, 40

    with pytest.raises(ValidationError) as error:
        team.full_clean()

    assert error.value.message_dict["capacity_max"] == [
        "The highest number must not be lower than the lowest."
    ]


@pytest.mark.parametrize(
    ("low", "high"), [(40, 60), (50, 50), (40, None), (None, 60), (None, None)]
)
def test_a_capacity_may_be_one_number_a_range_or_open_at_either_end(team, low, high):
    team.capacity_min, team.capacity_max = low, high
    team.full_clean()


def hours(first_day, last_day, opens, closes, team=None):
    return TeamOpeningHours(
        team=team,
        first_day=first_day,
        last_day=last_day,
        opens=dt.time.fromisoformat(opens),
        closes=dt.time.fromisoformat(closes),
    )


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (
            hours(0, 3, "15:30", "08:00"),
            "closes",
            "The closing time must be later than the opening time.",
        ),
        (
            hours(0, None, "08:00", "08:00"),
            "closes",
            "The closing time must be later than the opening time.",
        ),
        (
            hours(4, 0, "08:00", "15:00"),
            "last_day",
            "The last weekday cannot come before the first.",
        ),
    ],
)
def test_opening_hours_that_close_before_they_open_or_end_before_they_begin_are_refused(
    team, row, field, message
):
    row.team = team

    with pytest.raises(ValidationError) as error:
        row.full_clean(exclude=["sort_order"])

    assert error.value.message_dict == {field: [message]}


@pytest.mark.danish
def test_the_capacity_error_is_danish(team):
    team.capacity_min, team.capacity_max = 60, 40

    with translation.override("da"), pytest.raises(ValidationError) as error:
        team.full_clean()

    assert error.value.message_dict["capacity_max"] == [
        "Det højeste antal må ikke være lavere end det laveste."
    ]


@pytest.mark.danish
def test_the_team_editor_refuses_closing_before_opening_in_danish(client, administrator, team):
    client.force_login(administrator)
    data = nested_form_data(
        {
            "title": team.title,
            "slug": team.slug,
            "phone": team.phone,
            "description": rich_text(""),
            "internal_notes": rich_text(""),
            "hours": inline_formset(
                [{"first_day": 0, "last_day": 3, "opens": "15:30", "closes": "08:00"}]
            ),
            "comments": inline_formset([]),
        }
    )

    response = client.post(reverse("wagtailadmin_pages:edit", args=(team.pk,)), data, **DANISH)

    assert response.status_code == 200
    hours_forms = response.context["form"].formsets["hours"].forms
    assert hours_forms[0].errors["closes"] == ["Lukketiden skal ligge efter åbningstiden."]
    assert not TeamOpeningHours.objects.exists()


@pytest.fixture
def open_team(team):
    team.hours = [hours(0, 3, "07:00", "19:00"), hours(4, None, "07:00", "15:30")]
    team.opening_hours = "Lukket på helligdage."
    team.capacity_min, team.capacity_max = 40, 60
    team.save_revision().publish()
    return TeamPage.objects.get(pk=team.pk)


def test_the_team_page_states_its_hours_and_capacity(client, open_team):
    text = text_of(client, open_team)

    assert "Capacity 40–60 citizens" in text
    assert "Monday–Thursday 7:00–19:00" in text
    assert "Friday 7:00–15:30" in text
    assert "Lukket på helligdage." in text


@pytest.mark.danish
def test_the_team_page_states_its_hours_and_capacity_in_danish(client, open_team):
    text = text_of(client, open_team, **DANISH)

    assert "Kapacitet 40–60 borgere" in text
    assert "Mandag–torsdag kl. 7.00–19.00" in text
    assert "Fredag kl. 7.00–15.30" in text


@pytest.mark.parametrize(
    ("low", "high", "words"),
    [
        (50, 50, "Capacity 50 citizens"),
        (1, 1, "Capacity 1 citizen"),
        (40, None, "Capacity at least 40 citizens"),
        (None, 60, "Capacity up to 60 citizens"),
    ],
)
def test_the_team_page_states_exactly_the_capacity_given(client, team, low, high, words):
    team.capacity_min, team.capacity_max = low, high
    team.save_revision().publish()

    assert words in text_of(client, team)


def test_a_team_without_capacity_or_hours_states_neither(client, team):
    text = text_of(client, team)

    assert "Capacity" not in text and "Opening hours" not in text


@pytest.mark.danish
def test_the_standard_shows_its_delivering_teams_hours_in_danish(client, open_team):
    standard = StandardPageFactory(delivering_teams=[open_team])

    text = text_of(client, standard, **DANISH)

    assert "Mandag–torsdag kl. 7.00–19.00" in text and "Fredag kl. 7.00–15.30" in text


def test_a_team_s_new_hours_show_on_the_kept_standard_at_once(client, open_team):
    standard = StandardPageFactory(delivering_teams=[open_team])
    assert "Friday 7:00–15:30" in text_of(client, standard)

    open_team.hours = [hours(4, None, "08:00", "14:00")]
    open_team.save_revision().publish()

    text = text_of(client, standard)
    assert "Friday 8:00–14:00" in text and "Friday 7:00–15:30" not in text


def test_a_preview_shows_its_unsaved_departments_and_contact_persons(standard, team):
    department = DepartmentPageFactory(title="Myndighed")
    other = StaffMemberFactory(name="Ahmad Lindvig", is_public=True, teams=[team])
    standard.responsible_departments = [department]
    standard.contact_persons = [StandardContactPerson(person=other)]

    html = standard.make_preview_request().render().content.decode()

    assert "Myndighed" in html and "Ahmad Lindvig" in html
    assert "Birgitte Holmskov" not in html
