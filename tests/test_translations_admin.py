"""Editors and moderators meet no English in the Wagtail admin (locale_thirdparty/da).

Each screen an editor or moderator uses is fetched in Danish and must show no English
(tests/screen_language.py): no msgid that the merged Danish catalogue leaves untranslated,
and no English that a Wagtail template hard-codes instead of asking gettext
(``aria-label="Actions"``, a visually hidden ``value="Search"``), which our overrides in
templates/wagtailadmin/ replace. A Wagtail upgrade that adds strings fails here until
scripts/thirdparty_catalog.py has been run and the new strings translated.
"""

from pathlib import Path
from types import SimpleNamespace

import pytest
import wagtail
from django.contrib.auth import get_user_model
from django.utils.translation.trans_real import DjangoTranslation
from wagtail.models import (
    GroupApprovalTask,
    Page,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .factories import StaffMemberFactory, StandardPageFactory
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


@pytest.fixture
def content(page_in_moderation):
    """The objects the screens show: the page in moderation and our own content types."""
    page, revision = page_in_moderation
    standard = StandardPageFactory()
    return SimpleNamespace(
        page=page,
        revision=revision,
        task_state=TaskState.objects.get(
            workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS
        ),
        standard=standard,
        index=standard.get_parent(),
        staff_member=StaffMemberFactory(name="Sofie Holm"),
    )


SCREENS = {
    "dashboard": lambda c: "/admin/",
    "explorer": lambda c: "/admin/pages/",
    "explorer_root_children": lambda c: f"/admin/pages/{c.page.get_parent().id}/",
    "explorer_empty_page": lambda c: f"/admin/pages/{c.page.id}/",
    "explorer_standards": lambda c: f"/admin/pages/{c.index.id}/",
    "page_editor": lambda c: f"/admin/pages/{c.page.id}/edit/",
    "standard_editor": lambda c: f"/admin/pages/{c.standard.id}/edit/",
    "add_subpage": lambda c: f"/admin/pages/{c.index.id}/add_subpage/",
    "create_standard": lambda c: f"/admin/pages/add/pages/standardpage/{c.index.id}/",
    "page_history": lambda c: f"/admin/pages/{c.page.id}/history/",
    "revisions_compare": lambda c: (
        f"/admin/pages/{c.page.id}/revisions/compare/earliest...{c.revision.id}/"
    ),
    "revision_view": lambda c: f"/admin/pages/{c.page.id}/revisions/{c.revision.id}/view/",
    "workflow_history": lambda c: f"/admin/pages/{c.page.id}/workflow_history/",
    "workflow_approve": lambda c: (
        f"/admin/pages/workflow/action/{c.page.id}/approve/{c.task_state.id}/"
    ),
    "workflow_reject": lambda c: (
        f"/admin/pages/workflow/action/{c.page.id}/reject/{c.task_state.id}/"
    ),
    "move_page": lambda c: f"/admin/pages/{c.standard.id}/move/",
    "copy_page": lambda c: f"/admin/pages/{c.standard.id}/copy/",
    "unpublish_page": lambda c: f"/admin/pages/{c.standard.id}/unpublish/",
    "delete_page": lambda c: f"/admin/pages/{c.standard.id}/delete/",
    "page_privacy": lambda c: f"/admin/pages/{c.standard.id}/privacy/",
    "page_chooser": lambda c: f"/admin/choose-page/{c.index.id}/",
    "workflows": lambda c: "/admin/workflows/list/",
    "workflow_tasks": lambda c: "/admin/workflows/tasks/index/",
    "report_locked_pages": lambda c: "/admin/reports/locked/",
    "report_workflows": lambda c: "/admin/reports/workflow/",
    "report_workflow_tasks": lambda c: "/admin/reports/workflow_tasks/",
    "report_site_history": lambda c: "/admin/reports/site-history/",
    "report_aging_pages": lambda c: "/admin/reports/aging-pages/",
    "report_standards_review": lambda c: "/admin/reports/standards-review/",
    "account": lambda c: "/admin/account/",
    "snippets": lambda c: "/admin/snippets/",
    "staff_members": lambda c: "/admin/snippets/pages/staffmember/",
    "staff_member_editor": lambda c: f"/admin/snippets/pages/staffmember/edit/{c.staff_member.pk}/",
    "emergency_numbers": lambda c: "/admin/settings/pages/emergencynumbers/",
    "images": lambda c: "/admin/images/",
    "documents": lambda c: "/admin/documents/",
    "document_chooser": lambda c: "/admin/documents/chooser/",
    "collections": lambda c: "/admin/collections/",
    "users": lambda c: "/admin/users/",
    "groups": lambda c: "/admin/groups/",
    "search": lambda c: "/admin/pages/search/?q=x",
}
# What an editor and a moderator open every day, walked as them (the rest as a superuser).
ROLE_SCREENS = ["dashboard", "explorer_standards", "standard_editor", "workflow_history"]


def _screen_html(response):
    # Choosers and workflow-action modals answer with JSON holding the HTML.
    if response.headers["Content-Type"].startswith("application/json"):
        return response.json()["html"]
    return response.content.decode()


# --- tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("screen", SCREENS)
def test_admin_screen_shows_no_english(client, superuser, content, screen):
    client.force_login(superuser)

    # follow: the snippets index sends the user on when no snippet type is registered
    response = client.get(SCREENS[screen](content), HTTP_ACCEPT_LANGUAGE="da", follow=True)

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "da"
    english = english_on_screen(_screen_html(response))
    assert not english, f"English on {screen}: {english}"


@pytest.mark.parametrize("persona", ["editor", "moderator"])
def test_editor_and_moderator_screens_show_no_english(client, request, content, persona):
    client.force_login(request.getfixturevalue(persona))
    for screen in ROLE_SCREENS:
        response = client.get(SCREENS[screen](content), HTTP_ACCEPT_LANGUAGE="da")

        assert response.status_code == 200, screen
        english = english_on_screen(_screen_html(response))
        assert not english, f"English on {screen} for the {persona}: {english}"


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
