"""The one block vocabulary every page body uses."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


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
        features=["h3", "bold", "italic", "ol", "ul", "link", "document-link"],
    )
    callout = CalloutBlock()
    links = LinkListBlock()

    class Meta:
        block_counts = {}
