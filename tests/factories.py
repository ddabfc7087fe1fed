"""factory_boy factories for the test suite and nothing else."""

import signal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import Locale, Page, Site

from intranet.roles import ROLES
from pages.models import (
    DepartmentPage,
    DirectoryPage,
    HomePage,
    PartnerPage,
    StaffMember,
    StandardIndexPage,
    StandardPage,
    TeamPage,
)

PASSWORD = "Brobygger-test-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for key in extracted or ():
            self.groups.add(Group.objects.get(name=ROLES[key].group_name))
        if create:
            self.save()


class PageFactory(factory.Factory):
    """Builds a page and adds it under `parent` in the tree (pages cannot be saved alone)."""

    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Side {n}")
    live = True
    # Content lives in the site's one locale, whatever language the test's interface uses.
    locale = factory.LazyFunction(lambda: Locale.objects.order_by("pk").first())

    @classmethod
    def _create(cls, model_class, parent=None, **kwargs):
        page = model_class(**kwargs)
        parent.add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
        return page

    @classmethod
    def _build(cls, model_class, parent=None, **kwargs):
        return model_class(**kwargs)


def site_root():
    """The site's HomePage, created (and made the default site's root) on first use."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.objects.get(depth=1)
        home = HomePage(title="Forside", slug="forside")
        root.add_child(instance=home)
        home.save_revision().publish()
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home},
        )
    return home


class DirectoryPageFactory(PageFactory):
    class Meta:
        model = DirectoryPage

    title = "Kontakt"
    slug = "kontakt"
    parent = factory.LazyFunction(site_root)


def directory():
    return DirectoryPage.objects.first() or DirectoryPageFactory()


class DepartmentPageFactory(PageFactory):
    class Meta:
        model = DepartmentPage

    title = factory.Sequence(lambda n: f"Afdeling {n}")
    phone = "70 10 20 30"
    parent = factory.LazyFunction(directory)


class TeamPageFactory(PageFactory):
    class Meta:
        model = TeamPage

    title = factory.Sequence(lambda n: f"Team {n}")
    phone = "70 10 20 31"
    email = factory.Sequence(lambda n: f"team{n}@example.invalid")
    parent = factory.SubFactory(DepartmentPageFactory)


class PartnerPageFactory(PageFactory):
    class Meta:
        model = PartnerPage

    title = factory.Sequence(lambda n: f"Samarbejdspartner {n}")
    kind = "addiction"
    parent = factory.LazyFunction(directory)


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    name = factory.Faker("name", locale="da_DK")
    job_title = "Støtte- og kontaktperson"

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if extracted:
            self.teams.set(extracted)
            self.save()


def standard_index():
    index = StandardIndexPage.objects.first()
    if index is None:
        index = StandardIndexPage(title="Kvalitetsstandarder", slug="kvalitetsstandarder")
        site_root().add_child(instance=index)
        index.save_revision().publish()
    return index


def section(text, *, kind="", heading=""):
    """A section block of a standard's body, as raw stream data: a usual `kind` of section
    (pages.blocks.SectionKind) or an own `heading`."""
    return {"type": "section", "value": {"kind": kind, "heading": heading, "text": text}}


class StandardPageFactory(PageFactory):
    class Meta:
        model = StandardPage

    title = "Kvalitetsstandard for støtte- og kontaktperson (SKP)"
    slug = factory.Sequence(lambda n: f"skp-{n}")
    first_contact_deadline_days = 7
    reassessment_interval_months = 4
    reassessment_rule = factory.LazyAttribute(
        lambda standard: "every" if standard.reassessment_interval_months else "none"
    )
    min_age = 18
    max_age = 65
    approval_body = "Social- og Sundhedsudvalget"
    body = factory.LazyFunction(
        lambda: [
            section(
                "<p>Borgere over 18 år med sindslidelse eller misbrug uden bolig.</p>",
                kind="target_group",
            )
        ]
    )
    parent = factory.LazyFunction(standard_index)

    @classmethod
    def _create(cls, model_class, parent=None, delivering_teams=(), **kwargs):
        page = model_class(**kwargs)
        parent.add_child(instance=page)
        page.delivering_teams.set(delivering_teams)
        page.save_revision().publish()
        page.refresh_from_db()
        return page


# --- workflows ------------------------------------------------------------------------------

from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from pages.models import StandardRedirect  # noqa: E402
from workflows import services as workflow_services  # noqa: E402
from workflows.models import Channel, ContactKind, Person, ReferralSource, Stage  # noqa: E402


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    alias = factory.Sequence(lambda n: f"Kasket-{n}")
    whereabouts = factory.Sequence(lambda n: f"Bænken ved indgang {n}, Banegårdspladsen")


def standard_with_redirects(*, delivering_teams, redirects=None, **kwargs):
    """A published standard with redirect destinations ({reason: page}, or StandardRedirect
    rows), in one revision."""
    standard = StandardPageFactory.build(**kwargs)
    standard_index().add_child(instance=standard)
    standard.delivering_teams.set(delivering_teams)
    if isinstance(redirects, dict):
        redirects = [
            StandardRedirect(reason=reason, destination=destination)
            for reason, destination in redirects.items()
        ]
    for redirect in redirects or []:
        standard.redirects.add(redirect)
    standard.save_revision().publish()
    standard.refresh_from_db()
    return standard


def register_case(*, team, registered_by=None, person=None, **kwargs):
    """A referral registered through the service, waiting for triage."""
    defaults = {
        "concern": "Sover i opgangen og virker forvirret.",
        "channel": Channel.PHONE,
        "source": ReferralSource.objects.order_by("sort_order").first(),
    }
    return workflow_services.referral_register(
        team=team,
        person=person or PersonFactory.build(),
        registered_by=registered_by,
        **{**defaults, **kwargs},
    )


def open_task(case, name):
    """The open (or scheduled) task `name` of a case's process, or None."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    return (
        Task.objects.filter(
            process_id=case.process_id,
            flow_task=getattr(case.process.flow_class, name),
            status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.SCHEDULED],
        )
        .order_by("-pk")
        .first()
    )


