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
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone
from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from intranet import roles
from pages.models import RedirectReason
from workflows import services
from workflows.models import ConsentForm, GoalArea, HandoverBasis

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
    return World(clients=clients, kwargs=kwargs, case=case)


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
ADMINISTRATORS  = (L,   403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403)
OFFICER         = (L,   403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)
WAGTAIL_ADMIN   = (L,   R,   R,   R,   R,   R,   R,   R,   200, 200, 200, 200, R)
SNIPPET_ADMINS  = (L,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   200, R)
NOT_IN_ADMIN    = (L,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R)
NOBODY_IS_STAFF = (R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R)
REDIRECTS       = (R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R,   R)

TABLE = {
    # name: (the records that fill the URL's arguments, the answer per persona)
    # --- casework: workflows/urls.py
    "workflows:my_tasks":                           ((), ANY_STAFF),
    "workflows:team_queue":                         ((), ANY_STAFF),
    "workflows:overview":                           ((), LEADERS),
    "workflows:referral_register":                  ((), REGISTER),
    "workflows:task":                               (("task",), TASK),
    "workflows:task_claim":                         (("task",), POST_ONLY),
    "workflows:task_assign":                        (("task",), POST_ONLY),
    "workflows:task_unassign":                      (("task",), POST_ONLY),
    "workflows:case_detail":                        (("case",), CASE_PAGE),
    "workflows:emergency_access":                   (("case",), POST_ONLY),
    "workflows:handover_summary":                   (("case",), SUMMARY),
    "workflows:person_edit":                        (("case",), CASE_SCREEN),
    "workflows:contact_add":                        (("case",), CASE_SCREEN),
    "workflows:goal_add":                           (("case",), CASE_SCREEN),
    "workflows:goal_status":                        (("case", "goal"), POST_ONLY),
    "workflows:consent_add":                        (("case",), CASE_SCREEN),
    "workflows:consent_withdraw":                   (("case", "consent"), POST_ONLY),
    "workflows:case_reopen":                        (("case",), CASE_SCREEN),
    # --- leaders: workflows/leader_urls.py (aggregates; a deadline list shows only what
    # the leader may open, which for this leader without a team is nothing)
    "leader:dashboard":                             ((), LEADERS),
    "leader:breaches":                              (("breach_kind",), LEADERS),
    "leader:status_report":                         ((), LEADERS),
    "leader:import_cases":                          ((), ADMINISTRATORS),
    "leader:import_template":                       ((), ADMINISTRATORS),
    # --- data protection: intranet/privacy_urls.py
    "privacy:index":                                ((), OFFICER),
    "privacy:person_log":                           (("person",), OFFICER),
    "privacy:person_log_csv":                       (("person",), OFFICER),
    "privacy:insight":                              (("person",), OFFICER),
    "privacy:user_log":                             (("user",), OFFICER),
    "privacy:user_log_csv":                         (("user",), OFFICER),
    "privacy:sample":                               ((), OFFICER),
    "privacy:emergency_accesses":                   ((), OFFICER),
    "privacy:emergency_review":                     (("emergency",), OFFICER),
    # --- intranet/urls.py
    "staff_home":                                   ((), ANY_STAFF),
    "search":                                       ((), ANY_STAFF),
    "health":                                       ((), EVERYONE),
    "set_language":                                 ((), REDIRECTS),
    # --- pages: our Wagtail admin report (pages/wagtail_hooks.py), our snippets' lists,
    # and the doors of the two admin families
    "standards_review_report":                      ((), WAGTAIL_ADMIN),
    "standards_review_report_results":              ((), WAGTAIL_ADMIN),
    "wagtailsnippets_pages_staffmember:list":       ((), SNIPPET_ADMINS),
    "wagtailsnippets_workflows_referralsource:list": ((), SNIPPET_ADMINS),
    "wagtailadmin_home":                            ((), WAGTAIL_ADMIN),
    # --- accounts and groups: Wagtail's screens with our granting rule (intranet/user_admin.py).
    # The row's user is a caseworker: stronger than an administrator, so no one gets in.
    "wagtailusers_users:index":                     ((), SNIPPET_ADMINS),
    "wagtailusers_users:index_results":             ((), SNIPPET_ADMINS),
    "wagtailusers_users:add":                       ((), SNIPPET_ADMINS),
    "wagtailusers_users:edit":                      (("user",), NOT_IN_ADMIN),
    "wagtailusers_groups:add":                      ((), SNIPPET_ADMINS),
    "wagtailusers_groups:edit":                     (("group",), SNIPPET_ADMINS),
    "admin:index":                                  ((), NOBODY_IS_STAFF),
    # --- pages and documents served by Wagtail (page privacy guards pages; files need login)
    "wagtail_serve":                                (("path",), EVERYONE),
    "wagtailcore_login":                            ((), EVERYONE),
    "wagtailcore_authenticate_with_password":       (("page_restriction", "page"), EVERYONE),
    "wagtaildocs_serve":                            (("document", "document_name"), ANY_STAFF),
    "wagtaildocs_authenticate_with_password":       (("collection_restriction",), ANY_STAFF),
    # --- accounts: django.contrib.auth.urls under /konto/
    "login":                                        ((), EVERYONE),
    "logout":                                       ((), POST_ONLY),
    "password_change":                              ((), ANY_STAFF),
    "password_change_done":                         ((), ANY_STAFF),
    "password_reset":                               ((), EVERYONE),
    "password_reset_done":                          ((), EVERYONE),
    "password_reset_confirm":                       (("uidb64", "token"), EVERYONE),
    "password_reset_complete":                      ((), EVERYONE),
}
# fmt: on

