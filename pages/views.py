"""Search over standards and the directory that never shows what the user may not open."""

from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import Page, PageViewRestriction

from .models import StaffMember

MAX_QUERY_LENGTH = 200


def pages_visible_to(request):
    """Live pages the request may open: Wagtail's own search view ignores page privacy."""
    pages = Page.objects.live()
    for restriction in PageViewRestriction.objects.select_related("page"):
        if not restriction.accept_request(request):
            pages = pages.not_descendant_of(restriction.page, inclusive=True)
    return pages


def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    page_results = []
    people = []
    if query:
        page_results = pages_visible_to(request).exclude(depth=1).specific().search(query)
        people = StaffMember.objects.prefetch_related("teams").search(query)[:20]
    paginator = Paginator(page_results, 20) if query else None
    page_obj = paginator.get_page(request.GET.get("side")) if paginator else None
    return render(
        request,
        "pages/search.html",
        {"query": query, "page_obj": page_obj, "people": people},
    )
