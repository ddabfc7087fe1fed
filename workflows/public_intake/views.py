"""The concern form page served: the form, the abuse limits' refusals and the receipt.

Wagtail serves the page through the `on_serve_page` hook in workflows/wagtail_hooks.py, after
its own view restrictions, so page privacy applies as to any page.
"""

from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

from intranet.submissions import AlreadySubmitted

from . import services
from .forms import ConcernForm, max_body_bytes


def concern_form(request, page):
    """GET shows the form; POST registers the concern, or refuses it (413, 429, 503)."""
    teams = list(page.receiving_teams())
    if request.method != "POST":
        response = _render_form(request, page, ConcernForm(teams=teams) if teams else None)
    elif not teams:
        response = _render_form(request, page, None, status=503)
    elif services.body_too_large(request, limit=max_body_bytes()):
        response = _render_form(
            request, page, ConcernForm(teams=teams), status=413, refusal="too_large"
        )
    elif services.rate_limited(request):
        form = ConcernForm(request.POST, teams=teams)
        response = _render_form(request, page, form, status=429, refusal="rate_limited")
    else:
        response = _submit(request, page, ConcernForm(request.POST, teams=teams))
    # What the citizen typed, or their receipt, is never kept by a cache; nor is the
    # form, whose once-only token is each visitor's own.
    add_never_cache_headers(response)
    return response


def _submit(request, page, form):
    if form.is_honeypot_filled():
        # Pretend success, so the robot learns nothing; create nothing.
        if not services.submission_admit(request):
            return _render_form(request, page, form, status=429, refusal="rate_limited")
        return _render_receipt(request, page, services.decoy_reference(), call_now=False)
    if not form.is_valid():
        return _render_form(request, page, form)
    try:
        reference = services.concern_submit(
            request,
            token=form.cleaned_data["submission_token"],
            arguments=form.service_arguments(),
        )
    except services.RateLimited:
        return _render_form(request, page, form, status=429, refusal="rate_limited")
    except AlreadySubmitted as earlier:
        # The same form again (a double click, a resend): the first one's receipt.
        reference = earlier.result_url
        if not reference:
            form.add_error(None, gettext("The form is out of date. Reload the page and try again."))
            return _render_form(request, page, form)
    except ValidationError as error:
        # A rule of the records the form cannot know.
        form.add_error(None, error.messages)
        return _render_form(request, page, form)
    data = form.cleaned_data
    return _render_receipt(
        request,
        page,
        reference,
        call_now=data["acute"] and data["emergency_call"] == "not_called",
    )


def _render_form(request, page, form, *, status=200, refusal=""):
    context = page.get_context(request)
    context.update({"form": form, "refusal": refusal})
    return TemplateResponse(request, page.get_template(request), context, status=status)


def _render_receipt(request, page, reference, *, call_now):
    context = page.get_context(request)
    context.update({"reference": reference, "call_now": call_now})
    return TemplateResponse(request, page.receipt_template, context)