# Third-party families with hundreds of patterns: a rule instead of a row each. Our own
# views inside them (callback in one of OUR_APPS) still need a row above.
FAMILIES = {
    # Wagtail's admin: only roles with wagtailadmin.access_admin get in (rows above show the
    # home page per persona); test_wagtail_admin_family checks every parameterless address.
    "admin/": "anonymous: login page; without access_admin: Wagtail's login; else Wagtail decides",
    # Django's admin: for superusers only; no role makes a user staff.
    "django-admin/": "anonymous: a login page; every persona: redirected, never let in",
}
OUR_APPS = ("intranet.", "pages.", "workflows.")
# Object kinds whose id in a URL could reveal whether a record exists.
RECORDS = {"case", "task", "goal", "consent", "person", "user", "emergency"}


# --- Walking the resolver --------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str
    callback: str


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
            yield Pattern(prefix + str(entry.pattern), name, entry.lookup_str)


def family_of(pattern):
    if pattern.callback.startswith(OUR_APPS):
        return None
    return next((prefix for prefix in FAMILIES if pattern.route.startswith(prefix)), None)


def is_parameterless(route):
    return not re.search(r"[<(^$\\]", route)


def url_for(world, name, arguments, missing=False):
    values = [MISSING if missing and kind in RECORDS else world.kwargs[kind] for kind in arguments]
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
    assert {len(codes) for _arguments, codes in TABLE.values()} == {len(PERSONAS)}


@pytest.mark.parametrize("name", list(TABLE))
def test_every_persona_gets_the_answer_in_the_table(world, db, name):
    arguments, expected = TABLE[name]
    url = url_for(world, name, arguments)

    got = tuple(outcome(world.clients[persona].get(url)) for persona in PERSONAS)

    wrong = [
        f"{persona}: expected {want}, got {have}"
        for persona, want, have in zip(PERSONAS, expected, got, strict=True)
        if want != have
    ]
    assert not wrong, f"GET {url} ({name}):\n" + "\n".join(wrong)


def _normalised(response):
    """The body with what legitimately differs blanked: the csrf token and ids in addresses."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", body)
    return re.sub(r"/\d+/", "/ID/", body)


LEAK_ROWS = [name for name, (arguments, _codes) in TABLE.items() if RECORDS & set(arguments)]


@pytest.mark.parametrize("name", LEAK_ROWS)
def test_refusals_look_the_same_whether_or_not_the_record_exists(world, db, name):
    """Whoever is refused (403, 404, 405) cannot tell an existing record from a missing one."""
    arguments, expected = TABLE[name]
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


# Wagtail admin addresses that answer without admin access (login, password reset, assets).
WAGTAIL_OPEN = {
    "admin/login/",
    "admin/password_reset/",
    "admin/password_reset/done/",
    "admin/password_reset/complete/",
    "admin/jsi18n/",
    "admin/sprite/",
}


def test_wagtail_admin_family(world, db):
    """Every parameterless Wagtail admin address: anonymous users are sent to log in, a
    role without wagtailadmin.access_admin (here an outreach worker) to Wagtail's login.
    Only that one permission opens the admin, so one such persona stands for all of them;
    the rows of wagtailadmin_home and our admin views check every persona."""
    routes = _family_routes("admin/")
    assert len(routes) > 50 and "admin/" in routes
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
            else:
                ok = response.status_code == 302 and response["Location"].startswith(
                    reverse("wagtailadmin_login")
                )
            if not ok:
                wrong.append(f"{persona} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_django_admin_family(world, db):
    """Every parameterless Django admin address: nobody gets in. Django's admin lets in
    staff users only and no role makes a user staff, so the anonymous user and the most
    privileged role stand for every persona (the admin:index row checks them all)."""
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(is_staff=True).exists()
    routes = _family_routes("django-admin/")
    assert len(routes) > 10 and "django-admin/" in routes
    admin_login = reverse("admin:login")
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
