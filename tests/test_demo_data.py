import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.models import Page, Site

from intranet.roles import ROLES
from pages.blocks import SectionKind
from pages.models import (
    DepartmentPage,
    HomePage,
    PartnerPage,
    RedirectReason,
    StandardPage,
    TeamPage,
)
from pages.rules import rules_in_force, rules_of_revision
from workflows.demo.data import DEMO_PASSWORD, STAFF
from workflows.models import Case, Outcome, Stage

from .conftest import demo_data

REAL_NUMBERS = {"112", "114", "1813"}


def row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def test_running_demo_data_twice_changes_nothing(demo):
    before = row_counts()
    latest_revision = Page.objects.order_by("-latest_revision_id").first().latest_revision_id

    demo_data()

    assert row_counts() == before
    assert Page.objects.order_by("-latest_revision_id").first().latest_revision_id == (
        latest_revision
    )


def test_demo_home_page_replaces_wagtails_welcome_page(demo):
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert not Page.objects.filter(depth=2).exclude(pk=site.root_page_id).exists()
    assert Page.objects.get(url_path="/forside/kvalitetsstandarder/").live
    assert Page.objects.get(url_path="/forside/kontakt/").live


def test_demo_pages_are_published_with_a_revision(demo):
    pages = Page.objects.filter(depth__gt=1)
    assert pages.count() > 20
    assert not pages.filter(live=False).exists()
    assert not pages.filter(live_revision__isnull=True).exists()


def test_demo_pages_render_for_staff_and_the_public(demo, client):
    standard = StandardPage.objects.get(slug="stoette-og-kontaktperson")
    team = TeamPage.objects.get(slug="udekoerende-team-nord")
    public_urls = ["/", "/kvalitetsstandarder/", "/kontakt/", "/bekymret/", standard.url, team.url]
    for url in public_urls:
        assert client.get(url).status_code == 200, url

    client.force_login(get_user_model().objects.get(username="skp_nord_1"))
    for url in [*public_urls, "/personale/", "/sog/?q=opsøgende"]:
        assert client.get(url).status_code == 200, url


def test_demo_skp_standard_sets_the_rules_of_the_outreach_teams(demo):
    standard = StandardPage.objects.get(slug="stoette-og-kontaktperson")
    for slug in ["udekoerende-team-nord", "udekoerende-team-syd"]:
        rules = rules_in_force(team=TeamPage.objects.get(slug=slug))
        assert rules.standard_id == standard.pk
        assert (rules.first_contact_deadline_days, rules.reassessment_interval_months) == (7, 4)
        assert (rules.min_age, rules.max_age) == (18, 65)
    blocks = list(standard.body)
    assert blocks[0].block_type == "paragraph"  # the introduction comes first
    sections = [block.value for block in blocks if block.block_type == "section"]
    assert {value["kind"] for value in sections} >= set(SectionKind.values)
    assert "Kriterier" in [value["heading"] for value in sections]
    assert standard.approval_body == "Social- og Sundhedsudvalget"
    assert not standard.is_due_for_review


def test_demo_team_nord_delivers_a_section_85_and_a_section_99_standard(demo):
    nord = TeamPage.objects.get(slug="udekoerende-team-nord")
    skp = StandardPage.objects.get(slug="stoette-og-kontaktperson")
    section_85 = StandardPage.objects.get(slug="socialpaedagogisk-stoette-85")

    assert set(nord.standards.all()) == {skp, section_85}
    assert rules_in_force(team=nord, legal_basis="85").standard_id == section_85.pk
    assert rules_in_force(team=nord, legal_basis="99").standard_id == skp.pk
    # The demo's cases were all registered under § 99 and keep the SKP standard.
    cases = Case.objects.filter(standard_revision__isnull=False)
    assert set(cases.values_list("legal_basis", flat=True)) == {"99"}
    assert set(cases.values_list("standard_revision__object_id", flat=True)) == {str(skp.pk)}


