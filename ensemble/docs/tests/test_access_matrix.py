"""Who may call each operation of the Docs API: the access matrix of ``core/tests`` for a
document and the roles people hold on it (through a person's access, a team's, or none)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from ensemble.accounts.models import TeamMembership, TokenScope
from ensemble.accounts.tests.factories import (
    PASSWORD,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
    api_token,
)
from ensemble.core.abilities import Role
from ensemble.core.rates import DEFAULT_RATES
from ensemble.core.tests.test_access_matrix import allowed_kinds, judged, operations, outcome
from ensemble.docs import actions, changes, comments
from ensemble.docs.models import (
    AccessRequest,
    ConversionJob,
    DocumentAccess,
    JobKind,
    JobState,
    VersionKind,
)
from ensemble.docs.tests.factories import document

ANONYMOUS = "anonymous"
ROLES = {
    "owner": Role.OWNER,
    "administrator": Role.ADMINISTRATOR,
    "member": Role.EDITOR,  # the member's API tokens act as an editor
    "commenter": Role.COMMENTER,
    "reader": Role.READER,
    "guest": Role.READER,  # an external user invited to read
}
SESSIONS = [*ROLES, "team member", "non-member", "other organisation", "operator"]
TOKENS = {
    "read token": [TokenScope.READ],
    "write token": [TokenScope.READ, TokenScope.WRITE],
    "scim token": [TokenScope.SCIM],
}
KINDS = [ANONYMOUS, *SESSIONS, *TOKENS]

READERS = {*ROLES, "team member"}
EDITORS = {"owner", "administrator", "member"}
COMMENTERS = {*EDITORS, "commenter"}
MANAGERS = {"owner", "administrator"}
SIGNED_IN = set(SESSIONS)

ALLOWED: dict[str, set[str]] = {
    "api_v1_docs_documents_list": SIGNED_IN,
    "api_v1_docs_documents_create": SIGNED_IN - {"guest"},  # external users own nothing
    "api_v1_docs_documents_retrieve": READERS,
    "api_v1_docs_documents_partial_update": EDITORS,
    "api_v1_docs_documents_destroy": {"owner"},
    "api_v1_docs_documents_restore_create": {"owner"},
    "api_v1_docs_documents_move_create": {"owner"},
    "api_v1_docs_documents_children_retrieve": READERS,
    "api_v1_docs_documents_favourite_create": READERS,
    "api_v1_docs_documents_favourite_destroy": READERS,
    "api_v1_docs_documents_accesses_list": READERS,
    "api_v1_docs_documents_accesses_create": MANAGERS,
    "api_v1_docs_documents_accesses_partial_update": MANAGERS,
    "api_v1_docs_documents_accesses_destroy": MANAGERS,
    "api_v1_docs_documents_access_requests_list": MANAGERS,
    "api_v1_docs_documents_access_requests_create": READERS,
    "api_v1_docs_documents_access_requests_answer_create": MANAGERS,
    "api_v1_docs_documents_images_create": EDITORS,
    "api_v1_docs_documents_content_retrieve": READERS,
    "api_v1_docs_documents_content_update": EDITORS,
    "api_v1_docs_documents_versions_list": READERS,
    "api_v1_docs_documents_versions_create": EDITORS,
    "api_v1_docs_documents_versions_retrieve": READERS,
    "api_v1_docs_documents_versions_restore_create": EDITORS,
    "api_v1_docs_documents_comments_list": READERS,
    "api_v1_docs_documents_comments_create": COMMENTERS,
    "api_v1_docs_documents_comments_partial_update": COMMENTERS,  # resolving (the body's)
    "api_v1_docs_documents_comments_destroy": {*MANAGERS, "commenter"},  # and its author
    "api_v1_docs_documents_exports_create": READERS,
    "api_v1_docs_documents_invitations_create": MANAGERS,
    # Jobs: one's own (the member's export).
    "api_v1_docs_jobs_list": SIGNED_IN,
    "api_v1_docs_jobs_create": SIGNED_IN,  # the file decides (none here: 400)
    "api_v1_docs_jobs_retrieve": {"member"},
    "api_v1_docs_jobs_download_retrieve": {"member"},
}
BODIES: dict[str, dict[str, Any]] = {
    "api_v1_docs_documents_move_create": {"parent": None},
    "api_v1_docs_documents_comments_partial_update": {"resolved": True},
}


@pytest.mark.django_db
def test_every_docs_operation_answers_each_kind_of_account_as_its_row_says(settings: Any) -> None:
    settings.RATE_LIMITS = {scope: "100000/minute" for scope in DEFAULT_RATES}
    home = OrganisationFactory()
    people = {kind: UserFactory(organisation=home) for kind in SESSIONS}
    people["guest"] = UserFactory(organisation=None, is_external=True)
    people["other organisation"] = UserFactory(organisation=OrganisationFactory())
    people["operator"] = UserFactory(organisation=home, is_staff=True)
    doc = document(owner=people["owner"], title="Plan de continuité")
    trashed = document(owner=people["owner"], title="Ancien plan")
    for kind, role in ROLES.items():
        if kind != "owner":
            DocumentAccess.objects.create(document=doc, user=people[kind], role=role)
            DocumentAccess.objects.create(document=trashed, user=people[kind], role=role)
    team = TeamFactory(organisation=home)
    TeamMembership.objects.create(team=team, user=people["team member"], role="member")
    DocumentAccess.objects.create(document=doc, team=team, role=Role.READER)
    actions.trash(people["owner"], trashed)
    reader_access = DocumentAccess.objects.get(document=doc, user=people["reader"])
    version = changes.snapshot(doc, people["owner"], VersionKind.NAMED, "v1")
    assert version is not None
    comment = comments.write(people["commenter"], doc, "Une remarque")
    job = ConversionJob.objects.create(
        kind=JobKind.EXPORT,
        format="md",
        document=doc,
        requested_by=people["member"],
        state=JobState.DONE,
        name="plan.md",
        file=ContentFile(b"# Plan", name="plan.md"),
    )
    AccessRequest.objects.create(document=doc, user=people["non-member"], role=Role.READER)
    clients: dict[str, Client] = {ANONYMOUS: Client()}
    for kind, person in people.items():
        clients[kind] = Client()
        assert (
            clients[kind]
            .post("/accounts/login/", {"email": person.email, "password": PASSWORD})
            .status_code
            == 302
        )
    headers: dict[str, dict[str, str]] = {}
    for kind, scopes in TOKENS.items():
        clients[kind] = Client()
        headers[kind] = {"HTTP_AUTHORIZATION": f"Bearer {api_token(people['member'], scopes)}"}
    world = type("World", (), {"clients": clients, "headers": headers})()

    missing, wrong = [], []
    for operation_id, method, path in operations():
        if not operation_id.startswith("api_v1_docs_"):
            continue
        target = trashed if operation_id == "api_v1_docs_documents_restore_create" else doc
        if operation_id.startswith("api_v1_docs_jobs_"):
            target = job  # type: ignore[assignment]
        url = (
            path.replace("{id}", str(target.pk))
            .replace("{access_id}", str(reader_access.pk))
            .replace("{version_id}", str(version.pk))
            .replace("{comment_id}", str(comment.pk))
        )
        body = BODIES.get(operation_id, {})
        statuses = {kind: outcome(world, kind, method, url, body) for kind in KINDS}
        if operation_id not in ALLOWED:
            missing.append(operation_id)
            continue
        wrong += judged(
            f"{method.upper()} {url}", statuses, allowed_kinds(ALLOWED[operation_id], method)
        )
    assert missing == [], "operations without a row in ALLOWED"
    assert wrong == [], "\n".join(wrong)
