"""The administrator imports last year's register over the web: the upload is queued, the
page shows the import waiting, the real worker runs it, and the page turns into the result
by itself (issue 16, item 10)."""

import re

import pytest
from playwright.sync_api import expect

from workflows.models import Case, CaseImport, CaseImportStatus

from ..factories import run_background_jobs

pytestmark = [pytest.mark.browser, pytest.mark.danish]

HEADER = "sagsnummer;team;henvist_dato;afsluttet_dato;udfald;borger_nr;alias;foedselsaar"
ROWS = 1200


def register_file():
    lines = [
        f"H-{n};Udekørende team Nord;2023-01-10;2023-02-20;goal_reached;B-{n};Alias {n};1970"
        for n in range(1, ROWS + 1)
    ]
    return ("\ufeff" + "\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8")


def test_administrator_imports_a_register_and_the_page_follows_the_job(
    demo_site, logged_in, screenshot
):
    before = Case.objects.count()
    admin = logged_in("administrator")
    admin.goto("/ledelse/import/")
    expect(admin.locator("h1")).to_have_text("Importér historiske sager")

    admin.locator("#id_file").set_input_files(
        files=[{"name": "historik 2023.csv", "mimeType": "text/csv", "buffer": register_file()}]
    )
    admin.get_by_role("button", name="Importér").click()

    # Queued, not run by the request: the page shows the import waiting for the worker.
    expect(admin).to_have_url(re.compile(r"/ledelse/import/[0-9a-f-]{36}/$"))
    expect(admin.locator("h1")).to_have_text("Import af historiske sager")
    progress = admin.locator("progress#import-progress")
    expect(progress).to_have_attribute("value", "0")
    expect(admin.get_by_role("status")).to_have_text("Venter på at starte")
    assert Case.objects.count() == before
    screenshot(admin, "1-waiting")

    run_background_jobs()

    # The page asks for the job's state each second and shows the result once it is done,
    # without the administrator reloading it.
    expect(admin.locator("main")).to_contain_text("1.200 sager blev importeret.", timeout=10_000)
    expect(admin.locator("progress")).to_have_count(0)
    assert Case.objects.count() == before + ROWS
    job = CaseImport.objects.get()
    assert job.status == CaseImportStatus.DONE and bytes(job.data) == b""
    screenshot(admin, "2-result")

    # The upload page lists the import, so a closed tab is found again.
    admin.get_by_role("link", name="Tilbage til importen").click()
    latest = admin.get_by_role("region", name="Dine seneste importer")
    expect(latest.get_by_role("link", name="historik 2023.csv")).to_be_visible()
    expect(latest).to_contain_text("1.200 sager importeret")
    screenshot(admin, "3-upload-page")
