"""One query per page: the total comes with the page's rows."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from core.forms import PageForm
from core.pagination import OneQueryPaginator, paginate
from programs.models import Unit
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_page_and_the_total_come_in_one_query() -> None:
    organization = f.OrganizationFactory()
    for n in range(7):
        f.UnitFactory(organization=organization, name=f"Unit {n:02}")
    with CaptureQueriesContext(connection) as queries:
        page = OneQueryPaginator(Unit.objects.order_by("name"), 3).get_page("2")
        names = [unit.name for unit in page.object_list]
        summary = (page.number, page.paginator.count, page.paginator.num_pages)
    assert names == ["Unit 03", "Unit 04", "Unit 05"]
    assert summary == (2, 7, 3)
    assert page.has_previous() and page.has_next()
    assert len(queries) == 1


def test_a_page_past_the_end_or_not_a_number_follows_djangos_rules() -> None:
    organization = f.OrganizationFactory()
    for n in range(4):
        f.UnitFactory(organization=organization, name=f"Unit {n}")
    past_end = OneQueryPaginator(Unit.objects.order_by("name"), 3).get_page("9")
    assert (past_end.number, [u.name for u in past_end.object_list]) == (2, ["Unit 3"])
    not_a_number = OneQueryPaginator(Unit.objects.order_by("name"), 3).get_page("x")
    assert not_a_number.number == 1
    assert [u.name for u in not_a_number.object_list] == ["Unit 0", "Unit 1", "Unit 2"]


def test_an_empty_list_is_one_empty_page_from_one_query() -> None:
    with CaptureQueriesContext(connection) as queries:
        page = OneQueryPaginator(Unit.objects.order_by("name"), 3).get_page(None)
        assert list(page.object_list) == []
        assert (page.number, page.paginator.count, page.paginator.num_pages) == (1, 0, 1)
    assert len(queries) == 1


def test_a_list_in_memory_is_paged_by_the_same_helper() -> None:
    rows = list(range(7))
    assert list(paginate(rows, 2, per_page=3).object_list) == [3, 4, 5]
    assert paginate(rows, 9, per_page=3).number == 3


@pytest.mark.parametrize(
    ("query", "number"),
    [({}, 1), ({"page": "2"}, 2), ({"page": "x"}, 1), ({"page": "0"}, 1), ({"page": "-3"}, 1)],
)
def test_the_page_number_is_read_by_a_form_and_a_bad_one_is_the_first_page(
    query: dict[str, str], number: int
) -> None:
    assert PageForm(QueryDict(urlencode(query))).number() == number


def test_a_second_list_on_the_page_reads_its_own_number() -> None:
    params = QueryDict("page=3&checkins=2")
    assert PageForm(params, name="checkins").number() == 2


def test_the_pagination_links_keep_the_query_and_set_the_named_page() -> None:
    page = paginate(list(range(7)), 2, per_page=3)
    request = RequestFactory().get("/", {"q": "a b", "page": "5", "fpage": "2"})
    html = render_to_string(
        "_pagination.html", {"page": page, "param": "fpage", "label": "Pages"}, request=request
    )
    assert 'href="?q=a+b&amp;page=5&amp;fpage=1"' in html
    assert 'href="?q=a+b&amp;page=5&amp;fpage=3"' in html
    assert "Page 2 of 3" in html
    assert 'aria-label="Pages"' in html
