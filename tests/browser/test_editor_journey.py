"""An editor enters a quality standard that states no first-contact deadline; once the
moderator and the leader have approved it, its public page promises none."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from pages.models import StandardIndexPage, StandardPage

from ..test_moderation import current_task_state, workflow_action

pytestmark = [pytest.mark.browser, pytest.mark.danish]

TITLE = "Kvalitetsstandard for natcaféen, § 99"
TARGET_GROUP = "Voksne uden fast bopæl, som kommer i natcaféen."
APPROVAL_BODY = "Social- og Sundhedsudvalget"


def _add_block(editor, label):
    """Add a block to the standard's text with the stream's "+" and its block chooser."""
    option = editor.get_by_role("option", name=label)
    # A click while the admin's scripts are still setting the stream up opens nothing
    # (2 runs of 6 here): click again until the chooser shows.
    for _attempt in range(5):
        editor.locator("[data-contentpath=body] .c-sf-add-button").first.click()
        try:
            option.wait_for(state="visible", timeout=2000)
            break
        except PlaywrightTimeoutError:
            continue
    option.click()


def _approve(username, standard):
    """One reviewer's step of the approval workflow, over HTTP as tests/test_moderation.py
    takes it: no browser test drives Wagtail's workflow actions yet."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    response = workflow_action(client, standard, "approve", current_task_state(standard))
    assert response.status_code == 302


def test_a_standard_without_a_first_contact_deadline_promises_none(
    demo_site, logged_in, page, screenshot
):
    # 1. The editor adds a standard under the standards index in the Wagtail admin.
    editor = logged_in("redaktoer")
    editor.goto("/admin/")
    expect(editor).to_have_url(re.compile(r"/admin/$"))
    index = StandardIndexPage.objects.get()
    editor.goto(f"/admin/pages/{index.pk}/")
    editor.get_by_role("link", name="Tilføj underside").first.click()
    expect(editor).to_have_url(re.compile(rf"/admin/pages/add/pages/standardpage/{index.pk}/$"))

    editor.locator("#id_title").fill(TITLE)
    editor.locator("#id_approval_body").fill(APPROVAL_BODY)
    editor.locator("#id_approval_date").fill("2026-09-24")
    editor.locator("#id_approval_date").press("Escape")  # the date picker covers the rules
    # Working days without the number: a combination the standard cannot mean.
    rule = editor.locator("#id_first_contact_rule")
    rule.select_option(label="Inden for et antal arbejdsdage")
    editor.locator("#id_reassessment_rule").select_option(label="Én gang, efter et antal måneder")
    editor.locator("#id_reassessment_interval_months").fill("4")
    # The standard's text: a section of the usual kind "target group".
    _add_block(editor, "Afsnit med overskrift")
    editor.locator("#body-0-value-kind").select_option(label="Målgruppe")
    target_group = editor.locator("[data-contentpath=body] [contenteditable=true]").first
    target_group.press_sequentially(TARGET_GROUP)
    # Draftail saves its state to the form a moment after the last keystroke.
    expect(editor.locator("#body-0-value-text")).to_have_value(re.compile("natcaféen"))
    screenshot(editor, "1-bad-combination")
    editor.get_by_role("button", name="Gem kladde").click()

    expect(editor.locator("[data-contentpath=first_contact_deadline_days]")).to_contain_text(
        "Angiv det tal, kvalitetsstandarden giver for denne regel."
    )
    # Nothing the editor typed is lost.
    expect(editor.locator("#id_title")).to_have_value(TITLE)
    expect(rule).to_have_value("working_days")
    expect(target_group).to_have_text(TARGET_GROUP)
    screenshot(editor, "2-error")

    rule.select_option(label="Ingen angivet")
    editor.get_by_role("button", name="Flere handlinger").click()
    editor.get_by_role("button", name="Send til Godkendelse").click()
    expect(editor.locator(".messages")).to_contain_text(TITLE)
    standard = StandardPage.objects.get(title=TITLE)
    assert not standard.live
    screenshot(editor, "3-submitted")

    # 2. The moderator reviews, the leader approves, and the approval publishes it.
    _approve("moderator", standard)
    _approve("leder", standard)
    standard.refresh_from_db()
    assert standard.live
    assert (standard.first_contact_rule, standard.first_contact_deadline_days) == ("none", None)
    assert (standard.min_age, standard.max_age) == (None, None)

    # 3. A visitor reads it: no promise about first contact, the approval the editor entered.
    page.goto(standard.url)
    expect(page.locator("h1")).to_have_text(TITLE)
    rules = page.locator(".standard-rules")
    # The reassessment is its only rule: nothing about first contact, no age limit.
    expect(rules.locator("li")).to_have_text(["Støtten revurderes én gang, efter 4 måneder."])
    expect(rules).not_to_contain_text("kontakt")
    expect(page.locator("main")).not_to_contain_text("Første kontakt")
    expect(page.locator("main")).not_to_contain_text("inden for")
    approval = page.locator(".standard-approval")
    expect(approval).to_contain_text(APPROVAL_BODY)
    expect(approval).to_contain_text("24. september 2026")
    expect(page.locator("main")).to_contain_text(TARGET_GROUP)
    expect(page.locator(".standard-section h2")).to_have_text(["Målgruppe"])
    screenshot(page, "4-public")
