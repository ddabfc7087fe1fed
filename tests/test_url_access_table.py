"""Every URL pattern of the project, requested by every role, against a table written by hand.

The personas cover every relation to one case, H, of team A (walked through the process to a
handover sent to the receiving team):

    own        outreach worker of team A, H's primary contact person
    assigned   outreach worker of team B, H's second contact person
    other      outreach worker of team B, no relation to H
    emergency  outreach worker of team B holding an unexpired emergency access to H
    coord      coordinator of team A
    receiver   receiving-department staff of the team H was handed over to
    recv_none  receiving-department staff of team B, nothing handed over to them
    leader, editor, moderator, admin (administrator), dpo (data protection officer),
    anon       not logged in

URL kwargs point at H's records (case, open task, goal, consent, person, emergency access).
A pattern in the resolver without a row fails `test_every_pattern_has_a_row`. Two large
third-party families are covered by a rule instead of a row per pattern (FAMILIES below).
Every row whose URL names a record is requested again with an id that does not exist: the
refused personas must get the same status and the same page (no existence leak).
Everything here is GET; what a POST does is tested by the feature's own tests.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone
from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from intranet import audit, roles
from intranet.models import AccessAction, AccessLogEntry
from pages.models import RedirectReason
from workflows import services
from workflows.models import CaseImport, CaseImportStatus, ConsentForm, GoalArea, HandoverBasis
from workflows.reporting.importer import ImportResult, ReviewEntry

from .factories import (
    PartnerPageFactory,
    StaffMemberFactory,
    TeamPageFactory,
    UserFactory,
    case_in_support,
    open_task,
    site_root,
    standard_with_redirects,
    task_url,
)

PERSONAS = (
    "anon",
    "own",
    "assigned",
    "other",
    "emergency",
    "coord",
    "receiver",
    "recv_none",
    "leader",
    "editor",
    "moderator",
    "admin",
    "dpo",
)
MISSING = 987654321  # an id no record has

# --- The shared data set --------------------------------------------------------------------


@dataclass
class World:
    clients: dict  # persona -> logged-in Client (anon: not logged in)
    kwargs: dict  # kind of record -> id, for filling URL kwargs
    case: object
    users: dict  # persona -> user (not anon)


def _member(username, role_keys, teams=()):
    user = UserFactory(username=username, roles=role_keys)
    if teams:
        StaffMemberFactory(name=user.get_full_name(), user=user, teams=teams)
    return user


def _build_world():
    team_a = TeamPageFactory(title="Udekørende team Nord")
    team_b = TeamPageFactory(title="Udekørende team Syd")
    receiving = TeamPageFactory(title="Myndighedsteamet")
    family = PartnerPageFactory(title="Familieafdelingen", kind="authority")
    with time_machine.travel(timezone.now() - timedelta(days=60), tick=True):
        standard = standard_with_redirects(
            delivering_teams=[team_a], redirects={RedirectReason.UNDER_AGE: family}
        )
    users = {
        "own": _member("skp_a", [roles.OUTREACH_WORKER], [team_a]),
        "assigned": _member("skp_b_dækning", [roles.OUTREACH_WORKER], [team_b]),
        "other": _member("skp_b", [roles.OUTREACH_WORKER], [team_b]),
        "emergency": _member("skp_b_akut", [roles.OUTREACH_WORKER], [team_b]),
        "coord": _member("koordinator_a", [roles.COORDINATOR], [team_a]),
        "receiver": _member("modtager", [roles.RECEIVER], [receiving]),
        "recv_none": _member("modtager_b", [roles.RECEIVER], [team_b]),
        "leader": _member("leder", [roles.LEADER]),
        "editor": _member("redaktoer", [roles.EDITOR]),
        "moderator": _member("moderator", [roles.MODERATOR]),
        "admin": _member("administrator", [roles.ADMINISTRATOR]),
        "dpo": _member("databeskyttelse", [roles.DATA_PROTECTION]),
    }
    own = users["own"]

    # Case H: team A, in support, then handed over (with consent) to the receiving team.
    walker = Client()
    case = case_in_support(walker, users["coord"], own, team_a)
    goal = services.goal_add(case=case, area=GoalArea.HOUSING, description="Egen bolig", by=own)
    consent = services.consent_record(
        case=case,
        receiver=receiving,
        information="Boligsituation og kontaktoplysninger",
        form=ConsentForm.WRITTEN,
        given_on=timezone.localdate() - timedelta(days=1),
        by=own,
    )
    walker.force_login(own)
    for task, data in [
        ("end_support", {"next_step": "hand_over", "note": ""}),
        (
            "hand_over",
            {
                "action": "send",
                "receiving_team": receiving.pk,
                "summary": "Borgeren ønsker bostøtte efter § 85.",
                "basis": HandoverBasis.CONSENT,
            },
        ),
    ]:
        assert walker.post(task_url(open_task(case, task)), data).status_code == 302, task
    case.refresh_from_db()
    assert case.handover_sent_at is not None
    case.second_worker = users["assigned"]
    case.save(update_fields=["second_worker"])
    emergency = services.emergency_access_grant(
        user=users["emergency"],
        case=case,
        category="citizen_present",
        reason="Borgeren står i værestedet og har brug for hjælp nu.",
    )

    # Wagtail's own records behind some addresses: a document, password restrictions.
    root_collection = Collection.get_first_root_node()
    document = Document.objects.create(
        title="Henvisningsskema",
        file=ContentFile(b"Skema", name="henvisningsskema.txt"),
        collection=root_collection,
    )
    secret = root_collection.add_child(name="Fortroligt")
    collection_restriction = CollectionViewRestriction.objects.create(
        collection=secret, restriction_type=CollectionViewRestriction.PASSWORD, password="hemmelig"
    )
    page_restriction = PageViewRestriction.objects.create(
        page=standard, restriction_type=PageViewRestriction.PASSWORD, password="hemmelig"
    )

    # An import the administrator ran, whose review list names H (the page lists it).
    case_import = CaseImport.objects.create(
        started_by=users["admin"],
        file_name="historik.csv",
        status=CaseImportStatus.DONE,
        result=ImportResult(
            created=1,
            review=[
                ReviewEntry(
                    2, "H-9", case.person.alias, 1970, [str(case.pk)], [(case.person_id, case.pk)]
                )
            ],
        ).as_json(),
    )

    clients = {"anon": Client()}
    for persona, user in users.items():
        clients[persona] = Client()
        clients[persona].force_login(user)
    kwargs = {
        "case": case.pk,
        "task": open_task(case, "acknowledge_handover").pk,
        "goal": goal.pk,
        "consent": consent.pk,
        "person": case.person_id,
        "user": own.pk,
        "group": Group.objects.get(name=roles.group_name(roles.EDITOR)).pk,
        "emergency": emergency.pk,
        "case_import": case_import.pk,
        "document": document.pk,
        "document_name": "henvisningsskema.txt",
        "collection_restriction": collection_restriction.pk,
        "page_restriction": page_restriction.pk,
        "page": standard.pk,
        "breach_kind": "first-contact",
        "uidb64": "MQ",
        "token": "ugyldig-noegle",
        "path": "",
    }
    return World(clients=clients, kwargs=kwargs, case=case, users=users)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module and rolled back after its last test; each test's own
    transaction nests inside as a savepoint."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media), LANGUAGE_CODE="en"),
        transaction.atomic(),
    ):
        site_root()
        yield _build_world()
        transaction.set_rollback(True)


# --- The table ------------------------------------------------------------------------------
# 200 shown; 403 refused; 404 "not found" (also what exists but may not be seen); 405 the
# address takes POST only; R a redirect; L a redirect to the login page (anonymous users).
# One column per persona (PERSONAS, in that order). An answer shared by several rows is
# named once below; the rows say which records fill the URL's arguments (World.kwargs).

L, R = "login", "redirect"
# fmt: off
#                  anon own  asg  oth  emg  crd  rcv  rnn  ldr  edt  mod  adm  dpo
CASE_PAGE       = (L,   200, 200, 403, 200, 200, 404, 404, 404, 404, 404, 404, 404)
CASE_SCREEN     = (L,   200, 200, 404, 200, 200, 404, 404, 404, 404, 404, 404, 404)
SUMMARY         = (L,   200, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404)
TASK            = (L,   200, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404)
REGISTER        = (L,   200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403)
POST_ONLY       = (L,   405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405)
ANY_STAFF       = (L,   200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
EVERYONE        = (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
LEADERS         = (L,   403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403)
LEADERS_COORDS  = (L,   403, 403, 403, 403, 200, 403, 403, 200, 403, 403, 403, 403)
ADMINISTRATORS  = (L,   403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403)
OFFICER         = (L,   403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)
WAGTAIL_ADMIN   = (L,   R,   R,   R,   R,   R,   R,   R,   200, 200, 200, 200, R)
SNIPPET_ADMINS  = (L,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   200, R)
NOT_IN_ADMIN    = (L,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R)
NOBODY_IS_STAFF = (R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R)
REDIRECTS       = (R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R)

# What the URL shows of citizens, and so what its answers write to the access log. Every
# answer but a 200 writes none. Our views that show case data declare it with
# intranet.audit.shows_case_data / shows_case_list, and the last column must agree.
CASE    = "one case or person"  # a 200 writes exactly one entry naming H (or H's person)
LIST    = "a list of cases"     # a 200 writes one entry per case shown: H's once if shown
LOG     = "the access log"      # the officer's log screens: at most one entry, naming nobody
NO_DATA = "no case data"        # writes no entry, whatever the answer
SHOWS = (CASE, LIST, LOG, NO_DATA)

TABLE = {
    # name: (the records that fill the URL's arguments, the answer per persona, what it shows)
    # --- casework: workflows/urls.py
    "workflows:my_tasks":                           ((), ANY_STAFF, LIST),
    "workflows:team_queue":                         ((), ANY_STAFF, LIST),
    "workflows:overview":                           ((), LEADERS_COORDS, NO_DATA),
    "workflows:referral_register":                  ((), REGISTER, LIST),
    "workflows:task":                               (("task",), TASK, CASE),
    "workflows:task_claim":                         (("task",), POST_ONLY, CASE),
    "workflows:task_assign":                        (("task",), POST_ONLY, CASE),
    "workflows:task_unassign":                      (("task",), POST_ONLY, CASE),
    "workflows:case_detail":                        (("case",), CASE_PAGE, CASE),
    "workflows:emergency_access":                   (("case",), POST_ONLY, NO_DATA),
    "workflows:handover_summary":                   (("case",), SUMMARY, CASE),
    "workflows:person_edit":                        (("case",), CASE_SCREEN, CASE),
    "workflows:contact_add":                        (("case",), CASE_SCREEN, CASE),
    "workflows:goal_add":                           (("case",), CASE_SCREEN, CASE),
    "workflows:goal_status":                        (("case", "goal"), POST_ONLY, CASE),
    "workflows:consent_add":                        (("case",), CASE_SCREEN, CASE),
    "workflows:consent_withdraw":                   (("case", "consent"), POST_ONLY, CASE),
    "workflows:case_reopen":                        (("case",), CASE_SCREEN, CASE),
    # --- leaders: workflows/leader_urls.py (aggregates; a deadline list shows every breach,
    # the person only where the user may open the case; coordinators see the lists too)
    "leader:dashboard":                             ((), LEADERS, NO_DATA),
    "leader:breaches":                              (("breach_kind",), LEADERS_COORDS, LIST),
    "leader:status_report":                         ((), LEADERS, NO_DATA),
    "leader:import_cases":                          ((), ADMINISTRATORS, NO_DATA),
    "leader:import_template":                       ((), ADMINISTRATORS, NO_DATA),
    "leader:import_template_xlsx":                  ((), ADMINISTRATORS, NO_DATA),
    "leader:import_job":                            (("case_import",), ADMINISTRATORS, LIST),
    "leader:import_job_status":                     (("case_import",), ADMINISTRATORS, NO_DATA),
    # --- data protection: workflows/privacy_urls.py
    "privacy:index":                                ((), OFFICER, LIST),
    "privacy:person_log":                           (("person",), OFFICER, CASE),
    "privacy:person_log_csv":                       (("person",), OFFICER, CASE),
    "privacy:insight":                              (("person",), OFFICER, CASE),
    "privacy:user_log":                             (("user",), OFFICER, LOG),
    "privacy:user_log_csv":                         (("user",), OFFICER, LOG),
    "privacy:sample":                               ((), OFFICER, LOG),
    "privacy:emergency_accesses":                   ((), OFFICER, LIST),
    "privacy:emergency_review":                     (("emergency",), OFFICER, CASE),
    # --- intranet/urls.py, and the two it includes: workflows/home_urls.py, pages/urls.py
    "staff_home":                                   ((), ANY_STAFF, LIST),
    "search":                                       ((), ANY_STAFF, NO_DATA),
    "health":                                       ((), EVERYONE, NO_DATA),
    "set_language":                                 ((), REDIRECTS, NO_DATA),
    # --- pages: our Wagtail admin report (pages/wagtail_hooks.py), our snippets' lists,
    # and the doors of the two admin families
    "standards_review_report":                      ((), WAGTAIL_ADMIN, NO_DATA),
    "standards_review_report_results":              ((), WAGTAIL_ADMIN, NO_DATA),
    "wagtailsnippets_pages_staffmember:list":       ((), SNIPPET_ADMINS, NO_DATA),
    "wagtailsnippets_workflows_referralsource:list": ((), SNIPPET_ADMINS, NO_DATA),
    "wagtailadmin_home":                            ((), WAGTAIL_ADMIN, NO_DATA),
    # --- accounts and groups: Wagtail's screens with our granting rule (intranet/user_admin.py).
    # The row's user is a caseworker: stronger than an administrator, so no one gets in.
    "wagtailusers_users:index":                     ((), SNIPPET_ADMINS, NO_DATA),
    "wagtailusers_users:index_results":             ((), SNIPPET_ADMINS, NO_DATA),
    "wagtailusers_users:add":                       ((), SNIPPET_ADMINS, NO_DATA),
    "wagtailusers_users:edit":                      (("user",), NOT_IN_ADMIN, NO_DATA),
    "wagtailusers_groups:add":                      ((), SNIPPET_ADMINS, NO_DATA),
    "wagtailusers_groups:edit":                     (("group",), SNIPPET_ADMINS, NO_DATA),
    "admin:index":                                  ((), NOBODY_IS_STAFF, NO_DATA),
    # --- pages and documents served by Wagtail (page privacy guards pages; files need login)
    "wagtail_serve":                                (("path",), EVERYONE, NO_DATA),
    "wagtailcore_login":                            ((), EVERYONE, NO_DATA),
    "wagtailcore_authenticate_with_password":       (("page_restriction", "page"), EVERYONE,
                                                     NO_DATA),
    "wagtaildocs_serve":                            (("document", "document_name"), ANY_STAFF,
                                                     NO_DATA),
    "wagtaildocs_authenticate_with_password":       (("collection_restriction",), ANY_STAFF,
                                                     NO_DATA),
    # --- accounts: django.contrib.auth.urls under /konto/
    "login":                                        ((), EVERYONE, NO_DATA),
    "logout":                                       ((), POST_ONLY, NO_DATA),
    "password_change":                              ((), ANY_STAFF, NO_DATA),
    "password_change_done":                         ((), ANY_STAFF, NO_DATA),
    "password_reset":                               ((), EVERYONE, NO_DATA),
    "password_reset_done":                          ((), EVERYONE, NO_DATA),
    "password_reset_confirm":                       (("uidb64", "token"), EVERYONE, NO_DATA),
    "password_reset_complete":                      ((), EVERYONE, NO_DATA),
}
# fmt: on

# Third-party families with hundreds of patterns: a rule instead of a row each. Our own
# views inside them (callback in one of OUR_APPS) still need a row above. They show no case
# data (their tests assert no access-log entry is written).
FAMILIES = {
    # Wagtail's admin: only roles with wagtailadmin.access_admin get in (rows above show the
    # home page per persona); test_wagtail_admin_family checks every parameterless address.
    "admin/": "anonymous: login page; without access_admin: Wagtail's login; else Wagtail decides",
    # Django's admin: for superusers only; no role makes a user staff.
    "django-admin/": "anonymous: a login page; every persona: redirected, never let in",
}
OUR_APPS = ("intranet.", "pages.", "workflows.")
# Object kinds whose id in a URL could reveal whether a record exists.
RECORDS = {"case", "task", "goal", "consent", "person", "user", "emergency", "case_import"}
# Kinds whose id is not a number: a missing one of the same form.
MISSING_OF_KIND = {"case_import": uuid.UUID(int=MISSING)}


# --- Walking the resolver --------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str
    callback: str
    view: object = field(default=None, compare=False)


def all_patterns(resolver=None, prefix="", namespaces=()):
    """Every URL pattern of the project, with its full route and namespaced name."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            space = namespaces + ((entry.namespace,) if entry.namespace else ())
            yield from all_patterns(entry, prefix + str(entry.pattern), space)
        else:
            assert isinstance(entry, URLPattern)
            name = ":".join(namespaces + (entry.name,)) if entry.name else ""
            yield Pattern(prefix + str(entry.pattern), name, entry.lookup_str, entry.callback)


