"""The case page: what it shows of a case's timeline, consents, reassessments and forms, and
the reads it leaves out when the case has none of something or the user cannot work it."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from intranet.models import AccessLogEntry
from workflows import forms, services
from workflows.models import ConsentForm, ContactKind, GoalArea, Outcome, Reassessment, Stage
from workflows.services import TimelineEntry

from .factories import case_in_support, log_contact


@pytest.fixture
def case(client, coordinator_a, worker_a, team_a, skp_standard):
    case = case_in_support(client, coordinator_a, worker_a, team_a)
    client.force_login(worker_a)
    return case


def _page(client, case):
    response = client.get(reverse("workflows:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_consents_and_reassessments_shown_when_there_are_some(
    client, case, worker_a, family_department
):
    page = _page(client, case)
    assert "No consent recorded." in page
    assert 'id="reassessments-heading"' not in page

    services.consent_record(
        case=case,
        receiver=family_department,
        information="Bolig og økonomi",
        form=ConsentForm.WRITTEN,
        by=worker_a,
    )
    Reassessment.objects.create(
        case=case, decided_at=case.support_started_at, decided_by=worker_a, decision="continue"
    )
    page = _page(client, case)
    assert "No consent recorded." not in page
    assert "Familieafdelingen" in page and "Bolig og økonomi" in page
    assert 'id="reassessments-heading"' in page
    assert "Continue support for a new period" in page


def test_none_of_them_are_two_queries_fewer(client, case, worker_a, family_department):
    _page(client, case)
    with CaptureQueriesContext(connection) as without:
        _page(client, case)
    services.consent_record(
        case=case, receiver=family_department, information="x", form="oral", by=worker_a
    )
    Reassessment.objects.create(case=case)
    with CaptureQueriesContext(connection) as with_both:
        _page(client, case)
    assert len(with_both) == len(without) + 2


def test_forms_only_for_whoever_can_work_the_case(client, case):
    page = _page(client, case)
    for action in ("contact_add", "goal_add", "consent_add"):
        assert reverse(f"workflows:{action}", args=[case.pk]) in page

    case.stage, case.outcome = Stage.CLOSED, Outcome.GOAL_REACHED
    case.save()
    page = _page(client, case)
    for action in ("contact_add", "goal_add", "consent_add"):
        assert reverse(f"workflows:{action}", args=[case.pk]) not in page
    assert AccessLogEntry.objects.filter(case_id=case.pk, what="case").count() == 2


def _timeline(page):
    return re.search(r'<ol class="timeline">.*?</ol>', page, re.DOTALL).group()


def test_the_timeline_shows_each_kind_of_entry_with_typed_text_escaped_and_isolated(
    client, case, worker_a, family_department
):
    worker_a.first_name, worker_a.last_name = "Mette <K>", "& co"
    worker_a.save()
    log_contact(client, worker_a, case, achieved=False)
    services.goal_add(case=case, area=GoalArea.HOUSING, by=worker_a)
    family_department.title = 'Familie & "<co>"'
    family_department.save()
    services.consent_record(
        case=case,
        receiver=family_department,
        information="x",
        form=ConsentForm.ORAL,
        refused=True,
        by=worker_a,
    )

    timeline = _timeline(_page(client, case))

    for kind in ("task", "contact", "goal", "consent"):
        assert f'<li class="timeline-{kind}">' in timeline
    assert '<span class="badge">done</span>' in timeline  # triage and outreach
    assert '<span class="meta">Decision: <bdi>Accepted</bdi></span>' in timeline
    assert '<span class="meta">Decision: <bdi>Contact made</bdi></span>' in timeline
    assert f"<strong>Contact: <bdi>{ContactKind.PUBLIC_SPACE.label}</bdi></strong>" in timeline
    assert '<span class="badge">contact achieved</span>' in timeline
    assert '<span class="badge">attempt</span>' in timeline
    assert f"<strong>Goal: <bdi>{GoalArea.HOUSING.label}</bdi></strong>" in timeline
    # Typed text (a partner's title, a worker's name): escaped, and in <bdi>, where a
    # direction control in it cannot turn the line around.
    consent = "<strong>Consent: <bdi>Familie &amp; &#34;&lt;co&gt;&#34;</bdi></strong>"
    assert consent + '\n      <span class="badge danger">refused</span>' in timeline
    assert '<span class="meta"><bdi>Mette &lt;K&gt; &amp; co</bdi></span>' in timeline
    assert "<K>" not in timeline and "<co>" not in timeline


AT = datetime(2026, 3, 29, 0, 30, 5, tzinfo=UTC)  # the night summer time starts


@pytest.mark.parametrize(
    ("status", "badge"),
    [
        ("DONE", "done"),
        ("CANCELED", "cancelled"),
        ("SCHEDULED", "scheduled"),
        ("ASSIGNED", "assigned"),
        ("NEW", "open"),
    ],
)
def test_a_task_in_the_timeline_shows_its_state(status, badge):
    entry = TimelineEntry(at=AT, kind="task", title="Visitation", status=status)

    html = render_to_string("workflows/includes/timeline.html", {"timeline": [entry]})

    assert f'<span class="badge">{badge}</span>' in html
    assert "Decision" not in html and 'class="meta"' not in html  # no decision, nobody


@pytest.mark.danish
def test_the_timeline_in_danish_with_danish_times():
    with translation.override("da"):
        html = render_to_string(
            "workflows/includes/timeline.html",
            {"timeline": [TimelineEntry(at=AT, kind="contact", title="Telefon", status="")]},
        )
        empty = render_to_string("workflows/includes/timeline.html", {"timeline": []})

    assert '<time datetime="2026-03-29T01:30:05+01:00">29.03.2026 01:30</time>' in html
    assert "<strong>Kontakt: <bdi>Telefon</bdi></strong>" in html
    assert '<span class="badge">forsøg</span>' in html
    assert "Der er ikke sket noget endnu." in empty


def test_the_contact_forms_worker_list_is_read_by_one_plain_query(
    case, worker_a, django_assert_num_queries
):
    form = forms.ContactLogForm(case=case, user=worker_a)
    with django_assert_num_queries(1) as queries:
        html = str(form["worker"])
    assert "DECLARE" not in queries.captured_queries[0]["sql"]  # no server-side cursor
    assert f'<option value="{worker_a.pk}" selected>' in html


def test_a_reassessment_date_given_as_about_n_months_is_shown_as_a_reminder(client, case):
    assert "(a reminder)" not in _page(client, case)

    type(case).objects.filter(pk=case.pk).update(reassessment_is_reminder=True)

    assert "about this date (a reminder)" in _page(client, case)
