"""A standard's text is one ordered stream: the editor's order on the page, in search, in
the admin, and through the migration from the fixed fields (pages/migrations/0011)."""

import importlib
import json

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from wagtail.models import Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from pages.models import StandardPage
from pages.rules import rules_of_revision

from .factories import StandardPageFactory, section, standard_index

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
MIGRATION = importlib.import_module("pages.migrations.0011_standard_sections")
BEFORE = ("pages", "0010_standard_legal_basis_section")

INTRODUCTION = {"type": "paragraph", "value": "<p>Standarden beskriver tilbuddet.</p>"}
CRITERIA = section("<p>Borgeren er hjemløs.</p>", heading="Kriterier")


def body_of(client, standard, **headers):
    """The standard's public page from its first h2 on: what each block rendered."""
    soup = BeautifulSoup(client.get(standard.url, **headers).content.decode(), "html.parser")
    return soup.select_one("article")


def test_the_page_shows_the_blocks_in_the_editors_order_with_their_headings(client, db):
    standard = StandardPageFactory(
        first_contact_rule="none",
        first_contact_deadline_days=None,
        reassessment_interval_months=None,
        min_age=None,
        max_age=None,
        body=[
            INTRODUCTION,
            section("<p>Voksne uden bolig.</p>", kind="target_group"),
            CRITERIA,
            section("", kind="complaints"),
            section("<p>At bygge bro.</p>", kind="purpose", heading="Hvorfor vi gør det"),
        ],
    )

    article = body_of(client, standard, **ENGLISH)

    # No "In short" box (no rule): the introduction is the first thing after the facts.
    first = article.find("dl").find_next_sibling()
    assert first.name == "p" and first.get_text() == "Standarden beskriver tilbuddet."
    headings = [h2.get_text() for h2 in article.select(".standard-section h2")]
    assert headings == ["Target group", "Kriterier", "Hvorfor vi gør det"]  # no empty section
    assert "Borgeren er hjemløs." in article.select(".standard-section")[1].get_text()


@pytest.mark.danish
def test_a_usual_section_has_its_usual_danish_heading(client, db):
    standard = StandardPageFactory(
        body=[section("<p>Voksne uden bolig.</p>", kind="target_group"), CRITERIA]
    )

    article = body_of(client, standard, HTTP_ACCEPT_LANGUAGE="da")

    headings = [h2.get_text() for h2 in article.select(".standard-section h2")]
    assert headings == ["Målgruppe", "Kriterier"]


def test_search_finds_the_text_and_the_own_heading_of_a_section(client, worker_a):
    StandardPageFactory(
        title="Kvalitetsstandard SKP",
        body=[INTRODUCTION, section("<p>Natcaféen på havnen.</p>", heading="Værestederne")],
    )
    client.force_login(worker_a)

    for word in ("natcaféen", "værestederne", "beskriver"):
        response = client.get(reverse("search"), {"q": word})
        assert [page.title for page in response.context["page_obj"]] == ["Kvalitetsstandard SKP"], (
            word
        )


def test_a_section_needs_a_usual_kind_or_an_own_heading(client, editor):
    client.force_login(editor)
    data = nested_form_data(
        {
            "title": "SKP",
            "slug": "skp",
            "first_contact_deadline_days": 7,
            "reassessment_interval_months": 4,
            "redirects": inline_formset([]),
            "comments": inline_formset([]),
            "body": streamfield(
                [("section", {"kind": "", "heading": "", "text": rich_text("<p>Tekst.</p>")})]
            ),
        }
    )

    response = client.post(
        reverse("wagtailadmin_pages:add", args=("pages", "standardpage", standard_index().pk)),
        data,
    )

    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert not StandardPage.objects.exists()


def test_the_editor_edits_the_stream_where_the_fixed_fields_were(client, editor, db):
    standard = StandardPageFactory()
    client.force_login(editor)

    html = client.get(reverse("wagtailadmin_pages:edit", args=(standard.pk,))).content.decode()

    assert 'data-contentpath="body"' in html
    assert 'data-contentpath="target_group"' not in html
    assert 'data-contentpath="first_contact_rule"' in html  # the rules stay fields


# --- The migration -------------------------------------------------------------------------