def family_of(pattern):
    if pattern.callback.startswith(OUR_APPS):
        return None
    return next((prefix for prefix in FAMILIES if pattern.route.startswith(prefix)), None)


def is_parameterless(route):
    return not re.search(r"[<(^$\\]", route)


def url_for(world, name, arguments, missing=False):
    values = [
        MISSING_OF_KIND.get(kind, MISSING) if missing and kind in RECORDS else world.kwargs[kind]
        for kind in arguments
    ]
    return reverse(name, args=values)


def outcome(response):
    """What the table calls the response."""
    if response.status_code == 302:
        return L if response["Location"].startswith(resolve_url(settings.LOGIN_URL)) else R
    return response.status_code


# --- The tests -------------------------------------------------------------------------------


def patterns_without_a_row(patterns):
    return [
        f"{p.route} (name {p.name or '-'}, view {p.callback})"
        for p in patterns
        if family_of(p) is None and p.name not in TABLE
    ]


def test_every_pattern_has_a_row():
    """A new URL needs a row in TABLE (or lies in a third-party family); a row needs a URL."""
    patterns = list(all_patterns())
    missing = patterns_without_a_row(patterns)
    names = {p.name for p in patterns}
    stale = sorted(set(TABLE) - names)

    assert not missing, "URL patterns without a row in TABLE:\n" + "\n".join(missing)
    assert not stale, f"Rows for URL names that do not exist: {stale}"
    assert not [p for p in patterns if p.route.startswith("viewflow")]  # not mounted


