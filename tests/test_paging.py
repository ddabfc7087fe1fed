"""intranet.paging.counted_page: Paginator's page, with the total in the page's own query."""

import pytest
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator

from intranet.paging import counted_page

from .factories import UserFactory


@pytest.fixture
def users(db):
    for number in range(7):
        UserFactory(username=f"bruger{number}")
    return get_user_model().objects.filter(username__startswith="bruger").order_by("username")


@pytest.mark.parametrize("number", [None, "", "x", "0", "-3", "1", "2", "3", "4", "99"])
def test_the_same_page_as_django_paginator(users, number):
    expected = Paginator(users, 3).get_page(number)
    page = counted_page(users, number, 3)
    assert page.number == expected.number
    assert [user.username for user in page] == [user.username for user in expected]
    assert page.paginator.count == 7 and page.paginator.num_pages == 3
    assert page.has_next() == expected.has_next()
    assert page.has_previous() == expected.has_previous()


def test_rows_and_total_come_in_one_query(users, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = counted_page(users, "2", 3)
        assert page.paginator.count == 7
        assert [user.username for user in page] == ["bruger3", "bruger4", "bruger5"]


def test_an_empty_list_is_one_empty_page(db):
    page = counted_page(get_user_model().objects.none().order_by("pk"), "2", 3)
    assert page.number == 1 and list(page) == [] and page.paginator.count == 0
