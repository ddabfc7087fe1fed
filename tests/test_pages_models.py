"""Page models: the standard's validation and where each page type may live."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from pages.models import (
    ConcernFormPage,
    DepartmentPage,
    DirectoryPage,
    HomePage,
    PartnerPage,
    StandardIndexPage,
    StandardPage,
    TeamPage,
)

from .factories import StandardPageFactory, section, standard_index


def test_maximum_age_below_minimum_age_is_rejected_on_the_field(db):
    standard = StandardPageFactory.build(title="SKP", slug="skp", min_age=18, max_age=17)

    with pytest.raises(ValidationError) as error:
        standard.full_clean()

    assert error.value.message_dict["max_age"] == [
        "The maximum age must not be lower than the minimum age."
    ]


@pytest.mark.parametrize("days", [0, 91])
def test_first_contact_deadline_outside_1_to_90_days_is_rejected(db, days):
    standard = StandardPageFactory.build(title="SKP", slug="skp", first_contact_deadline_days=days)

    with pytest.raises(ValidationError) as error:
        standard.full_clean()

    assert "first_contact_deadline_days" in error.value.message_dict


@pytest.mark.parametrize(("min_age", "max_age"), [(18, None), (None, 65), (None, None)])
def test_an_age_range_open_at_either_end_or_both_is_valid(db, min_age, max_age):
    standard = StandardPageFactory.build(title="SKP", slug="skp", min_age=min_age, max_age=max_age)
    standard.full_clean(exclude=["path", "depth"])


@pytest.mark.parametrize(
    ("rule", "days", "hours", "field"),
    [
        ("calendar_days", None, None, "first_contact_deadline_days"),
        ("working_days", None, None, "first_contact_deadline_days"),
        ("hours", None, None, "first_contact_deadline_hours"),
        ("none", 7, None, "first_contact_deadline_days"),
        ("same_day", None, 4, "first_contact_deadline_hours"),
        ("asap", 3, None, "first_contact_deadline_days"),
        ("working_days", 5, 4, "first_contact_deadline_hours"),
    ],
)
def test_a_first_contact_rule_needs_its_number_and_no_other(db, rule, days, hours, field):
    standard = StandardPageFactory.build(
        title="SKP",
        slug="skp",
        first_contact_rule=rule,
        first_contact_deadline_days=days,
        first_contact_deadline_hours=hours,
    )

    with pytest.raises(ValidationError) as error:
        standard.full_clean(exclude=["path", "depth"])

    assert list(error.value.message_dict) == [field]


@pytest.mark.parametrize(
    ("rule", "days", "hours"),
    [("none", None, None), ("same_day", None, None), ("asap", None, None), ("hours", None, 4)],
)
def test_a_first_contact_rule_with_its_number_is_valid(db, rule, days, hours):
    StandardPageFactory.build(
        title="SKP",
        slug="skp",
        first_contact_rule=rule,
        first_contact_deadline_days=days,
        first_contact_deadline_hours=hours,
    ).full_clean(exclude=["path", "depth"])


@pytest.mark.parametrize(
    ("rule", "months"), [("once", None), ("every", None), ("about", None), ("none", 4)]
)
def test_a_reassessment_rule_needs_its_months_and_none_needs_none(db, rule, months):
    standard = StandardPageFactory.build(
        title="SKP", slug="skp", reassessment_rule=rule, reassessment_interval_months=months
    )

    with pytest.raises(ValidationError) as error:
        standard.full_clean(exclude=["path", "depth"])

    assert list(error.value.message_dict) == ["reassessment_interval_months"]


@pytest.mark.danish
def test_admin_form_answers_working_days_without_a_number_in_danish_and_keeps_the_input(
    client, editor
):
    index = standard_index()
    client.force_login(editor)
    data = nested_form_data(
        {
            "title": "SKP Vest",
            "slug": "skp-vest",
            "first_contact_rule": "working_days",
            "first_contact_deadline_days": "",
            "min_age": "",
            "max_age": "",
            "redirects": inline_formset([]),
            "contact_persons": inline_formset([]),
            "comments": inline_formset([]),
            "body": streamfield([section_form("target_group", "<p>Voksne</p>")]),
        }
    )

    response = client.post(
        reverse("wagtailadmin_pages:add", args=("pages", "standardpage", index.pk)),
        data,
        HTTP_ACCEPT_LANGUAGE="da",
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["first_contact_deadline_days"] == [
        "Angiv det tal, kvalitetsstandarden giver for denne regel."
    ]
    assert form["title"].value() == "SKP Vest"
    assert form["first_contact_rule"].value() == "working_days"
    assert not StandardPage.objects.exists()


def test_admin_form_shows_the_age_error_and_saves_nothing(client, editor):
    index = standard_index()
    client.force_login(editor)
    data = nested_form_data(
        {
            "title": "SKP",
            "slug": "skp",
            "first_contact_deadline_days": 0,
            "min_age": 18,
            "max_age": 16,
            "redirects": inline_formset([]),
            "contact_persons": inline_formset([]),
            "comments": inline_formset([]),
            "body": streamfield([section_form("target_group", "<p>Voksne</p>")]),
        }
    )

    response = client.post(
        reverse("wagtailadmin_pages:add", args=("pages", "standardpage", index.pk)), data
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "max_age" in errors
    assert "first_contact_deadline_days" in errors
    assert not StandardPage.objects.exists()


def section_form(kind, text, heading=""):
    """A section block as the admin form posts it."""
    return ("section", {"kind": kind, "heading": heading, "text": rich_text(text)})


def test_sections_lists_the_sections_with_text_in_the_editors_order(db):
    standard = StandardPageFactory.build(
        body=[
            {"type": "paragraph", "value": "<p>Indledning.</p>"},
            section("<p>Bygge bro.</p>", kind="purpose"),
            section("<p>Kun til voksne.</p>", heading="Kriterier"),
            section("", kind="complaints"),
            section("<p>Voksne.</p>", kind="target_group"),
        ]
    )

    assert [str(heading) for heading, _text in standard.sections] == [
        "purpose",
        "Kriterier",
        "target group",
    ]


def test_review_is_due_on_and_after_the_next_review_date(db):
    from django.utils import timezone

    today = timezone.localdate()
    assert StandardPage(next_review_date=today).is_due_for_review
    assert not StandardPage(next_review_date=today.replace(year=today.year + 1)).is_due_for_review
    assert not StandardPage(next_review_date=None).is_due_for_review


@pytest.mark.parametrize(
    ("model", "parents", "children"),
    [
        (HomePage, {Page}, {StandardIndexPage, DirectoryPage, ConcernFormPage}),
        (StandardIndexPage, {HomePage}, {StandardPage}),
        (StandardPage, {StandardIndexPage}, set()),
        (DirectoryPage, {HomePage}, {DepartmentPage, PartnerPage}),
        (DepartmentPage, {DirectoryPage}, {TeamPage}),
        (TeamPage, {DepartmentPage}, set()),
        (PartnerPage, {DirectoryPage}, set()),
    ],
)
def test_page_type_tree_rules(db, model, parents, children):
    assert set(model.allowed_parent_page_models()) == parents
    assert set(model.allowed_subpage_models()) == children


def test_a_standard_cannot_be_added_outside_the_list_of_standards(client, editor):
    index = standard_index()
    home = index.get_parent()
    client.force_login(editor)

    refused = client.get(reverse("wagtailadmin_pages:add", args=("pages", "standardpage", home.pk)))
    allowed = client.get(
        reverse("wagtailadmin_pages:add", args=("pages", "standardpage", index.pk))
    )

    assert refused.url == reverse("wagtailadmin_home")  # Wagtail's "permission denied"
    assert allowed.status_code == 200


def test_only_one_home_page(db):
    standard_index()  # creates the home page

    assert not HomePage.can_create_at(Page.objects.get(depth=1))
