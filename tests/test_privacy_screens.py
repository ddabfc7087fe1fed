"""The data protection officer's screens under /databeskyttelse/."""

import ast
import csv
import datetime
import io
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from intranet.audit import log_access
from intranet.models import AccessAction, AccessLogEntry
from workflows.models import Person
from workflows.privacy import describe_access

from .factories import PersonFactory


@pytest.fixture
def person(db):
    return PersonFactory(alias="Kasket", name="Jens Planteborger")


@pytest.fixture
def looked_at(person, worker_a):
    """Three accesses by a worker: two about the person, one about someone else."""
    for what in ("case", "task:outreach"):
        log_access(user=worker_a, action=AccessAction.VIEW, what=what, person_id=person.pk)
    log_access(user=worker_a, action=AccessAction.VIEW, what="case", person_id=person.pk + 1000)
    return person


def _urls(person, user):
    return [
        reverse("privacy:index") + "?q=Kasket",
        reverse("privacy:person_log", args=[person.pk]),
        reverse("privacy:person_log_csv", args=[person.pk]),
        reverse("privacy:insight", args=[person.pk]),
        reverse("privacy:user_log", args=[user.pk]),
        reverse("privacy:user_log_csv", args=[user.pk]),
        reverse("privacy:sample"),
    ]


@pytest.mark.parametrize("persona", ["worker_a", "coordinator_a", "leader", "administrator"])
def test_other_roles_get_403_and_leave_no_trace(client, request, persona, person):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in _urls(person, user):
        assert client.get(url).status_code == 403, url
    assert not AccessLogEntry.objects.exists()


def test_who_looked_at_a_person_lists_their_accesses_and_is_logged(
    client, dpo, looked_at, worker_a, django_assert_max_num_queries
):
    client.force_login(dpo)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("privacy:person_log", args=[looked_at.pk]))

    assert response.status_code == 200
    rows = [(entry.user, entry.what) for entry in response.context["entries"]]
    # The officer's own look is an access to the person too, and comes first.
    assert rows == [
        (dpo, "access log of person (data protection)"),
        (worker_a, "task:outreach"),
        (worker_a, "case"),
    ]


def test_what_a_user_looked_at_lists_only_their_accesses(
    client, dpo, looked_at, worker_a, worker_b, django_assert_max_num_queries
):
    log_access(user=worker_b, action=AccessAction.VIEW, what="other", person_id=looked_at.pk)
    client.force_login(dpo)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("privacy:user_log", args=[worker_a.pk]))

    assert response.status_code == 200
    assert len(response.context["entries"]) == 3
    assert {entry.user for entry in response.context["entries"]} == {worker_a}


def test_the_person_picker_finds_by_alias_name_and_id_and_logs_the_search(client, dpo, person):
    other = PersonFactory(alias="Hattemand")
    client.force_login(dpo)

    by_alias = client.get(reverse("privacy:index"), {"q": "kasket"})
    by_name = client.get(reverse("privacy:index"), {"q": "Planteborger"})
    by_id = client.get(reverse("privacy:index"), {"q": str(other.pk)})

    assert by_alias.context["persons"] == [person]
    assert by_name.context["persons"] == [person]
    assert by_id.context["persons"] == [other]
    searches = AccessLogEntry.objects.filter(user=dpo).order_by("pk")
    assert list(searches.values_list("search_term", "person_id")) == [
        ("kasket", person.pk),
        ("Planteborger", person.pk),
        (str(other.pk), other.pk),
    ]


def test_a_search_without_hits_is_logged_too(client, dpo, person):
    client.force_login(dpo)
    response = client.get(reverse("privacy:index"), {"q": "ingen-saadan"})
    assert response.context["persons"] == []
    assert AccessLogEntry.objects.get(user=dpo).search_term == "ingen-saadan"