@pytest.mark.danish
def test_demo_has_a_standard_written_the_other_way_and_its_page_promises_nothing_it_omits(
    demo, client
):
    standard = StandardPage.objects.get(slug="opsoegende-gadeplansarbejde")
    rules = rules_of_revision(standard.live_revision_id)

    assert rules.first_contact_deadline(timezone.now()) is None
    assert rules.reassessment_rule == "once"
    assert (rules.min_age, rules.max_age) == (None, None)
    html = client.get(standard.url, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Støtten revurderes én gang, efter 4 måneder." in html
    assert "Første kontakt" not in html and "alderen" not in html


def test_demo_redirects_send_every_reason_to_the_right_place(demo):
    standard = StandardPage.objects.get(slug="stoette-og-kontaktperson")
    rules = rules_in_force(team=TeamPage.objects.get(slug="udekoerende-team-nord"))
    destinations = {
        key: [Page.objects.get(pk=pk).specific for pk in ids]
        for key, ids in rules.redirects.items()
    }
    own = "other:Behov for lægehjælp, der ikke er livstruende"
    assert set(destinations) == {*RedirectReason.values, own} - {"other"}
    # One reason, two destinations: the emergency services and the police.
    assert [page.phone for page in destinations["acute"]] == ["112", "114"]
    assert [page.title for page in destinations["under_age"]] == ["Familieafdelingen"]
    assert [page.title for page in destinations["over_age"]] == ["Ældrevisitationen"]
    assert [page.title for page in destinations["substance_abuse"]] == ["Rusmiddelcenteret"]
    assert [page.title for page in destinations["long_term_support"]] == ["Myndighedsafdelingen"]
    assert isinstance(destinations["other_municipality"][0], PartnerPage)
    assert [page.phone for page in destinations[own]] == ["1813"]
    assert len(standard.redirect_groups()) == len(destinations)


def test_demo_has_an_older_standard_due_for_review(demo):
    assert StandardPage.objects.live().due_for_review(within_days=0).exists()


def test_every_role_has_a_demo_user_who_logs_in_with_the_demo_password(demo, client):
    users = get_user_model().objects.filter(username__in=STAFF)
    for role in ROLES.values():
        member = users.filter(groups__name=role.group_name).first()
        assert member is not None, role.key
        assert client.login(username=member.username, password=DEMO_PASSWORD), member
        assert member.staff_member.name == member.get_full_name()
    assert users.get(username="administrator").is_superuser
    assert f"adgangskoden {DEMO_PASSWORD}" in demo
    assert all(username in demo for username in STAFF)


def test_every_outreach_team_has_workers_and_a_coordinator(demo):
    for slug in ["udekoerende-team-nord", "udekoerende-team-syd"]:
        groups = TeamPage.objects.get(slug=slug).members.values_list(
            "user__groups__name", flat=True
        )
        assert list(groups).count(ROLES["outreach_worker"].group_name) >= 2
        assert ROLES["coordinator"].group_name in groups


def test_demo_password_passes_the_password_rules():
    validate_password(DEMO_PASSWORD)


def test_demo_contact_details_are_invented(demo):
    contacts = [
        *DepartmentPage.objects.all(),
        *TeamPage.objects.all(),
        *PartnerPage.objects.all(),
    ]
    for contact in contacts:
        assert contact.phone in REAL_NUMBERS or contact.phone.startswith("70 00 "), contact
        for address in [contact.email, contact.secure_email]:
            assert not address or address.endswith((".example.dk", ".invalid")), address
    for user in get_user_model().objects.all():
        assert user.email.endswith((".example.dk", ".invalid")), user.email


def test_demo_cases_stand_at_every_step_of_the_process(demo):
    cases = Case.objects.all()
    assert set(cases.values_list("stage", flat=True)) == set(Stage.values) - {Stage.INTAKE}
    assert cases.filter(stage=Stage.TRIAGE, first_contact_due__lt=timezone.localdate()).exists()
    assert cases.get(stage=Stage.HANDOVER).handover_team.title == "Rusmiddelcenteret"
    assert set(cases.filter(stage=Stage.CLOSED).values_list("outcome", flat=True)) == {
        Outcome.REDIRECTED,
        Outcome.DECLINED,
    }
    assert not cases.filter(process__isnull=True).exists()
    reassessment = cases.get(stage=Stage.REASSESSMENT)
    assert reassessment.reassessments.filter(decided_at__isnull=True).exists()


def test_demo_data_refuses_to_run_without_debug(db):
    before = row_counts()

    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("demo_data", stdout=io.StringIO())

    assert row_counts() == before