def test_migration_keeps_the_order_drops_empty_fields_and_puts_the_old_body_after():
    old_body = [{"type": "heading", "value": "Se også", "id": "b1"}]
    fields = {
        "complaints": "<p>Klag til borgerrådgiveren.</p>",
        "purpose": "<p>Bygge bro.</p>",
        "target_group": "<p>Voksne.</p>",
        "activities": "",
        "title": "not a section",
    }

    stream = MIGRATION.sections_to_stream(fields, old_body)

    assert [(block["type"], block["value"]) for block in stream] == [
        ("section", {"kind": "target_group", "heading": "", "text": "<p>Voksne.</p>"}),
        ("section", {"kind": "purpose", "heading": "", "text": "<p>Bygge bro.</p>"}),
        ("section", {"kind": "complaints", "heading": "", "text": fields["complaints"]}),
        ("heading", "Se også"),
    ]
    assert len({block["id"] for block in stream}) == len(stream)


def test_migration_backwards_returns_usual_sections_to_their_fields():
    fields, body = MIGRATION.stream_to_sections(
        [INTRODUCTION, section("<p>Voksne.</p>", kind="target_group"), CRITERIA]
    )

    assert fields["target_group"] == "<p>Voksne.</p>" and fields["purpose"] == ""
    assert [(block["type"], block["value"]) for block in body] == [
        ("paragraph", INTRODUCTION["value"]),
        ("heading", "Kriterier"),
        ("paragraph", "<p>Borgeren er hjemløs.</p>"),
    ]


def _migrate(target=None):
    """Migrate to `target` (default: every app's latest, as the models expect); its apps."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = [target] if target else executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# serialized_rollback: the flush after the test would otherwise remove the page tree.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_converts_pages_and_revisions_both_ways(table_owner):
    standard = StandardPageFactory(
        body=[
            section("<p>Bygge bro.</p>", kind="purpose"),
            section("<p>Voksne.</p>", kind="target_group"),
            {"type": "paragraph", "value": "<p>Se også.</p>"},
        ]
    )
    revision_id = standard.live_revision_id

    with table_owner():  # a migration alters tables: the owner's, as in production
        old_apps = _migrate(BEFORE)
    try:
        old = old_apps.get_model("pages", "StandardPage").objects.get(pk=standard.pk)
        assert (old.purpose, old.target_group) == ("<p>Bygge bro.</p>", "<p>Voksne.</p>")
        assert [block["type"] for block in old.body.raw_data] == ["paragraph"]
        old_content = Revision.objects.get(pk=revision_id).content
        assert old_content["purpose"] == "<p>Bygge bro.</p>"
        assert [block["type"] for block in json.loads(old_content["body"])] == ["paragraph"]
    finally:
        with table_owner():
            _migrate()  # 0011 and what came after it

    # Forwards again: the fixed order (target group before purpose), then the old body.
    expected = [("target_group", "<p>Voksne.</p>"), ("purpose", "<p>Bygge bro.</p>")]
    standard = StandardPage.objects.get(pk=standard.pk)
    assert [
        (block.value["kind"], block.value["text"].source)
        for block in standard.body
        if block.block_type == "section"
    ] == expected
    assert [block.block_type for block in standard.body] == ["section", "section", "paragraph"]
    revision = Revision.objects.get(pk=revision_id)
    assert "purpose" not in revision.content
    assert [(kind, str(text)) for kind, text in revision.as_object().sections] == [
        ("target group", "<p>Voksne.</p>"),
        ("purpose", "<p>Bygge bro.</p>"),
    ]
    rules_of_revision.cache_clear()
    assert rules_of_revision(revision_id).first_contact_deadline_days == 7


def test_a_revision_saved_with_the_fixed_fields_still_gives_its_rules(db):
    standard = StandardPageFactory(first_contact_deadline_days=5, min_age=20)
    revision = Revision.objects.get(pk=standard.live_revision_id)
    # As a revision was written before the stream (had the migration missed it).
    revision.content["target_group"] = "<p>Voksne.</p>"
    revision.content["body"] = json.dumps([{"type": "heading", "value": "Se også", "id": "b1"}])
    revision.save(update_fields=["content"])
    rules_of_revision.cache_clear()

    rules = rules_of_revision(revision.pk)

    assert (rules.first_contact_deadline_days, rules.min_age) == (5, 20)
    assert [block.block_type for block in revision.as_object().body] == ["heading"]
