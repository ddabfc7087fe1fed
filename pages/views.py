"""Search over standards and the directory that never shows what the user may not open."""

import re

from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import Page

from .models import StaffMember, visible_to

MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 20
MAX_PEOPLE = 20
WORD = re.compile(r"\w+")


def search_words(query):
    """The words of a query, for the full-text backend: quotes, brackets and operators are
    the backends' own syntax (SQLite's FTS5 fails on a lone `"`), never what staff mean."""
    return " ".join(WORD.findall(query))


def pages_visible_to(request):
    """Live pages the request may open: Wagtail's own search view ignores page privacy."""
    return visible_to(Page.objects.live().exclude(depth=1), request)


def search(request):
    # NUL never belongs in a search and breaks the database's full-text query.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    page_obj = None
    people = []
    words = search_words(query)
    if words:
        results = pages_visible_to(request).specific().search(words)
        page_obj = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("side"))
        if request.user.is_authenticated:
            people = list(StaffMember.objects.prefetch_related("teams").search(words)[:MAX_PEOPLE])
    return render(
        request,
        "pages/search.html",
        {"query": query, "words": words, "page_obj": page_obj, "people": people},
    )