def test_a_new_pattern_without_a_row_is_named():
    """Also inside a third-party family: a view of ours under admin/ needs its own row."""
    from django.urls import include, path

    from workflows import views

    extra = URLResolver(
        RegexPattern(r"^/"),
        [
            path("sager/ny-liste/", views.my_tasks, name="new_list"),
            path("admin/", include([path("vores/", views.my_tasks, name="ours_in_admin")])),
            path("sager/", views.my_tasks, name="workflows:my_tasks"),
        ],
    )

    missing = patterns_without_a_row(all_patterns(extra))

    assert missing == [
        "sager/ny-liste/ (name new_list, view workflows.views.my_tasks)",
        "admin/vores/ (name ours_in_admin, view workflows.views.my_tasks)",
    ]


def test_the_table_has_a_column_per_persona():
    assert {len(row[1]) for row in TABLE.values()} == {len(PERSONAS)}


def rows_without_a_declaration(table):
    """Rows that do not say what their URL shows of citizens (the last column, SHOWS)."""
    return [name for name, row in table.items() if len(row) != 3 or row[2] not in SHOWS]


def test_every_row_declares_whether_it_shows_case_data():
    missing = rows_without_a_declaration(TABLE)

    assert not missing, "Rows that do not declare what they show (CASE, LIST, LOG, NO_DATA):\n" + (
        "\n".join(missing)
    )


