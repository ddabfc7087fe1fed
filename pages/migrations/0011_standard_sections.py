"""A quality standard's text becomes one ordered StreamField the editor controls.

Each standard's filled-in fixed sections become section blocks of their kind, in the order
the page showed them, followed by what the old body held; the same is done to the content
of every revision, so older versions still show (and compare, and revert to) their text.
Backwards, sections of a known kind go back to their fields and everything else stays in
the body (an own heading as a heading block before its text).
"""

import json
import uuid

import wagtail.fields
from django.db import migrations

# The fixed fields in the order the page showed them (StandardPage.SECTIONS until now).
SECTIONS = [
    "legal_basis",
    "target_group",
    "purpose",
    "activities",
    "exclusions",
    "frequency",
    "duration",
    "citizen_responsibilities",
    "follow_up",
    "documentation",
    "supplier",
    "competences",
    "case_handling",
    "how_to_apply",
    "complaints",
]


def _block(block_type, value):
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def sections_to_stream(fields, body):
    """The new body (raw stream data): a section block per filled-in field, in SECTIONS
    order, then the old body's blocks as they were."""
    sections = [
        _block("section", {"kind": name, "heading": "", "text": fields[name]})
        for name in SECTIONS
        if fields.get(name)
    ]
    return sections + list(body)


def stream_to_sections(body):
    """Backwards: (fields, body). A known kind's text goes back to its field (two sections
    of one kind are joined); other sections stay in the body as a heading and a paragraph,
    and the other blocks stay as they are, in order."""
    fields = dict.fromkeys(SECTIONS, "")
    rest = []
    for block in body:
        if block["type"] != "section":
            rest.append(block)
            continue
        value = block["value"]
        if value.get("kind") in fields and not value.get("heading"):
            fields[value["kind"]] += value.get("text") or ""
            continue
        heading = value.get("heading") or value.get("kind") or ""
        if heading:
            rest.append(_block("heading", heading))
        if value.get("text"):
            rest.append(_block("paragraph", value["text"]))
    return fields, rest


def _stream_of(content):
    """A revision's body: Wagtail keeps a StreamField there as a JSON string."""
    body = content.get("body") or "[]"
    return json.loads(body) if isinstance(body, str) else list(body)


def _standard_revisions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    content_type = ContentType.objects.filter(app_label="pages", model="standardpage").first()
    if content_type is None:
        return Revision.objects.none()
    return Revision.objects.filter(content_type=content_type)


def forwards(apps, schema_editor):
    StandardPage = apps.get_model("pages", "StandardPage")
    for page in StandardPage.objects.all():
        fields = {name: getattr(page, name) for name in SECTIONS}
        page.body = sections_to_stream(fields, page.body.raw_data)
        page.save(update_fields=["body"])
    for revision in _standard_revisions(apps).iterator():
        content = revision.content
        body = sections_to_stream(content, _stream_of(content))
        for name in SECTIONS:
            content.pop(name, None)
        content["body"] = json.dumps(body)
        revision.save(update_fields=["content"])


