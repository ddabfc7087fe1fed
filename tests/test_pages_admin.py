"""Wagtail admin additions: review reminders, the review report and the staff directory."""

import csv
import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from pages.wagtail_hooks import add_standards_due_for_review_panel

from .factories import StaffMemberFactory, StandardPageFactory

pytestmark = pytest.mark.danish


def danish(msgid):
    """The text staff see for an English msgid (the site's language is Danish)."""
    with translation.override("da"):
        return translation.gettext(msgid)


@pytest.fixture
def standards(db):
    today = timezone.localdate()
    return {
        "overdue": StandardPageFactory(
            title="Forfalden standard", next_review_date=today - dt.timedelta(days=3)
        ),
        "soon": StandardPageFactory(
            title="Snart til revision", next_review_date=today + dt.timedelta(days=20)
        ),
        "fresh": StandardPageFactory(
            title="Nyrevideret standard", next_review_date=today + dt.timedelta(days=300)
        ),
        "undated": StandardPageFactory(title="Standard uden revisionsdato"),
    }


def test_dashboard_reminds_editors_of_overdue_and_near_reviews(client, editor, standards):
    client.force_login(editor)

    response = client.get(reverse("wagtailadmin_home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Forfalden standard" in html
    assert "Snart til revision" in html
    assert "Nyrevideret standard" not in html


def test_dashboard_panel_is_only_for_users_with_page_edit_rights(worker_a, leader):
    request = RequestFactory().get("/admin/")
    for user, expected in [(worker_a, 0), (leader, 1)]:
        request.user = user
        panels = []
        add_standards_due_for_review_panel(request, panels)
        assert len(panels) == expected


def test_review_report_lists_standards_by_review_date_and_marks_overdue(client, editor, standards):
    client.force_login(editor)

    response = client.get(reverse("standards_review_report"))

    assert response.status_code == 200
    listed = list(response.context["object_list"])
    assert [page.title for page in listed] == [
        "Forfalden standard",
        "Snart til revision",
        "Nyrevideret standard",
        "Standard uden revisionsdato",
    ]
    with translation.override("da"):
        statuses = [str(page.review_status) for page in listed]
    assert statuses == [
        danish("Overdue"),
        danish("Due soon"),
        danish("Not due"),
        danish("No review date"),
    ]


def test_review_report_exports_as_csv(client, editor, standards):
    client.force_login(editor)

    response = client.get(reverse("standards_review_report"), {"export": "csv"})

    assert response.status_code == 200
    rows = list(csv.reader(b"".join(response.streaming_content).decode().splitlines()))
    assert len(rows) == 5 and len(rows[0]) == 6
    today = timezone.localdate()
    overdue_on = str(today - dt.timedelta(days=3))
    assert rows[1][:3] == ["Forfalden standard", overdue_on, danish("Overdue")]
    assert rows[3][0] == "Nyrevideret standard" and rows[3][2] == danish("Not due")


def test_review_report_is_closed_to_staff_without_admin_access(client, worker_a):
    client.force_login(worker_a)

    response = client.get(reverse("standards_review_report"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))


def test_only_administrators_edit_the_staff_directory(client, administrator, editor):
    member = StaffMemberFactory(name="Anna Holm")
    edit_url = reverse("wagtailsnippets_pages_staffmember:edit", args=(member.pk,))
    add_url = reverse("wagtailsnippets_pages_staffmember:add")

    client.force_login(editor)
    assert client.get(add_url).url == reverse("wagtailadmin_home")
    assert client.get(edit_url).url == reverse("wagtailadmin_home")

    client.force_login(administrator)
    assert client.get(add_url).status_code == 200
    response = client.post(
        edit_url,
        {"name": "Anna Holm", "job_title": "Teamleder", "mobile": "20 30 40 50"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.job_title == "Teamleder"


def test_administrators_find_staff_in_the_directory_listing(client, administrator):
    StaffMemberFactory(name="Anna Holm")
    StaffMemberFactory(name="Bo Jensen")
    client.force_login(administrator)

    response = client.get(reverse("wagtailsnippets_pages_staffmember:list"), {"q": "Anna"})

    assert response.status_code == 200
    assert "Anna Holm" in response.content.decode()
    assert "Bo Jensen" not in response.content.decode()