def test_a_new_row_without_a_declaration_is_named():
    table = {
        "workflows:my_tasks": TABLE["workflows:my_tasks"],
        "new_list": ((), ANY_STAFF),
        "new_page": ((), ANY_STAFF, "maybe"),
    }

    assert rows_without_a_declaration(table) == ["new_list", "new_page"]


# Views that log what they show through a service instead of the declaration.
LOGGED_BY_A_SERVICE = {
    "privacy:insight": "workflows.privacy.insight_report logs the report before it reads",
}
DECLARATION = {CASE: audit.ONE, LIST: audit.LIST}


def views_declared_otherwise(patterns, table):
    """Patterns whose view's declaration (@shows_case_data/@shows_case_list) disagrees with
    their row: a CASE or LIST row needs the declaration, any other row must not have it."""
    wrong = []
    for pattern in patterns:
        row = table.get(pattern.name)
        if row is None or len(row) != 3:
            continue
        declared = getattr(pattern.view, "shows_case_data", None)
        expected = None if pattern.name in LOGGED_BY_A_SERVICE else DECLARATION.get(row[2])
        if declared != expected:
            wrong.append(
                f"{pattern.name} (view {pattern.callback}): the row says {row[2]!r}, "
                f"the view declares {declared or 'nothing'}"
            )
    return wrong


