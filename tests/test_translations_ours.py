"""Our own strings are all in Danish (locale/da/LC_MESSAGES/django.po and its .mo).

- every entry of the catalogue has a Danish msgstr, none is fuzzy, plural forms are Danish;
- the compiled django.mo says exactly what django.po says (a fresh machine has no gettext, so
  the .mo is committed and must not go stale);
- when GNU gettext is installed, the catalogue holds every msgid in our source (a string
  added without running scripts/make_messages.sh fails here);
- the staff screens, rendered in Danish for each role, and the public pages show no English:
  no untranslated msgid of ours, Django's or viewflow's and no hard-coded English text
  (tests/screen_language.py).

After adding or changing strings: scripts/make_messages.sh, translate the new entries
(docs/glossary.md), scripts/make_messages.sh compile, commit django.po and django.mo.
"""

import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from intranet import roles
from pages.models import RedirectReason
from workflows.models import HandoverBasis
from workflows.services import consent_record

from .factories import (
    DepartmentPageFactory,
    PartnerPageFactory,
    StaffMemberFactory,
    TeamPageFactory,
    UserFactory,
    accept,
    case_in_support,
    directory,
    open_task,
    register_case,
    standard_with_redirects,
    task_url,
)
from .screen_language import Catalogue, english_on_screen

pytestmark = pytest.mark.danish  # the conftest runs other tests in English

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PO_FILE = LOCALE_DIR / "da" / "LC_MESSAGES" / "django.po"
MO_FILE = LOCALE_DIR / "da" / "LC_MESSAGES" / "django.mo"
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
# The source makemessages reads for our catalogue (scripts/make_messages.sh).
SOURCE_DIRS = ("intranet", "pages", "workflows", "templates")

PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\w*\}")


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
            # templates/wagtailadmin: copies of Wagtail's, with Wagtail's msgids.
            ignore=shutil.ignore_patterns("__pycache__", "static", "*.pyc", "wagtailadmin"),
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


def _member(username, role_keys, teams=()):
    user = UserFactory(username=username, roles=role_keys)
    StaffMemberFactory(name=user.get_full_name(), user=user, teams=list(teams))
    return user


@pytest.fixture
def world(client, db):
    """A standard, a directory, the personas and a case at each of the main steps."""
    department = DepartmentPageFactory(title="Sundhed og Omsorg")
    team = TeamPageFactory(title="Udekørende team Nord", parent=department)
    receiving_team = TeamPageFactory(title="Myndighedsteamet")
    family = PartnerPageFactory(title="Familieafdelingen", kind="authority")
    standard = standard_with_redirects(
        delivering_teams=[team], redirects={RedirectReason.UNDER_AGE: family}
    )
    worker = _member("skp_nord", [roles.OUTREACH_WORKER], [team])
    coordinator = _member("koordinator_nord", [roles.COORDINATOR], [team])
    leader = _member("leder", [roles.LEADER], [team])
    receiver = _member("modtager", [roles.RECEIVER], [receiving_team])
    dpo = UserFactory(username="databeskyttelse", roles=[roles.DATA_PROTECTION])
    administrator = UserFactory(username="administrator", roles=[roles.ADMINISTRATOR])

    supported = case_in_support(client, coordinator, worker, team)
    in_outreach = register_case(team=team, registered_by=coordinator)
    accept(client, coordinator, in_outreach, worker)
    handing_over = case_in_support(client, coordinator, worker, team)
    client.post(task_url(open_task(handing_over, "end_support")), {"next_step": "hand_over"})
    handed_over = case_in_support(client, coordinator, worker, team)
    client.post(task_url(open_task(handed_over, "end_support")), {"next_step": "hand_over"})
    consent_record(
        case=handed_over, receiver=receiving_team, information="Alt", form="written", by=worker
    )
    client.post(
        task_url(open_task(handed_over, "hand_over")),
        {
            "action": "send",
            "receiving_team": receiving_team.pk,
            "summary": "Borgeren ønsker bostøtte efter § 85.",
            "basis": HandoverBasis.CONSENT,
        },
    )
    acknowledge = open_task(handed_over, "acknowledge_handover")
    assert acknowledge is not None, "the handover was not sent"
    client.force_login(receiver)
    assert client.post(reverse("workflows:task_claim", args=[acknowledge.pk])).status_code == 302
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
        "receiver": receiver,
        "dpo": dpo,
        "administrator": administrator,
        "supported": supported,
        "handed_over": handed_over,
        "triage_task": open_task(in_triage, "triage"),
        "outreach_task": open_task(in_outreach, "outreach"),
        "hand_over_task": open_task(handing_over, "hand_over"),
        "acknowledge_task": acknowledge,
    }


