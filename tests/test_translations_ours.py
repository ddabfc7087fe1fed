"""Our own strings are all in Danish (locale/da/LC_MESSAGES/django.po and its .mo).

- every entry of the catalogue has a Danish msgstr, none is fuzzy, plural forms are Danish;
- the compiled django.mo says exactly what django.po says (a fresh machine has no gettext, so
  the .mo is committed and must not go stale);
- when GNU gettext is installed, the catalogue holds every msgid in our source (a string
  added without running scripts/make_messages.sh fails here);
- the main staff screens, rendered in Danish for each persona, and the public pages show none
  of our English msgids (English leaking through a stale or incomplete catalogue).

After adding or changing strings: scripts/make_messages.sh, translate the new entries
(docs/glossary.md), scripts/make_messages.sh compile, commit django.po and django.mo.
"""

import gettext
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from intranet import roles
from pages.models import RedirectReason

from .factories import (
    DepartmentPageFactory,
    PartnerPageFactory,
    StaffMemberFactory,
    TeamPageFactory,
    UserFactory,
    case_in_support,
    directory,
    open_task,
    register_case,
    standard_with_redirects,
    task_url,
)

pytestmark = pytest.mark.danish  # the conftest runs other tests in English

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PO_FILE = LOCALE_DIR / "da" / "LC_MESSAGES" / "django.po"
MO_FILE = LOCALE_DIR / "da" / "LC_MESSAGES" / "django.mo"
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
# The source makemessages reads for our catalogue (scripts/make_messages.sh).
SOURCE_DIRS = ("intranet", "pages", "workflows", "templates")

MIN_LENGTH = 4  # shorter msgids ("Ja", "All", "To") match Danish text by chance
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\w*\}")
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
# English on purpose: the language menu names every language in that language ("English").
ENGLISH_ON_PURPOSE = {"English"}


# --- the catalogue --------------------------------------------------------------------------


def _unquote(text):
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], text[1:-1])


def read_po(path=PO_FILE):
    """The entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr, flags.

    msgstr is {None: text} for a singular entry and {0: text, 1: text} for a plural one.
    Obsolete entries (#~) are skipped.
    """
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry and not entry["obsolete"]:
            entries.append(entry)

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}, "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field] += _unquote(line)
        else:
            keyword, _, value = line.partition(" ")
            indexed = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if indexed:
                field = ("msgstr", int(indexed.group(1)))
                entry["msgstr"][field[1]] = _unquote(value)
            elif keyword == "msgstr":
                field = ("msgstr", None)
                entry["msgstr"][None] = _unquote(value)
            else:
                field = keyword
                entry[field] = _unquote(value)
    return entries


def catalogue_mapping(entries):
    """What GNUTranslations._catalog holds for these entries, built from the .po."""
    mapping = {}
    for entry in entries:
        key = entry["msgid"]
        if "msgctxt" in entry:
            key = f"{entry['msgctxt']}\x04{key}"
        if "msgid_plural" in entry:
            for index, text in entry["msgstr"].items():
                mapping[(key, index)] = text
        else:
            mapping[key] = entry["msgstr"][None]
    return mapping


@pytest.fixture(scope="module")
def entries():
    return read_po()


def test_every_entry_has_danish_and_none_is_fuzzy(entries):
    header, *messages = entries
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"], "the header is marked fuzzy: msgfmt would drop it"
    assert f"Plural-Forms: {PLURAL_FORMS}\n" in header["msgstr"][None]
    assert "Language: da\n" in header["msgstr"][None]
    assert len(messages) > 500

    fuzzy = [entry["msgid"] for entry in messages if "fuzzy" in entry["flags"]]
    empty = [entry["msgid"] for entry in messages if not all(entry["msgstr"].values())]
    wrong_plurals = [
        entry["msgid"]
        for entry in messages
        if "msgid_plural" in entry and sorted(entry["msgstr"]) != [0, 1]
    ]
    assert not fuzzy, f"fuzzy entries in {PO_FILE.name}: {fuzzy}"
    assert not empty, f"entries without Danish in {PO_FILE.name}: {empty}"
    assert not wrong_plurals, f"plural entries without exactly two forms: {wrong_plurals}"