def test_views_declare_what_their_rows_say():
    wrong = views_declared_otherwise(all_patterns(), TABLE)

    assert not wrong, "\n".join(wrong)


def test_a_view_declared_otherwise_than_its_row_is_named():
    from django.urls import path

    from workflows import views

    extra = URLResolver(
        RegexPattern(r"^/"),
        [
            path("a/", views.my_tasks, name="a_list_said_to_show_nothing"),
            path("b/", views.overview, name="an_aggregate_said_to_show_a_case"),
            path("c/", views.case_detail, name="workflows:case_detail"),
        ],
    )
    table = {
        "a_list_said_to_show_nothing": ((), ANY_STAFF, NO_DATA),
        "an_aggregate_said_to_show_a_case": ((), LEADERS, CASE),
        "workflows:case_detail": TABLE["workflows:case_detail"],
    }

    assert views_declared_otherwise(all_patterns(extra), table) == [
        "a_list_said_to_show_nothing (view workflows.views.my_tasks): the row says "
        f"'no case data', the view declares {audit.LIST}",
        "an_aggregate_said_to_show_a_case (view workflows.views.overview): the row says "
        "'one case or person', the view declares nothing",
    ]


def _last_entry():
    return AccessLogEntry.objects.aggregate(last=Max("pk"))["last"] or 0