def backwards(apps, schema_editor):
    StandardPage = apps.get_model("pages", "StandardPage")
    for page in StandardPage.objects.all():
        fields, body = stream_to_sections(page.body.raw_data)
        for name, text in fields.items():
            setattr(page, name, text)
        page.body = body
        page.save(update_fields=[*SECTIONS, "body"])
    for revision in _standard_revisions(apps).iterator():
        content = revision.content
        fields, body = stream_to_sections(_stream_of(content))
        content.update(fields)
        content["body"] = json.dumps(body)
        revision.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("pages", "0010_standard_legal_basis_section"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AlterField(
            model_name="homepage",
            name="body",
            field=wagtail.fields.StreamField(
                [("heading", 0), ("paragraph", 1), ("callout", 4), ("links", 10)],
                blank=True,
                block_lookup={
                    0: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "form_classname": "title",
                            "label": "Heading",
                            "template": "pages/blocks/heading.html",
                        },
                    ),
                    1: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {
                            "features": [
                                "h3",
                                "bold",
                                "italic",
                                "ol",
                                "ul",
                                "link",
                                "document-link",
                            ],
                            "help_text": "Text without a heading, such as an introduction.",
                            "label": "Paragraph",
                            "template": "pages/blocks/paragraph.html",
                        },
                    ),
                    2: ("wagtail.blocks.CharBlock", (), {"label": "Heading", "max_length": 120}),
                    3: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {"features": ["bold", "italic", "link", "ul"], "label": "Text"},
                    ),
                    4: ("wagtail.blocks.StructBlock", [[("heading", 2), ("text", 3)]], {}),
                    5: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "Heading", "max_length": 120, "required": False},
                    ),
                    6: ("wagtail.blocks.PageChooserBlock", (), {"label": "Page"}),
                    7: ("wagtail.blocks.CharBlock", (), {"label": "Link text", "required": False}),
                    8: ("wagtail.blocks.StructBlock", [[("page", 6), ("label", 7)]], {}),
                    9: ("wagtail.blocks.ListBlock", (8,), {"label": "Links"}),
                    10: ("wagtail.blocks.StructBlock", [[("heading", 5), ("links", 9)]], {}),
                },
                verbose_name="body",
            ),
        ),
        migrations.AlterField(
            model_name="standardpage",
            name="body",
            field=wagtail.fields.StreamField(
                [("heading", 0), ("paragraph", 1), ("callout", 4), ("links", 10), ("section", 14)],
                blank=True,
                block_lookup={
                    0: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "form_classname": "title",
                            "label": "Heading",
                            "template": "pages/blocks/heading.html",
                        },
                    ),
                    1: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {
                            "features": [
                                "h3",
                                "bold",
                                "italic",
                                "ol",
                                "ul",
                                "link",
                                "document-link",
                            ],
                            "help_text": "Text without a heading, such as an introduction.",
                            "label": "Paragraph",
                            "template": "pages/blocks/paragraph.html",
                        },
                    ),
                    2: ("wagtail.blocks.CharBlock", (), {"label": "Heading", "max_length": 120}),
                    3: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {"features": ["bold", "italic", "link", "ul"], "label": "Text"},
                    ),
                    4: ("wagtail.blocks.StructBlock", [[("heading", 2), ("text", 3)]], {}),
                    5: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "Heading", "max_length": 120, "required": False},
                    ),
                    6: ("wagtail.blocks.PageChooserBlock", (), {"label": "Page"}),
                    7: ("wagtail.blocks.CharBlock", (), {"label": "Link text", "required": False}),
                    8: ("wagtail.blocks.StructBlock", [[("page", 6), ("label", 7)]], {}),
                    9: ("wagtail.blocks.ListBlock", (8,), {"label": "Links"}),
                    10: ("wagtail.blocks.StructBlock", [[("heading", 5), ("links", 9)]], {}),
                    11: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [
                                ("legal_basis", "Legal basis"),
                                ("target_group", "Target group"),
                                ("purpose", "Purpose"),
                                ("activities", "What the support contains"),
                                ("exclusions", "What the support does not contain"),
                                ("frequency", "Frequency and scope"),
                                ("duration", "Duration and reassessment"),
                                ("citizen_responsibilities", "The citizen's own responsibilities"),
                                ("follow_up", "Follow-up"),
                                ("documentation", "Documentation"),
                                ("supplier", "Supplier"),
                                ("competences", "Competence requirements"),
                                ("case_handling", "Case-handling deadline"),
                                ("how_to_apply", "How to get support"),
                                ("complaints", "Complaints"),
                            ],
                            "help_text": "A section quality standards usually have: it gets its usual heading. Leave empty for a section of your own, and write its heading below.",
                            "label": "Usual section",
                            "required": False,
                        },
                    ),
                    12: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": 'For example "Criteria" or "Further information". Replaces the usual one.',
                            "label": "Own heading",
                            "max_length": 120,
                            "required": False,
                        },
                    ),
                    13: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {
                            "features": [
                                "h3",
                                "bold",
                                "italic",
                                "ol",
                                "ul",
                                "link",
                                "document-link",
                            ],
                            "label": "Text",
                        },
                    ),
                    14: (
                        "wagtail.blocks.StructBlock",
                        [[("kind", 11), ("heading", 12), ("text", 13)]],
                        {},
                    ),
                },
                help_text="The standard's sections in the document's order. Choose a usual section (target group, purpose, complaints…) to give it its usual heading, or write your own.",
                verbose_name="text of the standard",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name="standardpage",
            name="legal_basis",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="target_group",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="purpose",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="activities",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="exclusions",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="frequency",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="duration",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="citizen_responsibilities",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="follow_up",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="documentation",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="supplier",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="competences",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="case_handling",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="how_to_apply",
        ),
        migrations.RemoveField(
            model_name="standardpage",
            name="complaints",
        ),
    ]
