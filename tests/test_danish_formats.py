"""Staff screens write dates, times and numbers the Danish way (Django's "da" formats).

23. november 2026 · 23.11.2026 14:05 · 1.234 · 6,5
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from workflows.reporting import dashboard as figures

from .factories import StandardPageFactory, register_case

pytestmark = pytest.mark.danish

AT = datetime(2026, 11, 23, 14, 5, tzinfo=ZoneInfo("Europe/Copenhagen"))


def test_the_case_page_shows_times_as_day_month_year_hours_minutes(
    client, skp_standard, team_a, coordinator_a, table_owner
):
    # At a moved clock only the owner of the table may write the log (migration 0007).
    with table_owner(), time_machine.travel(AT, tick=False):
        case = register_case(team=team_a, registered_by=coordinator_a)
        client.force_login(coordinator_a)

        html = client.get(reverse("workflows:case_detail", args=[case.pk])).content.decode()

    assert ">23.11.2026 14:05<" in html  # when the referral came in, in the timeline
    assert "30.11.2026" in html  # first contact due: 7 days, a short date
    assert "11/23/2026" not in html and "2:05 p.m." not in html


def test_a_standard_shows_its_dates_in_words(client, worker_a):
    standard = StandardPageFactory(approval_date=AT.date(), next_review_date=AT.date())
    client.force_login(worker_a)

    html = client.get(standard.url).content.decode()

    assert html.count("23. november 2026") == 2
    assert "November 23, 2026" not in html


def test_the_leader_dashboard_groups_thousands_and_names_months_in_danish(
    client, leader, monkeypatch
):
    counted = figures.dashboard

    def with_a_busy_stage(scope, user):
        data = counted(scope, user=user)
        data["stages"][0]["count"] = 1234
        return data

    monkeypatch.setattr(figures, "dashboard", with_a_busy_stage)
    client.force_login(leader)

    html = client.get(reverse("leader:dashboard"), {"date_from": "01.01.2025"}).content.decode()

    assert ">1.234<" in html and ">1234<" not in html
    assert ">januar 2025<" in html  # the month rows of the flow table
    assert "01.01.2025" in html  # the period