def _names_h(world, entry):
    return entry.person_id == world.case.person_id and entry.case_id in (world.case.pk, None)


def _shows_h(world, response):
    """Whether a list's page shows case H: its person's alias or a link to the case."""
    body = response.content.decode()
    case_link = reverse("workflows:case_detail", args=[world.case.pk])
    return world.case.person.alias in body or case_link in body


def logging_problem(world, persona, shows, response, entries):
    """What is wrong with the access-log entries one answer wrote ("" if nothing)."""
    if response.status_code != 200 or shows == NO_DATA:
        return f"wrote {len(entries)} log entries, expected none" if entries else ""
    if any(entry.user_id != world.users[persona].pk for entry in entries):
        return "logged as another user"
    if shows == LOG:
        named = [entry for entry in entries if entry.person_id or entry.case_id]
        return (
            f"wrote {len(entries)} log entries (named {len(named)})"
            if (len(entries) > 1 or named)
            else ""
        )
    if shows == LIST:
        pairs = [(entry.person_id, entry.case_id) for entry in entries]
        expected = 1 if _shows_h(world, response) else 0
        if len(set(pairs)) != len(pairs) or not all(pid for pid, _case in pairs):
            return f"list entries {pairs}: each case shown once, each naming a person"
        if sum(_names_h(world, entry) for entry in entries) != expected:
            return f"H shown {expected} times, list entries {pairs}"
        return ""
    if len(entries) != 1:
        return f"wrote {len(entries)} log entries, expected exactly one naming H"
    entry = entries[0]
    if not _names_h(world, entry):
        return f"the entry names person {entry.person_id}, case {entry.case_id}, not H"
    if entry.action not in (AccessAction.VIEW, AccessAction.SEARCH_OPEN, AccessAction.EXPORT):
        return f"the entry says {entry.action}, not a read"
    if (persona == "emergency") != entry.what.endswith(audit.EMERGENCY_SUFFIX):
        return f"the entry's what, {entry.what!r}, misstates emergency access"
    return ""


@pytest.mark.parametrize("name", list(TABLE))
def test_every_persona_gets_the_answer_in_the_table(world, db, name):
    """And each answer wrote what the row's last column says to the access log."""
    arguments, expected, shows = TABLE[name]
    url = url_for(world, name, arguments)

    wrong = []
    for persona, want in zip(PERSONAS, expected, strict=True):
        before = _last_entry()
        response = world.clients[persona].get(url)
        entries = list(AccessLogEntry.objects.filter(pk__gt=before).order_by("pk"))
        if (have := outcome(response)) != want:
            wrong.append(f"{persona}: expected {want}, got {have}")
        elif problem := logging_problem(world, persona, shows, response, entries):
            wrong.append(f"{persona}: {problem}")
    assert not wrong, f"GET {url} ({name}):\n" + "\n".join(wrong)


