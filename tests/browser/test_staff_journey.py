"""A staff member's first minutes: log in, search the standard, read its deadline."""

import re

import pytest
from playwright.sync_api import expect

from workflows.demo.data import DEMO_PASSWORD

from ..factories import UserFactory

pytestmark = pytest.mark.browser

SKP_STANDARD = "Kvalitetsstandard for støtte- og kontaktperson (SKP), § 99"


def test_worker_finds_the_first_contact_deadline_through_search(demo_site, page, screenshot):
    page.goto("/konto/login/")
    screenshot(page, "1-login")
    page.locator("#id_username").fill("skp_nord_1")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/personale/$"))
    expect(page.locator("h1")).to_contain_text("Mette Kragelund")
    screenshot(page, "2-staff-home")

    page.locator("#home-search").fill("opsøgende")
    page.locator("#home-search").press("Enter")
    expect(page).to_have_url(re.compile(r"/sog/\?q="))
    result = page.locator(".search-results").get_by_role("link", name=SKP_STANDARD)
    expect(result).to_be_visible()
    screenshot(page, "3-search-results")

    result.click()
    expect(page).to_have_url(re.compile(r"/kvalitetsstandarder/stoette-og-kontaktperson/$"))
    expect(page.locator("h1")).to_have_text(SKP_STANDARD)
    # The rule the process enforces, and the section that explains it to citizens.
    expect(page.locator(".standard-rules")).to_contain_text(re.compile(r"\b7 (dage|days)\b"))
    expect(page.get_by_text("senest 7 dage efter, at henvendelsen er modtaget")).to_be_visible()
    screenshot(page, "4-standard")


def test_wrong_password_keeps_the_worker_on_the_login_page(transactional_db, page, screenshot):
    UserFactory(username="skp")
    page.goto("/konto/login/")
    page.locator("#id_username").fill("skp")
    page.locator("#id_password").fill("not-the-password")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/konto/login/"))
    expect(page.locator(".error-summary")).to_be_visible()
    screenshot(page, "wrong-password")


def test_public_visitor_finds_the_outreach_team_but_not_its_staff(demo_site, page, screenshot):
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Bækkeby Kommune")
    expect(page.locator("main")).to_contain_text("ring 112")
    screenshot(page, "1-home")

    page.locator("main").get_by_role("link", name="Kontakt").click()
    expect(page).to_have_url(re.compile(r"/kontakt/$"))
    expect(page.get_by_role("link", name="Alarm 112")).to_be_visible()
    screenshot(page, "2-directory")

    page.get_by_role("link", name="Sundhed og Omsorg").click()
    page.get_by_role("link", name="Udekørende team Nord").click()
    expect(page.locator("main")).to_contain_text("70 00 12 01")
    expect(page.locator("main")).not_to_contain_text("Mette Kragelund")
    screenshot(page, "3-team")
