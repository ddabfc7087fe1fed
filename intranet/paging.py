"""Paging a list whose query is expensive: the rows and the total in one query."""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Window


def counted_page(queryset, number, per_page) -> Page:
    """`Paginator(queryset, per_page).get_page(number)`, with the total counted in the
    page's own query (a window count) instead of a second query with the same joins.

    Like `get_page`, what is not a number gives the first page, and a number out of range
    (past the end, or below 1) the last page.
    """
    paginator = Paginator(queryset, per_page)
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    rows = _rows(queryset, number, per_page) if number >= 1 else []
    if rows:
        paginator.count = rows[0].counted_page_total  # Paginator.count is a cached_property
    else:
        paginator.count = queryset.count()  # past the end, or empty
        try:
            number = paginator.validate_number(number)
        except (EmptyPage, PageNotAnInteger):
            number = paginator.num_pages
        rows = _rows(queryset, number, per_page) if paginator.count else []
    return Page(rows, number, paginator)


def _rows(queryset, number, per_page):
    start = (number - 1) * per_page
    counted = queryset.annotate(counted_page_total=Window(Count("pk")))
    return list(counted[start : start + per_page])