def _normalised(response):
    """The body with what legitimately differs blanked: the csrf token and ids in addresses."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", body)
    body = re.sub(r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/", "/ID/", body)
    return re.sub(r"/\d+/", "/ID/", body)


LEAK_ROWS = [name for name, row in TABLE.items() if RECORDS & set(row[0])]


@pytest.mark.parametrize("name", LEAK_ROWS)
def test_refusals_look_the_same_whether_or_not_the_record_exists(world, db, name):
    """Whoever is refused (403, 404, 405) cannot tell an existing record from a missing one."""
    arguments, expected, _shows = TABLE[name]
    existing_url = url_for(world, name, arguments)
    missing_url = url_for(world, name, arguments, missing=True)

    for persona, code in zip(PERSONAS, expected, strict=True):
        if code not in (403, 404, 405):
            continue
        client = world.clients[persona]
        # The clients are shared by the module's tests: a message an earlier request left
        # (e.g. Wagtail's "no permission to access the admin") would show on the next page.
        client.cookies.pop("messages", None)
        existing, missing = client.get(existing_url), client.get(missing_url)
        assert missing.status_code == existing.status_code, (name, persona)
        assert _normalised(missing) == _normalised(existing), (name, persona)


def test_a_forbidden_case_and_a_missing_case_answer_alike(world, db):
    """The requirement in plain words, for a non-casework role and for a casework role."""
    case_url = reverse("workflows:case_detail", args=[world.case.pk])
    missing_url = reverse("workflows:case_detail", args=[MISSING])

    leader = world.clients["leader"]
    for client in world.clients.values():
        client.cookies.pop("messages", None)  # shared clients: see above
    assert leader.get(case_url).content == leader.get(missing_url).content
    other = world.clients["other"]
    exists, missing = other.get(case_url), other.get(missing_url)
    assert exists.status_code == missing.status_code == 403
    assert _normalised(exists) == _normalised(missing)


def _family_routes(prefix):
    return [p.route for p in all_patterns() if family_of(p) == prefix and is_parameterless(p.route)]


# Wagtail admin addresses that answer without admin access (login, assets).
WAGTAIL_OPEN = {
    "admin/login/",
    "admin/jsi18n/",
    "admin/sprite/",
}
# Switched off (WAGTAIL_PASSWORD_RESET_ENABLED): the one reset is /konto/password_reset/.
WAGTAIL_CLOSED = {
    "admin/password_reset/",
    "admin/password_reset/done/",
    "admin/password_reset/complete/",
}


def test_wagtail_admin_family(world, db):
    """Every parameterless Wagtail admin address: anonymous users are sent to log in, a
    role without wagtailadmin.access_admin (here an outreach worker) to Wagtail's login.
    Only that one permission opens the admin, so one such persona stands for all of them;
    the rows of wagtailadmin_home and our admin views check every persona."""
    routes = _family_routes("admin/")
    assert len(routes) > 50 and "admin/" in routes
    before = _last_entry()
    wrong = []
    for route in routes:
        url = "/" + route
        anonymous = world.clients["anon"].get(url)
        ok = anonymous.status_code == 200 if route == "admin/login/" else outcome(anonymous) == L
        if not ok:
            wrong.append(f"anon {url}: {anonymous.status_code}")
        for persona in ("own",):
            response = world.clients[persona].get(url)
            if route in WAGTAIL_OPEN:
                ok = response.status_code == 200
            elif route in WAGTAIL_CLOSED:
                ok = response.status_code == 404
            else:
                ok = response.status_code == 302 and response["Location"].startswith(
                    reverse("wagtailadmin_login")
                )
            if not ok:
                wrong.append(f"{persona} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert not AccessLogEntry.objects.filter(pk__gt=before).exists()


def test_django_admin_family(world, db):
    """Every parameterless Django admin address: nobody gets in. Django's admin lets in
    superusers only (intranet.admin_site) and no role makes a user one, so the anonymous
    user and the most privileged role stand for every persona (the admin:index row checks
    them all; tests/test_user_admin.py sends a staff administrator)."""
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(is_staff=True).exists()
    routes = _family_routes("django-admin/")
    assert len(routes) > 10 and "django-admin/" in routes
    admin_login = reverse("admin:login")
    before = _last_entry()
    wrong = []
    for route in routes:
        url = "/" + route
        for persona in ("anon", "admin"):
            response = world.clients[persona].get(url)
            if route == "django-admin/login/":
                ok = response.status_code == 200
            else:
                ok = response.status_code == 302 and response["Location"].startswith(
                    (admin_login, resolve_url(settings.LOGIN_URL), reverse("admin:index"))
                )
            if not ok:
                wrong.append(f"{persona} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert not AccessLogEntry.objects.filter(pk__gt=before).exists()
