"""factory_boy factories for the test suite and nothing else."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Page, Site

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


class StandardPageFactory(PageFactory):
    class Meta:
        model = StandardPage

    title = "Kvalitetsstandard for støtte- og kontaktperson (SKP)"
    slug = factory.Sequence(lambda n: f"skp-{n}")
    first_contact_deadline_days = 7
    reassessment_interval_months = 4
    min_age = 18
    max_age = 65
    approval_body = "Social- og Sundhedsudvalget"
    target_group = "<p>Borgere over 18 år med sindslidelse eller misbrug uden bolig.</p>"
    parent = factory.LazyFunction(standard_index)

    @classmethod
    def _create(cls, model_class, parent=None, delivering_teams=(), **kwargs):
        page = model_class(**kwargs)
        parent.add_child(instance=page)
        page.delivering_teams.set(delivering_teams)
        page.save_revision().publish()
        page.refresh_from_db()
        return page
