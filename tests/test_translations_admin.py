"""Editors and moderators meet no English in the Wagtail admin (locale_thirdparty/da).

Each screen an editor or moderator uses is fetched in Danish; its visible text (text nodes,
the title/placeholder/aria-label/alt attributes and the labels of Wagtail's JSON props) must
not contain any English msgid from Wagtail's catalogues that the merged Danish catalogue
leaves untranslated. The msgids come from Wagtail's own English catalogues, so a Wagtail
upgrade that adds strings fails here until scripts/thirdparty_catalog.py has been run and
the new strings translated.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import wagtail
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation.trans_real import DjangoTranslation
from wagtail.models import GroupApprovalTask, Page, Workflow, WorkflowPage, WorkflowTask

pytestmark = pytest.mark.danish

WAGTAIL_DIR = Path(wagtail.__file__).parent

# Msgids whose Danish is the same word: they translate to themselves on purpose, so seeing
# them on a Danish screen is not a missing translation.
IDENTICAL_IN_DANISH = {
    "Admin",
    "Administrator",
    "Alias",
    "Download CSV",
    "Download XLSX",
    "Format",
    "Link",
    "Minimum",
    "Permanent",
    "permanent",
    "Snippets",  # our term: "snippet(s)", see docs/glossary.md
    "Wagtail snippets",
    "Status",
    "status",
    "Status: ",
    "Status %(status)s",
    "System",
    "system",
    "Token",
    "Type",
    "Upload",
    "slug",
    "tags",
    "port",
    "Wagtail API v2",
    "Wagtail API v3",
    "Wagtail sitemaps",
}
MIN_LENGTH = 4  # shorter msgids ("All", "ID", "Tag"…) match too much Danish text by chance
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\w*\}")
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
JSON_LABEL_KEYS = {"label", "title", "text", "placeholder", "help_text", "helpText", "heading"}


# --- Wagtail's msgids -------------------------------------------------------------------


def _unquote(text):
    return text.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def read_msgids(path):
    """Yield (msgctxt, msgid, msgid_plural) from a .po file."""
    entry, field = {}, None
    for line in [*Path(path).read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry.get("msgid"):
                yield entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural")
            entry, field = {}, None
        elif line.startswith('"') and field:
            entry[field] += _unquote(line)
        elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ")):
            field, _, value = line.partition(" ")
            entry[field] = _unquote(value)
        elif not line.startswith("#"):
            field = None  # msgstr lines


def untranslated_msgids():
    """Wagtail msgids that come out in English under Danish, as (English text, pattern)."""
    found = {}
    with translation.override("da"):
        for po in WAGTAIL_DIR.glob("**/locale/en/LC_MESSAGES/django.po"):
            for context, msgid, plural in read_msgids(po):
                if plural is not None:
                    pairs = [
                        (msgid, ngettext(msgid, plural, 1)),
                        (plural, ngettext(msgid, plural, 2)),
                    ]
                elif context is not None:
                    pairs = [(msgid, pgettext(context, msgid))]
                else:
                    pairs = [(msgid, gettext(msgid))]
                for english, danish in pairs:
                    if english == danish and english not in IDENTICAL_IN_DANISH:
                        pattern = _phrase_pattern(english)
                        if pattern:
                            found[english] = pattern
    return found


def _phrase_pattern(msgid):
    """A regex matching the msgid as a whole phrase of visible text, or None if too short."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", msgid)).strip()
    pieces = PLACEHOLDER.split(text)
    if sum(len(piece.strip()) for piece in pieces) < MIN_LENGTH:
        return None
    # A placeholder inside the phrase may be any text; one at either end a single token, or
    # "%(count)s pages" would match every English "… pages".
    body = re.escape(pieces[0])
    for index, piece in enumerate(pieces[1:], start=1):
        at_edge = (index == 1 and not pieces[0]) or (index == len(pieces) - 1 and not piece)
        body += (r"\S+" if at_edge else r".+?") + re.escape(piece)
    return re.compile(rf"(?<!\w){body}(?!\w)")


# --- what a screen shows ------------------------------------------------------------------


class VisibleText(HTMLParser):
    """Collect the text a user can read: text nodes, tooltip-like attributes, JSON labels."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.segments = []
        self._skip = None
        self._json = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name in VISIBLE_ATTRIBUTES and value:
                self.segments.append(value)
        if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
            self.segments.append(attrs["value"])
        if tag in {"script", "style"}:
            self._skip = tag
            self._json = tag == "script" and attrs.get("type") == "application/json"

    def handle_endtag(self, tag):
        if tag == self._skip:
            self._skip, self._json = None, False

    def handle_data(self, data):
        if self._json:
            self._collect_json(json.loads(data) if data.strip() else None)
        elif not self._skip and data.strip():
            self.segments.append(data)

    def _collect_json(self, value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in JSON_LABEL_KEYS and isinstance(item, str):
                    self.segments.append(item)
                else:
                    self._collect_json(item)
        elif isinstance(value, list):
            for item in value:
                self._collect_json(item)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    # One segment a line: a phrase never spans two separate pieces of text.
    return "\n".join(re.sub(r"\s+", " ", segment).strip() for segment in parser.segments)


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


@pytest.fixture(scope="module")
def english_msgids():
    return untranslated_msgids()


# --- tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("screen", SCREENS)
def test_admin_screen_shows_no_untranslated_wagtail_text(
    client, superuser, page_in_moderation, english_msgids, screen
):
    page, revision = page_in_moderation
    client.force_login(superuser)

    # follow: the snippets index sends the user on when no snippet type is registered
    response = client.get(SCREENS[screen](page, revision), HTTP_ACCEPT_LANGUAGE="da", follow=True)

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "da"
    text = visible_text(response.content.decode())
    english = sorted(msgid for msgid, pattern in english_msgids.items() if pattern.search(text))
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


def test_untranslated_text_is_found_on_a_screen():
    pattern = _phrase_pattern("%(model_name)s '%(object)s' updated.")

    assert pattern.search(visible_text("<p>Side 'Forside' updated.</p>"))
    assert not pattern.search(visible_text("<p>Side 'Forside' er opdateret.</p>"))
    assert "Gem kladde" in visible_text('<button title="Gem kladde"><script>x</script></button>')
