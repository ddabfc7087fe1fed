"""Team membership opens a team's cases only to those who work on cases (issue 15).

Membership comes from the staff directory (StaffMember.user and .teams), which the
administrators keep. An administrator who links their own account to a team's entry must not
read that team's cases: the directory entry is refused (pages.forms.StaffMemberForm), and were
the row there anyway, the one visibility rule (workflows.models.case_visibility) asks for the
casework right as well as the membership.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from intranet.models import AccessLogEntry
from pages.models import StaffMember
from workflows.models import Case

from .factories import StaffMemberFactory, UserFactory, register_case


def test_a_team_entry_forced_onto_an_administrator_opens_none_of_the_teams_cases(
    client, skp_standard, team_a, worker_a, administrator
):
    case = register_case(team=team_a, registered_by=worker_a)
    # The row the admin screen refuses to write, written anyway: the visibility rule holds.
    StaffMemberFactory(user=administrator, teams=[team_a])
    client.force_login(administrator)

    detail = client.get(reverse("workflows:case_detail", args=[case.pk]))
    queue = client.get(reverse("workflows:team_queue"))

    assert detail.status_code == 404
    assert queue.status_code == 200 and queue.context["rows"] == []
    assert not Case.objects.visible_to(administrator).exists()
    assert not AccessLogEntry.objects.filter(user=administrator, case_id=case.pk).exists()


def test_a_receiver_in_an_outreach_teams_entry_does_not_open_its_cases(
    client, skp_standard, team_b, worker_b, receiver_b
):
    """Receivers read the summaries handed over to their team, never the team's own cases."""
    case = register_case(team=team_b, registered_by=worker_b)
    client.force_login(receiver_b)

    assert client.get(reverse("workflows:case_detail", args=[case.pk])).status_code == 404


def test_a_caseworker_of_the_team_still_opens_its_cases(
    client, skp_standard, team_a, worker_a, coordinator_a
):
    case = register_case(team=team_a, registered_by=coordinator_a)
    client.force_login(worker_a)

    assert client.get(reverse("workflows:case_detail", args=[case.pk])).status_code == 200


# --- Who may change team membership: the staff directory's admin screens ---------------------


@pytest.fixture
def superuser(db):
    return UserFactory(username="superbruger", is_superuser=True)


def entry_url(action, member=None):
    name = f"wagtailsnippets_pages_staffmember:{action}"
    return reverse(name, args=[member.pk]) if member else reverse(name)


def entry_form(member=None, **fields):
    """The directory screen's POST as a browser sends it for this entry, plus the changes;
    without `user`/`teams` in `fields`, those (disabled) fields are not sent at all."""
    data = {
        "name": member.name if member else "Ny medarbejder",
        "job_title": member.job_title if member else "",
        "work_phone": member.work_phone if member else "",
        "mobile": member.mobile if member else "",
        "email": member.email if member else "",
    }
    data.update(fields)
    return data


def danish(msgid):
    with translation.override("da"):
        return translation.gettext(msgid)


REFUSED = (
    "You cannot change the user account or the teams: team membership opens the team's "
    "cases, a right you do not have yourself. Ask a superuser."
)


def test_administrator_cannot_link_their_own_account_to_a_teams_entry(
    client, skp_standard, team_a, worker_a, administrator
):
    entry = StaffMemberFactory(name="Vagttelefon Nord", teams=[team_a])
    case = register_case(team=team_a, registered_by=worker_a)
    client.force_login(administrator)

    response = client.post(
        entry_url("edit", entry), entry_form(entry, user=administrator.pk, teams=[team_a.pk])
    )

    assert response.status_code == 200
    assert response.context["form"].errors["user"] == [REFUSED]
    entry.refresh_from_db()
    assert entry.user is None
    assert client.get(reverse("workflows:case_detail", args=[case.pk])).status_code == 404


def test_administrator_cannot_put_their_own_entry_in_a_team(client, team_a, administrator):
    own = StaffMemberFactory(name="Admin Istrator", user=administrator)
    client.force_login(administrator)

    response = client.post(entry_url("edit", own), entry_form(own, teams=[team_a.pk]))

    assert response.status_code == 200
    assert response.context["form"].errors["teams"] == [REFUSED]
    assert not own.teams.exists()


def test_administrator_cannot_create_an_entry_that_puts_an_account_in_a_team(
    client, team_a, administrator
):
    client.force_login(administrator)

    response = client.post(entry_url("add"), entry_form(user=administrator.pk, teams=[team_a.pk]))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"user", "teams"}
    assert not StaffMember.objects.filter(user=administrator).exists()
    assert not StaffMember.objects.filter(teams=team_a).exclude(user__isnull=False).exists()


