"""Fuzz the whole OpenAPI schema (schemathesis, bounded budget): no input may cause a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings

from ensemble.accounts.tests.factories import TeamFactory, UserFactory
from ensemble.portal.actions import notify


@pytest.fixture
def signed_in_headers(transactional_db: Any) -> dict[str, str]:
    """An operator with some data around, so that endpoints have something to act on."""
    operator = UserFactory(is_staff=True, is_superuser=True)
    TeamFactory(organisation=operator.organisation)
    notify(operator, "Something happened")
    client = Client()
    client.force_login(operator)
    csrf = "fuzzcsrftoken" * 2 + "abcdef"
    return {
        "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
    }


def test_no_input_makes_the_api_fail(live_server: Any, signed_in_headers: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}/api/schema/?format=json", headers=signed_in_headers
    )
    failures: list[str] = []
    statuses: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any) -> None:
            response = case.call(headers=signed_in_headers)
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

        fuzz()
    assert failures == [], "\n".join(sorted(set(failures)))
    # The budget was really spent, and reached past authentication and validation.
    assert len(statuses) >= 5 * len(operations)
    assert {200, 400} <= set(statuses)
