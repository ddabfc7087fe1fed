"""The one block vocabulary every page body uses."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

SECTION_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class CalloutBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link", "ul"])

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "pages/blocks/callout.html"


class LinkListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120, required=False)
    links = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("page", blocks.PageChooserBlock(label=_("Page"))),
                ("label", blocks.CharBlock(label=_("Link text"), required=False)),
            ]
        ),
        label=_("Links"),
    )

    class Meta:
        icon = "list-ul"
        label = _("Link list")
        template = "pages/blocks/link_list.html"


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Heading"), form_classname="title", template="pages/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=SECTION_FEATURES,
        help_text=_("Text without a heading, such as an introduction."),
        template="pages/blocks/paragraph.html",
    )
    callout = CalloutBlock()
    links = LinkListBlock()

    class Meta:
        block_counts = {}


class SectionKind(models.TextChoices):
    """The sections quality standards usually have, in their usual order. A section of a
    known kind keeps its usual heading, so every standard names it alike."""

    LEGAL_BASIS = "legal_basis", _("legal basis")
    TARGET_GROUP = "target_group", _("target group")
    PURPOSE = "purpose", _("purpose")
    ACTIVITIES = "activities", _("what the support contains")
    EXCLUSIONS = "exclusions", _("what the support does not contain")
    FREQUENCY = "frequency", _("frequency and scope")
    DURATION = "duration", _("duration and reassessment")
    CITIZEN_RESPONSIBILITIES = "citizen_responsibilities", _("the citizen's own responsibilities")
    FOLLOW_UP = "follow_up", _("follow-up")
    DOCUMENTATION = "documentation", _("documentation")
    SUPPLIER = "supplier", _("supplier")
    COMPETENCES = "competences", _("competence requirements")
    CASE_HANDLING = "case_handling", _("case-handling deadline")
    HOW_TO_APPLY = "how_to_apply", _("how to get support")
    COMPLAINTS = "complaints", _("complaints")


class SectionValue(blocks.StructValue):
    @property
    def heading_text(self):
        """The editor's own heading, or else the usual heading of the section's kind."""
        return self.get("heading") or dict(SectionKind.choices).get(self.get("kind"), "")


class SectionBlock(blocks.StructBlock):
    """A section of a document: a heading and its text."""

    kind = blocks.ChoiceBlock(
        label=_("Usual section"),
        choices=[(kind.value, capfirst(kind.label)) for kind in SectionKind],
        required=False,
        help_text=_(
            "A section quality standards usually have: it gets its usual heading. Leave "
            "empty for a section of your own, and write its heading below."
        ),
    )
    heading = blocks.CharBlock(
        label=_("Own heading"),
        max_length=120,
        required=False,
        help_text=_('For example "Criteria" or "Further information". Replaces the usual one.'),
    )
    text = blocks.RichTextBlock(label=_("Text"), features=SECTION_FEATURES)

    class Meta:
        icon = "doc-full"
        label = _("Section")
        template = "pages/blocks/section.html"
        value_class = SectionValue

    def clean(self, value):
        value = super().clean(value)
        if not value.get("kind") and not value.get("heading"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "heading": ValidationError(
                        _("Choose a section above, or write a heading of your own.")
                    )
                }
            )
        return value


class StandardBlock(BodyBlock):
    """A quality standard's text, in the document's own order: its sections, an
    introduction or other text without a heading, and the body's other blocks."""

    section = SectionBlock()
