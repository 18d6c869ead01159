"""SCIM paging with any startIndex and count: a page (maybe empty) or a 400, never a 500; an
offset past 64 bits must not reach the database (SQLite and PostgreSQL overflow)."""

from __future__ import annotations

import pytest

from ensemble.accounts.models import User
from ensemble.accounts.tests.factories import UserFactory
from ensemble.accounts.tests.test_scim import LIST, Scim, assert_error, token_for

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"


@pytest.fixture
def scim() -> Scim:
    operator = UserFactory(is_staff=True)
    for _ in range(2):
        UserFactory(organisation=operator.organisation)
    return Scim(token_for(operator, ["scim"]))


@pytest.mark.parametrize(
    ("query", "start", "items"),
    [
        (f"startIndex={10**30}", 10**30, 0),
        (f"startIndex={2**63}", 2**63, 0),
        (f"startIndex={HUGE}&count={HUGE}", int(HUGE), 0),
        ("count=-5", 1, 0),
        (f"count={HUGE}", 1, 3),
        (f"count=-{HUGE}", 1, 0),
        (f"startIndex=-{HUGE}&count=2", 1, 2),
        ("startIndex=3&count=5", 3, 1),
        ("startIndex=4", 4, 0),
        ("startIndex=&count=", 1, 3),
    ],
)
def test_any_whole_numbers_give_a_page(scim: Scim, query: str, start: int, items: int) -> None:
    response = scim.get(f"Users?{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["schemas"] == [LIST] and body["totalResults"] == User.objects.count()
    assert (body["startIndex"], body["itemsPerPage"], len(body["Resources"])) == (
        start,
        items,
        items,
    )


@pytest.mark.parametrize("query", ["startIndex=1e3", "count=ten", "startIndex=" + "9" * 5000])
def test_what_is_not_a_whole_number_gets_400(scim: Scim, query: str) -> None:
    assert_error(scim.get(f"Users?{query}"), 400, "invalidValue")


def test_groups_page_the_same_way(scim: Scim) -> None:
    response = scim.get(f"Groups?startIndex={10**30}&count=-5")
    assert response.status_code == 200
    assert response.json()["Resources"] == []
