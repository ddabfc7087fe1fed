"""Playwright against the live server, driving Debian's chromium (no browser downloads here)."""

import io
import os
import re
import shutil
from importlib import import_module
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS
from playwright.sync_api import expect, sync_playwright
from wagtail.models import Page

from workflows.demo.data import DEMO_PASSWORD

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# every ORM call the test makes next to it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("BROBYGGER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
seed_referral_sources = import_module("workflows.migrations.0002_seed_referral_sources").seed
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    """Run the browser tests last.

    Each one ends by emptying the database (transactional_db), Wagtail's root page
    included, which a later transactional test would miss; and they are the slowest.
    pytest-django's ordering by database use, applied before or after this, is stable.
    """
    browser = Path(__file__).parent
    items.sort(key=lambda item: browser in Path(item.path).parents)


@pytest.fixture(scope="session", autouse=True)
def _chromium_available():
    """Skip (fail, when CI is set) before any slow set-up if there is no chromium."""
    if Path(CHROMIUM).is_file() or shutil.which(CHROMIUM):
        return
    reason = f"chromium not found at {CHROMIUM} (install Debian's chromium package)"
    if os.environ.get("CI"):
        pytest.fail(f"The browser tests must run in CI: {reason}.")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page() opens a page in a browser context of its own, as on another machine.

    A journey with several users gives each one a page: their sessions stay apart.
    """
    contexts = []

    def open_page():
        context = browser.new_context(
            base_url=live_server.url,
            locale="da-DK",
            timezone_id="Europe/Copenhagen",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def logged_in(new_page):
    """logged_in("skp_nord_1") is a new page where that demo user has logged in."""

    def log_in(username, password=DEMO_PASSWORD):
        page = new_page()
        page.goto("/konto/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.locator("main form button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/konto/login/"))
        return page

    return log_in


# WCAG 2.1 A and AA: the accessibility the law asks of Danish public bodies' web pages.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_AXE = Axe()  # axe-core, as the package ships it (page.evaluate: our CSP allows no <script>)


def axe_violations(page):
    """axe-core's WCAG 2.1 A/AA violations on the page as it stands: [(rule, [targets])]."""
    results = _AXE.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
    ]


@pytest.fixture
def screenshot(request):
    """screenshot(page, "step") saves test-artifacts/screenshots/<test>-<step>.png, and
    fails the step if axe-core finds a WCAG 2.1 AA violation on our page (not in Wagtail's
    own admin, /admin/, which we do not write)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w-]+", "_", request.node.name)

    def take(page, step):
        path = SCREENSHOTS / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        if "/admin/" not in page.url:
            assert axe_violations(page) == [], f"{step}: {page.url}"
        return path

    return take


@pytest.fixture
def demo_site(transactional_db):
    """Bækkeby Kommune from `manage.py demo_data`, as a developer sees it after `./dev serve`."""
    # A serialized_rollback test before this one empties the database without sending
    # post_migrate; send it, so the set-up migrate makes (root page, roles) is back.
    if not Page.objects.filter(depth=1).exists():
        emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    # The flush after any transactional test also removes the referral sources a data
    # migration seeds: without them the demo referrals lose their source and intake has none.
    seed_referral_sources(django_apps, schema_editor=None)
    call_command("demo_data", force=True, stdout=io.StringIO())