def screens(world):
    """(name, persona or None for anonymous, URL)."""
    supported = world["supported"]
    case = supported.pk
    return [
        ("login", None, reverse("login")),
        ("standard (public)", None, world["standard"].url),
        ("directory (public)", None, directory().url),
        ("department (public)", None, world["department"].url),
        ("team (public)", None, world["team"].url),
        ("partner (public)", None, world["partner"].url),
        ("staff home", "worker", reverse("staff_home")),
        ("team page (staff)", "worker", world["team"].url),
        ("search", "worker", reverse("search") + "?q=team"),
        ("my tasks", "worker", reverse("workflows:my_tasks")),
        ("case in support", "worker", reverse("workflows:case_detail", args=[case])),
        ("outreach task", "worker", task_url(world["outreach_task"])),
        ("reassessment/end support task", "worker", task_url(open_task(supported, "end_support"))),
        ("hand-over task", "worker", task_url(world["hand_over_task"])),
        ("contact form", "worker", reverse("workflows:contact_add", args=[case])),
        ("goal form", "worker", reverse("workflows:goal_add", args=[case])),
        ("consent form", "worker", reverse("workflows:consent_add", args=[case])),
        ("person form", "worker", reverse("workflows:person_edit", args=[case])),
        ("team queue", "coordinator", reverse("workflows:team_queue")),
        ("new referral", "coordinator", reverse("workflows:referral_register")),
        ("triage task", "coordinator", task_url(world["triage_task"])),
        ("receiving team's queue", "receiver", reverse("workflows:team_queue")),
        (
            "handover summary",
            "receiver",
            reverse("workflows:handover_summary", args=[world["handed_over"].pk]),
        ),
        ("acknowledge task", "receiver", task_url(world["acknowledge_task"])),
        ("process overview", "leader", reverse("workflows:overview")),
        ("leader's dashboard", "leader", reverse("leader:dashboard")),
        ("deadline breaches", "leader", reverse("leader:breaches", args=["first-contact"])),
        ("status report", "leader", reverse("leader:status_report")),
        ("case import", "administrator", reverse("leader:import_cases")),
        ("data protection", "dpo", reverse("privacy:index")),
        ("person's access log", "dpo", reverse("privacy:person_log", args=[supported.person_id])),
        ("user's access log", "dpo", reverse("privacy:user_log", args=[world["worker"].pk])),
        ("spot check", "dpo", reverse("privacy:sample")),
        ("insight report", "dpo", reverse("privacy:insight", args=[supported.person_id])),
    ]


def test_staff_and_public_screens_show_no_english(client, world, settings):
    settings.LANGUAGE_CODE = "da"
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
                found = english_on_screen(response.content.decode())
                if found:
                    leaks[name] = found

    assert {name: status for name, status in statuses.items() if status != 200} == {}
    assert not leaks, f"English on Danish screens: {leaks}"


def test_leaked_english_is_found():
    catalogue = Catalogue(
        {
            "Open the list (%(count)s cases you may see)": None,  # not translated
            "Person": "Person",  # Danish on purpose
            "Save": "Gem",
            "Unassign": "Fjern tildeling",
        }
    )

    html = (
        "<p>Open the list (3 cases you may see)</p>"
        '<button title="Save">Gem</button>'
        '<input type="submit" value="Unassign">'
        '<span class="visually-hidden">True</span>'
    )
    assert catalogue.english_on(html) == [
        "Open the list (%(count)s cases you may see)",
        "hard-coded: Save",
        "hard-coded: True",
        "hard-coded: Unassign",
    ]
    assert catalogue.english_on("<p>Åbn listen (3 sager, du må se)</p><b>Gem</b>") == []
    assert catalogue.english_on("<th>Person</th>") == []
    assert catalogue.english_on("<script>Save()</script><p>Saves</p><i hidden>None</i>") == []


def test_the_check_knows_djangos_viewflows_and_our_msgids():
    # Hard-coded English from each catalogue the staff screens draw on is recognised.
    html = "<p>This field is required.</p><p>Unassign</p><p>Change language</p>"

    assert english_on_screen(html) == [
        "hard-coded: Change language",
        "hard-coded: This field is required.",
        "hard-coded: Unassign",
    ]