def test_placeholders_are_kept(entries):
    changed = []
    for entry in entries[1:]:
        wanted = [sorted(PLACEHOLDER.findall(entry["msgid"]))]
        if "msgid_plural" in entry:
            # The singular may leave its number out ("every month"); the plural may not.
            wanted.append(sorted(PLACEHOLDER.findall(entry["msgid_plural"])))
        for index, text in entry["msgstr"].items():
            found = sorted(PLACEHOLDER.findall(text))
            allowed = wanted[-1:] if index == 1 else wanted
            if found not in allowed:
                changed.append((entry["msgid"], text))
    assert not changed, f"placeholders differ from the msgid: {changed}"


def test_the_compiled_catalogue_matches_the_po_file(entries):
    with MO_FILE.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    # msgfmt leaves POT-Creation-Date out of the compiled header: compare the messages.
    compiled_messages = {key: text for key, text in compiled._catalog.items() if key != ""}
    # msgfmt leaves untranslated entries out too; those fail the test above.
    po_messages = {key: text for key, text in catalogue_mapping(entries).items() if key and text}
    assert compiled_messages == po_messages, (
        f"{MO_FILE.name} is stale: run scripts/make_messages.sh compile and commit it"
    )
    assert compiled.info()["language"] == "da"
    assert compiled.plural(1) == 0 and compiled.plural(0) == 1 and compiled.plural(2) == 1


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_the_catalogue_holds_every_msgid_in_our_source(entries, tmp_path, monkeypatch):
    # makemessages on a copy of our source, so the real catalogue is never touched.
    for name in SOURCE_DIRS:
        shutil.copytree(
            Path(settings.BASE_DIR) / name,
            tmp_path / name,
            ignore=shutil.ignore_patterns("__pycache__", "static", "*.pyc"),
        )
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[]):
        call_command("makemessages", locale=["da"], no_location=True, verbosity=0)
    extracted = read_po(tmp_path / "locale" / "da" / "LC_MESSAGES" / "django.po")
    assert len(extracted) > 500, "makemessages found hardly any msgids: check SOURCE_DIRS"

    def keys(items):
        return {(e.get("msgctxt"), e["msgid"], e.get("msgid_plural")) for e in items[1:]}

    missing = sorted(keys(extracted) - keys(entries), key=str)
    assert not missing, (
        f"msgids in the source but not in {PO_FILE.name} (run scripts/make_messages.sh and "
        f"translate them): {missing}"
    )


# --- the screens -----------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """The text a user can read: text nodes, buttons' values and tooltip-like attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.segments, self._skip = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.segments += [value for name, value in attrs.items() if name in VISIBLE_ATTRIBUTES]
        if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
            self.segments.append(attrs["value"])
        if tag in {"script", "style"}:
            self._skip = tag

    def handle_endtag(self, tag):
        if tag == self._skip:
            self._skip = None

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.segments.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return "\n".join(re.sub(r"\s+", " ", s).strip() for s in parser.segments if s and s.strip())