# Walking the work screens with the test client (flow tests share these steps).


def task_url(task):
    return reverse("workflows:task", args=[task.pk])


def claim_and_triage(client, coordinator, case, data):
    client.force_login(coordinator)
    task = open_task(case, "triage")
    response = client.post(reverse("workflows:task_claim", args=[task.pk]))
    assert response.status_code == 302
    return client.post(task_url(task), data)


def accept(client, coordinator, case, worker):
    response = claim_and_triage(
        client, coordinator, case, {"decision": "accept", "primary_worker": worker.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def log_contact(client, worker, case, achieved):
    client.force_login(worker)
    response = client.post(
        reverse("workflows:contact_add", args=[case.pk]),
        {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "kind": ContactKind.PUBLIC_SPACE,
            "worker": worker.pk,
            "achieved": "on" if achieved else "",
            "duration_minutes": "20",
            "note": "Mødt ved bænken.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def finish_outreach(client, worker, case, result):
    client.force_login(worker)
    return client.post(task_url(open_task(case, "outreach")), {"result": result, "note": ""})


def case_in_support(client, coordinator, worker, team):
    case = register_case(team=team, registered_by=worker)
    accept(client, coordinator, case, worker)
    log_contact(client, worker, case, achieved=True)
    response = finish_outreach(client, worker, case, "contact_made")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.SUPPORT
    return case


def referral_post_data(team, source_pk="", **extra):
    """What the referral form posts for an anonymous person (field names with prefixes)."""
    return {
        "person-alias": "Dobbeltklik-Ole",
        "person-gender": "unknown",
        "person-age_group": "unknown",
        "person-income_source": "unknown",
        "person-marital_status": "unknown",
        "person-living_alone": "unknown",
        "person-housing": "unknown",
        "person-main_problem": "unknown",
        "referral-team": team.pk,
        "referral-received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "referral-channel": Channel.PHONE,
        "referral-source": source_pk,
        "referral-concern": "Sover i opgangen.",
    } | extra


def contact_post_data(worker, **extra):
    """What the contact-log form posts for an achieved contact in a public space."""
    return {
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "kind": ContactKind.PUBLIC_SPACE,
        "worker": worker.pk,
        "achieved": "on",
        "duration_minutes": "20",
        "note": "Mødt ved bænken.",
    } | extra


def run_background_jobs():
    """The real background worker (`manage.py db_worker --backend background`), in this
    process, until its queue is empty. It installs its own SIGINT/SIGTERM handlers: the
    test runner's are given back afterwards."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker",
            "--backend=background",
            batch=True,
            reload=False,
            startup_delay=False,
            interval=0,
            verbosity=0,
        )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