def test_administrator_cannot_take_a_worker_out_of_their_team(
    client, team_a, worker_a, administrator
):
    entry = worker_a.staff_member
    client.force_login(administrator)

    # An empty account select is sent as ""; unsent teams were read as "no teams".
    response = client.post(entry_url("edit", entry), entry_form(entry, user=""))

    assert response.status_code == 200
    assert response.context["form"].errors["user"] == [REFUSED]
    entry.refresh_from_db()
    assert entry.user == worker_a and list(entry.teams.all()) == [team_a]


@pytest.mark.danish
def test_the_refusal_is_explained_in_danish(client, team_a, administrator):
    own = StaffMemberFactory(name="Admin Istrator", user=administrator)
    client.force_login(administrator)

    response = client.post(entry_url("edit", own), entry_form(own, teams=[team_a.pk]))

    assert danish(REFUSED) != REFUSED
    assert danish(REFUSED) in response.content.decode()


def test_administrator_sees_the_membership_fields_disabled(client, worker_a, administrator):
    client.force_login(administrator)

    form = client.get(entry_url("edit", worker_a.staff_member)).context["form"]

    assert form.fields["user"].disabled and form.fields["teams"].disabled


def test_administrator_still_edits_a_team_members_phone_number(
    client, team_a, worker_a, administrator
):
    entry = worker_a.staff_member
    client.force_login(administrator)

    response = client.post(entry_url("edit", entry), entry_form(entry, work_phone="70 20 30 40"))
    entry.refresh_from_db()
    # Membership sent unchanged (a client that posts every field) is no change.
    resent = client.post(
        entry_url("edit", entry),
        entry_form(entry, mobile="20 30 40 50", user=worker_a.pk, teams=[team_a.pk]),
    )

    assert response.status_code == 302 and resent.status_code == 302
    entry.refresh_from_db()
    assert (entry.work_phone, entry.mobile) == ("70 20 30 40", "20 30 40 50")
    assert entry.user == worker_a and list(entry.teams.all()) == [team_a]


def test_administrator_still_adds_a_directory_entry_without_account_or_team(client, administrator):
    client.force_login(administrator)

    response = client.post(entry_url("add"), entry_form(name="Ny i receptionen"))

    assert response.status_code == 302
    entry = StaffMember.objects.get(name="Ny i receptionen")
    assert entry.user is None and not entry.teams.exists()


def test_superuser_changes_team_membership(client, team_a, team_b, worker_a, superuser):
    entry = worker_a.staff_member
    client.force_login(superuser)

    response = client.post(
        entry_url("edit", entry), entry_form(entry, user=worker_a.pk, teams=[team_b.pk])
    )
    created = client.post(entry_url("add"), entry_form(name="Ny i Nord", teams=[team_a.pk]))

    assert response.status_code == 302 and created.status_code == 302
    assert list(entry.teams.all()) == [team_b]
    assert list(StaffMember.objects.get(name="Ny i Nord").teams.all()) == [team_a]


def test_copying_a_directory_entry_is_not_offered(client, team_a, worker_a, administrator):
    """Wagtail's snippet copy saves into the copied entry itself."""
    entry = worker_a.staff_member
    client.force_login(administrator)

    response = client.post(
        f"/admin/snippets/pages/staffmember/copy/{entry.pk}/",
        entry_form(entry, name="Kopi", user=administrator.pk, teams=[team_a.pk]),
    )

    assert response.status_code == 404
    entry.refresh_from_db()
    assert (entry.name, entry.user) == (worker_a.get_full_name(), worker_a)


def test_administrator_cannot_delete_a_team_members_entry(client, worker_a, administrator):
    entry = worker_a.staff_member
    loose = StaffMemberFactory(name="Tidligere kollega")
    bulk = reverse("wagtail_bulk_action", args=("pages", "staffmember", "delete"))
    client.force_login(administrator)

    single = client.post(entry_url("delete", entry))
    several = client.post(f"{bulk}?id={entry.pk}&id={loose.pk}")
    alone = client.post(entry_url("delete", loose))

    assert single.status_code == 302 and several.status_code == 302
    assert StaffMember.objects.filter(pk=entry.pk).exists()
    assert alone.status_code == 302
    assert not StaffMember.objects.filter(pk=loose.pk).exists()