def phrase_pattern(msgid):
    """A regex for the msgid as a phrase of visible text, or None if it is too short."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", msgid)).strip()
    pieces = PLACEHOLDER.split(text)
    if sum(len(piece.strip()) for piece in pieces) < MIN_LENGTH:
        return None
    body = re.escape(pieces[0])
    for index, piece in enumerate(pieces[1:], start=1):
        at_edge = (index == 1 and not pieces[0]) or (index == len(pieces) - 1 and not piece)
        body += (r"\S+" if at_edge else r".+?") + re.escape(piece)
    return re.compile(rf"(?<!\w){body}(?!\w)")


def english_patterns(entries):
    """Our msgids (singular and plural) whose Danish differs, as {English: pattern}."""
    patterns = {}
    for entry in entries[1:]:
        english = [entry["msgid"]] + ([entry["msgid_plural"]] if "msgid_plural" in entry else [])
        danish = set(entry["msgstr"].values())
        for text in english:
            pattern = phrase_pattern(text)
            if pattern and text not in danish and text not in ENGLISH_ON_PURPOSE:
                patterns[text] = pattern
    return patterns


def leaked_english(html, patterns):
    text = visible_text(html)
    return sorted(english for english, pattern in patterns.items() if pattern.search(text))


def _member(username, role_keys, teams=()):
    user = UserFactory(username=username, roles=role_keys)
    StaffMemberFactory(name=user.get_full_name(), user=user, teams=list(teams))
    return user


@pytest.fixture
def world(client, db):
    """A standard, a directory, the personas and a case at each of the main steps."""
    department = DepartmentPageFactory(title="Sundhed og Omsorg")
    team = TeamPageFactory(title="Udekørende team Nord", parent=department)
    family = PartnerPageFactory(title="Familieafdelingen", kind="authority")
    standard = standard_with_redirects(
        delivering_teams=[team], redirects={RedirectReason.UNDER_AGE: family}
    )
    worker = _member("skp_nord", [roles.OUTREACH_WORKER], [team])
    coordinator = _member("koordinator_nord", [roles.COORDINATOR], [team])
    leader = _member("leder", [roles.LEADER], [team])

    supported = case_in_support(client, coordinator, worker, team)
    in_triage = register_case(team=team, registered_by=coordinator)
    client.logout()
    return {
        "department": department,
        "team": team,
        "partner": family,
        "standard": standard,
        "worker": worker,
        "coordinator": coordinator,
        "leader": leader,
        "supported": supported,
        "triage_task": open_task(in_triage, "triage"),
    }


def screens(world):
    """(name, persona or None for anonymous, URL)."""
    supported = world["supported"]
    return [
        ("login", None, reverse("login")),
        ("standard (public)", None, world["standard"].url),
        ("directory (public)", None, directory().url),
        ("department (public)", None, world["department"].url),
        ("team (public)", None, world["team"].url),
        ("partner (public)", None, world["partner"].url),
        ("staff home", "worker", reverse("staff_home")),
        ("team page (staff)", "worker", world["team"].url),
        ("my tasks", "worker", reverse("workflows:my_tasks")),
        ("case in support", "worker", reverse("workflows:case_detail", args=[supported.pk])),
        ("reassessment/end support task", "worker", task_url(open_task(supported, "end_support"))),
        ("contact form", "worker", reverse("workflows:contact_add", args=[supported.pk])),
        ("team queue", "coordinator", reverse("workflows:team_queue")),
        ("new referral", "coordinator", reverse("workflows:referral_register")),
        ("triage task", "coordinator", task_url(world["triage_task"])),
        ("process overview", "leader", reverse("workflows:overview")),
        ("leader's dashboard", "leader", reverse("leader:dashboard")),
    ]


def test_staff_and_public_screens_show_no_english(client, world, entries, settings):
    settings.LANGUAGE_CODE = "da"
    patterns = english_patterns(entries)
    leaks, statuses = {}, {}
    with translation.override("da"):
        for name, persona, url in screens(world):
            client.logout()
            if persona:
                client.force_login(world[persona])
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="da")
            statuses[name] = response.status_code
            if response.status_code == 200:
                assert response.headers["Content-Language"] == "da", name
                found = leaked_english(response.content.decode(), patterns)
                if found:
                    leaks[name] = found

    assert {name: status for name, status in statuses.items() if status != 200} == {}
    assert not leaks, f"English on Danish screens: {leaks}"


def test_leaked_english_is_found():
    patterns = {
        "Open the list (%(count)s cases you may see)": phrase_pattern(
            "Open the list (%(count)s cases you may see)"
        ),
        "Save": phrase_pattern("Save"),
    }

    html = '<p>Open the list (3 cases you may see)</p><button title="Save">Gem</button>'
    assert leaked_english(html, patterns) == ["Open the list (%(count)s cases you may see)", "Save"]
    assert leaked_english("<p>Åbn listen (3 sager, du må se)</p><b>Gem</b>", patterns) == []
    assert leaked_english("<script>Save()</script><p>Saves</p>", patterns) == []
