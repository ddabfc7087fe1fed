"""Search syntax: whatever a user types into a search box gives a page, never a 500.

The full-text backends parse the query (PostgreSQL's tsquery, SQLite's FTS5 MATCH): a quote,
a bracket or an operator of their syntax must be searched for as text or answered with a
message. Runs on SQLite and, with DATABASE_URL, on PostgreSQL.
"""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .factories import PersonFactory, StaffMemberFactory, StandardPageFactory, section

pytestmark = pytest.mark.django_db

SYNTAX = [
    '"',
    '""',
    '"unbalanced',
    "'",
    "(",
    ")",
    "((brobygning",
    "brobygning)",
    "AND",
    "OR",
    "NOT",
    "brobygning AND OR NOT",
    "NOT brobygning",
    "brobygning:*",
    ":*",
    "*",
    "brobygning*",
    "&",
    "|",
    "!",
    "&|!",
    "!brobygning & | herberg",
    "<->",
    "brobygning <-> herberg",
    "\\",
    "\\\\",
    'brobygning\\"',
    "\x00",
    "a\x00b",
    "og i at det en",
    "og",
    "💩",
    "👨\u200d👩\u200d👧",
    "\u202eherberg",
    "NEAR(a b)",
    "a:b",
    "-brobygning",
    "+brobygning",
    "^",
    "{a b}",
    "col:brobygning",
    "title:brobygning",
    "'; DROP TABLE wagtailcore_page; --",
    "%",
    "_",
    "x" * 5000,
    "brobygning " * 300,
]


@pytest.fixture
def searchable(db):
    StandardPageFactory(
        title="Kvalitetsstandard SKP",
        body=[section("<p>Brobygning til herberg.</p>", kind="purpose")],
    )
    StaffMemberFactory()
    PersonFactory(alias="Kasketten")


@pytest.mark.parametrize("query", SYNTAX)
def test_search_syntax_gives_a_page(client, worker_a, searchable, query):
    client.force_login(worker_a)

    response = client.get(reverse("search"), {"q": query})

    assert response.status_code == 200


@pytest.mark.parametrize("query", SYNTAX)
def test_privacy_person_search_syntax_gives_a_page(client, dpo, searchable, query):
    client.force_login(dpo)

    response = client.get(reverse("privacy:index"), {"q": query, "u": query})

    assert response.status_code == 200


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    query=st.lists(
        st.one_of(
            st.sampled_from(['"', "'", "(", ")", "&", "|", "!", ":*", "*", "\\", "-", "+", "^"]),
            st.sampled_from(["AND", "OR", "NOT", "NEAR", "og", "brobygning", "herberg", " "]),
            st.characters(codec="utf-8"),
        ),
        max_size=20,
    ).map("".join)
)
def test_generated_search_queries_give_a_page(client, worker_a, searchable, query):
    client.force_login(worker_a)

    response = client.get(reverse("search"), {"q": query})

    assert response.status_code == 200


def test_a_quoted_word_is_found_as_the_word(client, worker_a, searchable):
    client.force_login(worker_a)

    response = client.get(reverse("search"), {"q": '"brobygning'})

    assert [page.title for page in response.context["page_obj"]] == ["Kvalitetsstandard SKP"]


def test_a_query_of_signs_only_is_answered_with_a_message(client, worker_a, searchable):
    client.force_login(worker_a)

    response = client.get(reverse("search"), {"q": '"()&|!'})

    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert "quotes and brackets are not searched for" in response.content.decode()
