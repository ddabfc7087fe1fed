"""The root of the page tree carries a Danish title (editors see it in the admin)."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from intranet.apps import WAGTAIL_ROOT_TITLE, ensure_page_tree_root

pytestmark = pytest.mark.danish


def _root():
    return Page.objects.get(depth=1)


def test_the_root_wagtail_created_is_renamed_after_migrate(db):
    # Wagtail's migration named it "Root"; the post_migrate handler has run since.
    assert _root().title == "Rodside"
    assert _root().draft_title == "Rodside"


def test_a_root_still_titled_root_is_renamed(db):
    Page.objects.filter(depth=1).update(title=WAGTAIL_ROOT_TITLE, draft_title=WAGTAIL_ROOT_TITLE)

    ensure_page_tree_root()

    assert (_root().title, _root().draft_title) == ("Rodside", "Rodside")


def test_a_title_an_administrator_chose_is_kept(db):
    Page.objects.filter(depth=1).update(title="Alle websteder", draft_title="Alle websteder")

    ensure_page_tree_root()

    assert _root().title == "Alle websteder"


def test_a_flushed_database_gets_a_root_with_the_danish_title(db):
    Page.objects.all().delete()

    ensure_page_tree_root()

    assert Page.objects.count() == 1
    assert _root().title == "Rodside"


def test_the_explorer_breadcrumbs_show_the_danish_root(client, db, django_user_model):
    admin = django_user_model.objects.create_superuser("chef", "chef@example.invalid", "x")
    client.force_login(admin)

    html = client.get(reverse("wagtailadmin_explore", args=[_root().pk])).content.decode()

    assert "Rodside" in html
    assert ">Root<" not in html and "'Root'" not in html
