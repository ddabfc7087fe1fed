"""Wagtail admin: the referral sources are an editable list (a snippet)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import ReferralSource


class ReferralSourceViewSet(SnippetViewSet):
    model = ReferralSource
    icon = "list-ul"
    menu_label = _("Referral sources")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "active", "sort_order"]
    list_filter = ["active"]
    ordering = ["sort_order", "name"]
    search_fields = ["name"]


register_snippet(ReferralSourceViewSet)