def _csv_rows(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_csv_export_escapes_formulas_and_is_logged(client, dpo, person, worker_a):
    log_access(
        user=worker_a,
        action=AccessAction.VIEW,
        what='=HYPERLINK("http://evil.invalid")',
        person_id=person.pk,
        search_term="+45 12 34",
        reason="-2+3",
    )
    log_access(user=worker_a, action=AccessAction.VIEW, what="@SUM(A1)", person_id=person.pk)
    client.force_login(dpo)

    response = client.get(reverse("privacy:person_log_csv", args=[person.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil.invalid")' in cells
    assert "'+45 12 34" in cells
    assert "'-2+3" in cells
    assert "'@SUM(A1)" in cells
    assert not any(cell[:1] in "=+-@" for cell in cells if cell)
    assert AccessLogEntry.objects.filter(
        user=dpo, action=AccessAction.EXPORT, person_id=person.pk
    ).exists()


def test_user_csv_export_has_a_row_per_access(client, dpo, looked_at, worker_a):
    client.force_login(dpo)
    response = client.get(reverse("privacy:user_log_csv", args=[worker_a.pk]))
    rows = _csv_rows(response)
    assert len(rows) == 1 + 3


def test_the_officer_sees_the_user_name_an_entry_was_written_under(
    client, dpo, looked_at, worker_a
):
    old_name = worker_a.username
    worker_a.username = "omdoebt"
    worker_a.save()
    client.force_login(dpo)

    page = client.get(reverse("privacy:person_log", args=[looked_at.pk])).content.decode()
    assert f"<bdi>{old_name}</bdi>" in page
    assert "<bdi>omdoebt</bdi>" in page
    rows = _csv_rows(client.get(reverse("privacy:user_log_csv", args=[worker_a.pk])))
    column = rows[0].index("user name at the time")
    assert {row[column] for row in rows[1:]} == {old_name}


@pytest.fixture
def month_of_accesses(db, worker_a, table_owner):
    """40 accesses on 2026-03-10 and 5 in April (outside the period asked for), written by
    the owner of the table, the only role that may date an entry in the past."""
    march = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)
    with table_owner(), time_machine.travel(march):
        for n in range(40):
            log_access(user=worker_a, action=AccessAction.VIEW, what=f"case {n}", case_id=n)
    april = datetime.datetime(2026, 4, 10, 12, tzinfo=datetime.UTC)
    with table_owner(), time_machine.travel(april):
        for n in range(5):
            log_access(user=worker_a, action=AccessAction.VIEW, what="april", case_id=n)


def test_a_spot_check_draws_the_asked_number_from_the_period(
    client, dpo, month_of_accesses, django_assert_max_num_queries
):
    client.force_login(dpo)
    params = {"start": "2026-03-01", "end": "2026-03-31", "size": "10"}
    with django_assert_max_num_queries(12):
        response = client.get(reverse("privacy:sample"), params)

    entries = response.context["entries"]
    assert len(entries) == 10
    assert len({entry.pk for entry in entries}) == 10
    assert response.context["total"] == 40
    assert all(entry.what != "april" for entry in entries)
    logged = AccessLogEntry.objects.get(user=dpo)
    assert logged.reason.startswith("10 of 40")


def test_a_spot_check_larger_than_the_period_shows_everything(client, dpo, month_of_accesses):
    client.force_login(dpo)
    response = client.get(
        reverse("privacy:sample"), {"start": "2026-04-01", "end": "2026-04-30", "size": "50"}
    )
    assert len(response.context["entries"]) == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-03-01", "end": "2026-03-31", "size": "0"}, "size"),
        ({"start": "2026-03-01", "end": "2026-03-31", "size": "501"}, "size"),
        ({"start": "2026-03-01", "end": "2026-03-31", "size": "ti"}, "size"),
        ({"start": "2026-03-31", "end": "2026-03-01", "size": "10"}, "end"),
        ({"start": "2024-01-01", "end": "2026-03-01", "size": "10"}, "start"),
        ({"start": "2026-03-01", "end": "2999-01-01", "size": "10"}, "end"),
        ({"start": "1. marts", "end": "2026-03-31", "size": "10"}, "start"),
    ],
)
def test_a_spot_check_with_an_invalid_size_or_period_is_refused(client, dpo, params, field):
    client.force_login(dpo)
    response = client.get(reverse("privacy:sample"), params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["entries"] is None
    assert not AccessLogEntry.objects.exists()


def test_the_log_of_a_deleted_person_can_still_be_read(client, dpo, worker_a):
    gone = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    log_access(user=worker_a, action=AccessAction.VIEW, what="case", person_id=gone + 99)
    client.force_login(dpo)
    assert client.get(reverse("privacy:person_log", args=[gone + 99])).status_code == 200
    assert client.get(reverse("privacy:person_log", args=[gone + 98])).status_code == 404


def test_ids_too_large_for_the_database_are_not_found_rather_than_an_error(client, dpo):
    huge = 2**63
    client.force_login(dpo)
    for name in ["person_log", "person_log_csv", "insight", "user_log", "user_log_csv"]:
        assert client.get(reverse(f"privacy:{name}", args=[huge])).status_code == 404, name
    response = client.get(reverse("privacy:index"), {"q": str(huge)})
    assert response.status_code == 200
    assert response.context["persons"] == []


@pytest.mark.danish
def test_the_log_says_in_danish_what_was_looked_at(client, dpo, looked_at, worker_a):
    client.force_login(dpo)

    person_log = client.get(reverse("privacy:person_log", args=[looked_at.pk])).content.decode()
    user_log = client.get(reverse("privacy:user_log", args=[dpo.pk])).content.decode()

    assert "<td>sagen</td>" in person_log
    assert "<td>opgaven “Opsøgende kontakt: opnå kontakt”</td>" in person_log
    assert "<td>adgangsloggen, læst af databeskyttelsesrådgiveren</td>" in person_log
    assert "<td>case</td>" not in person_log and "task:outreach" not in person_log
    assert f"<td>adgangsloggen for bruger {dpo.pk}, læst af databeskyttelsesrådgiveren</td>" in (
        user_log
    )


def test_every_access_code_the_views_log_is_described():
    # The `what` codes written in our source, and the ones built with an id or a node name.
    codes = set()
    for path in Path(settings.BASE_DIR).glob("[iw]*/**/*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_log_call = isinstance(node, ast.Call) and getattr(
                node.func, "id", getattr(node.func, "attr", "")
            ) in {
                "log_access",
                "_log",
                "_case_form_view",
                "shows_case_data",
                "shows_case_list",
                "show",
                "show_list",
                "_show_case",
                "_show_cases",
            }
            if is_log_call:
                values = [kw.value for kw in node.keywords if kw.arg == "what"] + node.args[-1:]
                codes |= {v.value for v in values if isinstance(v, ast.Constant)}
    codes -= {None}
    assert {"case", "contact", "insight report", "case import"} <= codes

    undescribed = sorted(code for code in codes if describe_access(code) == code)
    assert not undescribed, (
        f"access-log codes shown raw to the data protection officer: {undescribed}"
    )
    assert describe_access("access log of user 7 (data protection)") != (
        "access log of user 7 (data protection)"
    )
    assert "7" in describe_access("access log of user 7, CSV (data protection)")
    assert describe_access("task:triage") != "task:triage"
    # What a case screen shows under emergency access carries the suffix (intranet.audit).
    for code in ("case", "person", "handover summary", "task:triage"):
        assert describe_access(f"{code} (emergency access)") not in (
            describe_access(code),
            f"{code} (emergency access)",
        )


@pytest.mark.danish
def test_a_spot_check_is_logged_in_danish_whatever_language_the_officer_reads(
    client, dpo, month_of_accesses, settings
):
    client.force_login(dpo)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(
        reverse("privacy:sample"), {"start": "2026-03-01", "end": "2026-03-31", "size": "10"}
    )

    assert response["Content-Language"] == "en"
    logged = AccessLogEntry.objects.get(user=dpo)
    assert logged.reason == "10 af 40 opslag fra 01.03.2026 til 31.03.2026"


def test_a_search_term_with_direction_controls_is_logged_and_shown_without_them(
    client, dpo, worker_a, skp_standard, team_a
):
    """A term ending in U+202E would draw the rest of the officer's log row backwards."""
    from .factories import register_case

    case = register_case(team=team_a, registered_by=worker_a)
    client.force_login(worker_a)
    opened = client.get(
        reverse("workflows:case_detail", args=[case.pk]) + "?q=Jens%E2%80%AEabc%E2%80%8B"
    )
    assert opened.status_code == 200
    entry = AccessLogEntry.objects.get(user=worker_a, case_id=case.pk)
    assert entry.search_term == "Jensabc"

    client.force_login(dpo)
    for url in (
        reverse("privacy:person_log", args=[case.person_id]),
        reverse("privacy:user_log", args=[worker_a.pk]),
    ):
        html = client.get(url).content.decode()
        assert "<bdi>Jensabc</bdi>" in html, url
        assert "\u202e" not in html and "\u200b" not in html, url
    exported = client.get(reverse("privacy:user_log_csv", args=[worker_a.pk]))
    assert "Jensabc" in [cell for row in _csv_rows(exported) for cell in row]


@pytest.mark.parametrize("control", ["\u202e", "\u200b", "\u2066", "\ufeff"])
def test_a_control_in_front_of_a_formula_does_not_slip_past_the_csv_guard(
    client, dpo, person, worker_a, control
):
    # Written as an older entry may hold it, before the log stripped controls.
    AccessLogEntry.objects.create(
        user=worker_a,
        action=AccessAction.VIEW,
        what="case",
        person_id=person.pk,
        search_term=f"{control}=HYPERLINK(1)",
        reason=f"{control}{control}-2+3",
    )
    client.force_login(dpo)

    rows = _csv_rows(client.get(reverse("privacy:person_log_csv", args=[person.pk])))

    cells = [cell for row in rows[1:] for cell in row]
    assert "'=HYPERLINK(1)" in cells
    assert "'-2+3" in cells
    assert not any(control in cell for cell in cells)


def test_the_csv_says_what_was_seen_in_words_and_names_its_columns_rightly(
    client, dpo, looked_at, worker_a
):
    client.force_login(dpo)

    rows = _csv_rows(client.get(reverse("privacy:user_log_csv", args=[worker_a.pk])))

    header = rows[0]
    assert header[1:4] == ["user", "name", "user name at the time"]
    what = header.index("what")
    assert {row[2] for row in rows[1:]} == {worker_a.get_full_name()}
    codes = AccessLogEntry.objects.filter(user=worker_a).values_list("what", flat=True)
    assert sorted(row[what] for row in rows[1:]) == sorted(describe_access(c) for c in codes)
    assert "case" not in {row[what] for row in rows[1:]}  # the words, not the code
