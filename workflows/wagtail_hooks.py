"""Wagtail wiring: the referral sources are an editable list (a snippet); the public intake
serves the concern form page."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from pages.models import ConcernFormPage

from .models import ReferralSource
from .public_intake import views as public_intake_views


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


# order=1: inside Wagtail's own view restrictions (an on_serve_page hook of order 0; this app
# comes first in INSTALLED_APPS, so at the same order it would wrap them and skip privacy).
@hooks.register("on_serve_page", order=1)
def serve_concern_form(serve_page):
    """The concern form page answers with the public intake's form, refusals and receipt."""

    def serve(page, request, args, kwargs):
        if isinstance(page, ConcernFormPage):
            return public_intake_views.concern_form(request, page)
        return serve_page(page, request, args, kwargs)

    return serve
