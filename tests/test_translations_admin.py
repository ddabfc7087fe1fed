"""Editors and moderators meet no English in the Wagtail admin (locale_thirdparty/da).

Each screen an editor or moderator uses is fetched in Danish and must show no English
(tests/screen_language.py): no msgid that the merged Danish catalogue leaves untranslated,
and no English that a Wagtail template hard-codes instead of asking gettext
(``aria-label="Actions"``, a visually hidden ``value="Search"``), which our overrides in
templates/wagtailadmin/ replace. A Wagtail upgrade that adds strings fails here until
scripts/thirdparty_catalog.py has been run and the new strings translated.
"""

from pathlib import Path

import pytest
import wagtail
from django.contrib.auth import get_user_model
from django.utils.translation.trans_real import DjangoTranslation
from wagtail.models import GroupApprovalTask, Page, Workflow, WorkflowPage, WorkflowTask

from .screen_language import Catalogue, english_on_screen, read_msgids

pytestmark = pytest.mark.danish

WAGTAIL_DIR = Path(wagtail.__file__).parent


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        username="redaktionschef", email="redaktionschef@example.invalid", password="x"
    )


@pytest.fixture
def page_in_moderation(superuser):
    """A plain Wagtail page with two versions, submitted to a one-step approval workflow."""
    root = Page.get_first_root_node()
    page = root.add_child(instance=Page(title="Åbningstider i væresteder", slug="aabningstider"))
    page.save_revision(user=superuser)
    page.title = "Åbningstider i væresteder og herberger"
    revision = page.save_revision(user=superuser)
    workflow = Workflow.objects.create(name="Faglig godkendelse")
    task = GroupApprovalTask.objects.create(name="Godkendelse ved koordinator")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=page)
    workflow.start(page, superuser)
    page.refresh_from_db()
    return page, revision


SCREENS = {
    "dashboard": lambda page, revision: "/admin/",
    "explorer": lambda page, revision: "/admin/pages/",
    "explorer_root_children": lambda page, revision: f"/admin/pages/{page.get_parent().id}/",
    "explorer_empty_page": lambda page, revision: f"/admin/pages/{page.id}/",
    "page_editor": lambda page, revision: f"/admin/pages/{page.id}/edit/",
    "page_history": lambda page, revision: f"/admin/pages/{page.id}/history/",
    "revision_compare": lambda page, revision: (
        f"/admin/pages/{page.id}/revisions/compare/earliest...{revision.id}/"
    ),
    "workflow_history": lambda page, revision: f"/admin/pages/{page.id}/workflow_history/",
    "workflows": lambda page, revision: "/admin/workflows/list/",
    "workflow_tasks": lambda page, revision: "/admin/workflows/tasks/index/",
    "report_locked_pages": lambda page, revision: "/admin/reports/locked/",
    "report_workflows": lambda page, revision: "/admin/reports/workflow/",
    "report_workflow_tasks": lambda page, revision: "/admin/reports/workflow_tasks/",
    "report_site_history": lambda page, revision: "/admin/reports/site-history/",
    "report_aging_pages": lambda page, revision: "/admin/reports/aging-pages/",
    "account": lambda page, revision: "/admin/account/",
    "snippets": lambda page, revision: "/admin/snippets/",
    "images": lambda page, revision: "/admin/images/",
    "documents": lambda page, revision: "/admin/documents/",
    "collections": lambda page, revision: "/admin/collections/",
    "users": lambda page, revision: "/admin/users/",
    "groups": lambda page, revision: "/admin/groups/",
    "search": lambda page, revision: "/admin/pages/search/?q=x",
}


# --- tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("screen", SCREENS)
def test_admin_screen_shows_no_english(client, superuser, page_in_moderation, screen):
    page, revision = page_in_moderation
    client.force_login(superuser)

    # follow: the snippets index sends the user on when no snippet type is registered
    response = client.get(SCREENS[screen](page, revision), HTTP_ACCEPT_LANGUAGE="da", follow=True)

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "da"
    english = english_on_screen(response.content.decode())
    assert not english, f"English on {screen}: {english}"


def test_every_wagtail_admin_javascript_string_has_danish():
    # Wagtail's JavaScriptCatalog serves wagtail.admin's djangojs domain plus LOCALE_PATHS.
    catalog = DjangoTranslation(
        "da", domain="djangojs", localedirs=[str(WAGTAIL_DIR / "admin" / "locale")]
    )._catalog
    missing = [
        msgid
        for _, msgid, plural in read_msgids(WAGTAIL_DIR / "admin/locale/en/LC_MESSAGES/djangojs.po")
        if not (catalog.get((msgid, 0)) if plural is not None else catalog.get(msgid))
    ]
    assert not missing, f"Wagtail JavaScript strings without Danish: {missing}"


def test_untranslated_and_hard_coded_wagtail_text_is_found(db):
    wagtail_untranslated = "%(model_name)s '%(object)s' updated."

    assert english_on_screen('<nav aria-label="Actions"></nav>') == ["hard-coded: Actions"]
    assert english_on_screen('<input type="submit" value="Search">') == ["hard-coded: Search"]
    assert english_on_screen('<span class="w-sr-only">True</span>') == ["hard-coded: True"]
    assert english_on_screen('<div hidden>None</div><nav aria-label="Handlinger"></nav>') == []
    assert english_on_screen('<script type="application/json">{"label": "Actions"}</script>') == [
        "hard-coded: Actions"
    ]
    catalogue = Catalogue({wagtail_untranslated: None})
    assert catalogue.english_on("<p>Side 'Forside' updated.</p>") == [wagtail_untranslated]
    assert catalogue.english_on("<p>Side 'Forside' er opdateret.</p>") == []
