"""The leader's morning: the dashboard, a team's figures, a deadline list, the annual report."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from workflows.models import Case, Referral, Stage

pytestmark = [pytest.mark.browser, pytest.mark.danish]


def _stage_figures(page):
    """{stage: (count in the diagram, count in the table)} as the page shows them."""
    figures = {}
    for step in page.locator("svg.process-diagram g.step").all():
        stage = step.get_attribute("data-category")
        table_cell = page.locator(f"table[data-table=stages] td[data-category={stage}]")
        figures[stage] = (
            int(step.locator(".step-count").text_content()),
            int(table_cell.inner_text()),
        )
    return figures


def test_leader_reads_the_dashboard_a_deadline_list_and_the_status_report(
    demo_site, logged_in, screenshot
):
    leader = logged_in("leder")
    leader.goto("/ledelse/")
    expect(leader.locator("h1")).to_have_text("Ledelsesoversigt")
    expect(leader.get_by_role("heading", name="Hvor sagerne er")).to_be_visible()
    expect(leader.locator("table[data-table=stages] tbody tr")).to_have_count(len(Stage.choices))

    figures = _stage_figures(leader)
    assert set(figures) == set(Stage.values)
    assert all(diagram == table for diagram, table in figures.values()), figures
    triage_all = Case.objects.filter(stage=Stage.TRIAGE).count()
    assert triage_all >= 2  # one waiting in each outreach team's queue
    assert figures[Stage.TRIAGE] == (triage_all, triage_all)
    screenshot(leader, "1-dashboard")

    # Team Syd only: the figures follow the filter, and the period is the last twelve months.
    filters = leader.locator("form.leader-filters")
    filters.get_by_label("Team").select_option(label="Udekørende team Syd")
    filters.get_by_role("button", name="Vis").click()
    expect(leader).to_have_url(re.compile(r"/ledelse/\?.*team=\d+"))
    expect(leader.locator("main")).to_contain_text("Team: Udekørende team Syd.")
    expect(filters.get_by_label("Team")).to_have_value(re.compile(r"\d+"))
    syd = Case.objects.filter(team__title="Udekørende team Syd")
    figures = _stage_figures(leader)
    assert all(diagram == table for diagram, table in figures.values()), figures
    triage_syd = syd.filter(stage=Stage.TRIAGE).count()
    assert figures[Stage.TRIAGE] == (triage_syd, triage_syd)
    assert triage_syd < triage_all
    first_contact = leader.locator("[data-breach=first-contact]")
    overdue_syd = sum(1 for case in syd.open() if case.is_first_contact_overdue)
    assert overdue_syd >= 1  # the woman in staircase 7 has waited more than 7 days
    expect(first_contact.locator(".breach-count")).to_have_text(str(overdue_syd))
    screenshot(leader, "2-dashboard-team")

    # The leader is in no team: each breach is listed by team, step, time over the deadline
    # and case number, never with the person and never "nothing you may open".
    expect(first_contact).to_contain_text(
        f"{overdue_syd} tilhører teams, hvis sager du ikke må åbne: vist uden personoplysninger."
    )
    query, team = leader.url.split("?", 1)[1], filters.get_by_label("Team").input_value()
    first_contact.get_by_role("link", name="Åbn listen").click()
    expect(leader).to_have_url(re.compile(r"/ledelse/frister/first-contact/\?" + re.escape(query)))
    expect(leader.locator("h1")).to_have_text("Første kontakt forsinket")
    expect(filters.get_by_label("Team")).to_have_value(team)
    expect(leader.locator("main .lead")).to_contain_text(f"{overdue_syd} i alt.")
    rows = leader.locator("table.breach-list tbody tr")
    expect(rows).to_have_count(overdue_syd)
    expect(rows.first).to_contain_text("Udekørende team Syd")
    expect(rows.first).to_contain_text("Vises ikke")
    expect(rows.first).to_contain_text("Sag ")
    expect(leader.locator("table.breach-list tbody a")).to_have_count(0)
    expect(leader.locator("main")).not_to_contain_text("Kvinden fra opgang 7")
    screenshot(leader, "3-breaches")
    leader.get_by_role("link", name="Tilbage til oversigten").click()
    expect(leader).to_have_url(re.compile(r"/ledelse/\?.*team=\d+"))
    expect(leader.locator("main")).to_contain_text("Team: Udekørende team Syd.")

    # The annual status report for the year of the demo referrals, then as CSV for Excel.
    year = timezone.localtime(Referral.objects.latest("received_at").received_at).year
    referrals = Referral.objects.filter(received_at__year=year).count()
    report_form = leader.locator("section[aria-labelledby=report-heading] form")
    report_form.get_by_label("År").select_option(str(year))
    report_form.get_by_label("Format").select_option(label="Webside (udskriv til PDF)")
    report_form.get_by_role("button", name="Lav rapporten").click()
    expect(leader).to_have_url(re.compile(rf"/ledelse/statusrapport/\?year={year}"))
    expect(leader.locator("h1")).to_have_text(f"Statusrapport {year}")
    sources = leader.locator("[data-table=referrals_received] table")
    expect(sources.locator("caption")).to_contain_text("Modtagne henvendelser i løbet af året")
    expect(sources.locator("tr").filter(has_text="Alle henvendelser")).to_contain_text(
        str(referrals)
    )
    expect(sources.locator("tr").filter(has_text="Boligselskab")).to_be_visible()
    expect(leader.get_by_role("heading", name="Definitioner")).to_be_visible()
    screenshot(leader, "4-status-report")

    with leader.expect_download() as download_info:
        leader.get_by_role("link", name="Download som CSV (Excel)").click()
    download = download_info.value
    assert download.suggested_filename == f"statusrapport-{year}.csv"
    content = download.path().read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    text = content.decode("utf-8-sig")
    assert text.startswith(f"Statusrapport {year}")
    assert "Modtagne henvendelser i løbet af året" in text
    assert "Personer i kontakt fordelt på, hvor henvendelsen, der bragte dem ind, kom fra" in text
    assert f"Alle henvendelser;{referrals};" in text
    assert "Pårørende" in text and "Kriminalforsorgen" in text
