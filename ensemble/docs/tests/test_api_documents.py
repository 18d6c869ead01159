"""The documents API: who may list, read, create, change, share, move, trash and restore."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.models import TeamMembership
from ensemble.accounts.tests.factories import OrganisationFactory, TeamFactory, UserFactory
from ensemble.core.abilities import LinkReach, Role
from ensemble.docs.models import Document, DocumentAccess
from ensemble.docs.tests.factories import document, share, signed_in

pytestmark = pytest.mark.django_db

API = "/api/v1/docs/documents/"


def test_create_list_and_read_my_documents() -> None:
    owner = UserFactory()
    client = signed_in(owner)
    made = client.post(API, {"title": "  Note de service  "}, content_type="application/json")
    assert made.status_code == 201, made.json()
    assert made.json()["title"] == "Note de service"
    assert made.json()["abilities"]["destroy"] is True
    child = client.post(
        API, {"title": "Annexe", "parent": made.json()["id"]}, content_type="application/json"
    )
    assert child.status_code == 201
    listed = client.get(API, {"view": "mine"}).json()
    assert [d["title"] for d in listed] == ["Note de service"]  # the tree's roots only
    children = client.get(f"{API}{made.json()['id']}/children/").json()
    assert [d["title"] for d in children] == ["Annexe"]
    assert client.get(API, {"view": "nope"}).status_code == 400


def test_who_may_read_a_document() -> None:
    doc = document()
    colleague = UserFactory(organisation=doc.organisation)
    stranger = UserFactory(organisation=OrganisationFactory())
    external = UserFactory(is_external=True)
    url = f"{API}{doc.pk}/"
    assert Client().get(url).status_code in (401, 403)  # anonymous
    for person in (colleague, stranger, external):
        assert signed_in(person).get(url).status_code == 404
    Document.objects.filter(pk=doc.pk).update(link_reach=LinkReach.AUTHENTICATED)
    assert signed_in(colleague).get(url).status_code == 200
    assert signed_in(stranger).get(url).status_code == 200  # signed in with the link
    assert signed_in(external).get(url).status_code == 404  # a link is not an invitation
    share(doc, Role.READER, user=external)
    assert signed_in(external).get(url).status_code == 200


def test_rights_are_inherited_down_the_tree() -> None:
    root = document(title="Service")
    child = document(parent=root, title="Réunions")
    grandchild = document(parent=child, title="Compte rendu")
    editor = share(root, Role.EDITOR)
    reader = share(child, Role.READER)
    abilities = signed_in(editor).get(f"{API}{grandchild.pk}/").json()["abilities"]
    assert abilities["update"] and not abilities["manage_accesses"]
    abilities = signed_in(reader).get(f"{API}{grandchild.pk}/").json()["abilities"]
    assert abilities["retrieve"] and not abilities["update"]
    assert signed_in(reader).get(f"{API}{root.pk}/").status_code == 404  # not above
    # Through a team.
    team = TeamFactory(organisation=root.organisation)
    member = UserFactory(organisation=root.organisation)
    TeamMembership.objects.create(team=team, user=member, role="member")
    DocumentAccess.objects.create(document=child, team=team, role=Role.COMMENTER)
    abilities = signed_in(member).get(f"{API}{grandchild.pk}/").json()["abilities"]
    assert abilities["comment"] and not abilities["update"]
    shared = [d["title"] for d in signed_in(member).get(API, {"view": "shared"}).json()]
    assert shared == ["Réunions"]


def test_changing_a_document_and_its_link() -> None:
    doc = document()
    editor = share(doc, Role.EDITOR)
    url = f"{API}{doc.pk}/"
    renamed = signed_in(editor).patch(url, {"title": "Nouveau"}, content_type="application/json")
    assert renamed.status_code == 200 and renamed.json()["title"] == "Nouveau"
    link = signed_in(editor).patch(url, {"link_reach": "public"}, content_type="application/json")
    assert link.status_code == 403  # the link is the administrators'
    owner = signed_in(doc.creator)
    link = owner.patch(
        url, {"link_reach": "public", "link_role": "editor"}, content_type="application/json"
    )
    assert link.status_code == 200 and link.json()["link_reach"] == "public"
    bad = owner.patch(url, {"link_role": "owner"}, content_type="application/json")
    assert bad.status_code == 400
    # The link makes every reader an editor now; without it, a reader changes nothing.
    owner.patch(url, {"link_reach": "restricted"}, content_type="application/json")
    reader = share(doc, Role.READER)
    assert (
        signed_in(reader).patch(url, {"title": "x"}, content_type="application/json").status_code
        == 403
    )


def test_sharing_with_people_and_teams() -> None:
    doc = document()
    owner = signed_in(doc.creator)
    colleague = UserFactory(organisation=doc.organisation)
    url = f"{API}{doc.pk}/accesses/"
    given = owner.post(
        url, {"user": str(colleague.pk), "role": "editor"}, content_type="application/json"
    )
    assert given.status_code == 201
    # An editor cannot share; an administrator cannot give ownership.
    assert (
        signed_in(colleague)
        .post(
            url, {"user": str(UserFactory().pk), "role": "reader"}, content_type="application/json"
        )
        .status_code
        == 403
    )
    admin = share(doc, Role.ADMINISTRATOR)
    assert (
        signed_in(admin)
        .post(url, {"user": str(colleague.pk), "role": "owner"}, content_type="application/json")
        .status_code
        == 403
    )
    other_team = TeamFactory(organisation=OrganisationFactory())
    assert (
        owner.post(
            url, {"team": str(other_team.pk), "role": "reader"}, content_type="application/json"
        ).status_code
        == 403
    )
    rows = owner.get(url).json()
    assert {r["role"] for r in rows} == {"owner", "editor", "administrator"}
    mine = next(r for r in rows if r["role"] == "owner")
    # The last owner stays.
    removed = owner.delete(f"{url}{mine['id']}/")
    assert removed.status_code == 400
    theirs = next(r for r in rows if r["role"] == "editor")
    changed = owner.patch(
        f"{url}{theirs['id']}/", {"role": "reader"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["role"] == "reader"
    assert owner.delete(f"{url}{theirs['id']}/").status_code == 204
    assert signed_in(colleague).get(f"{API}{doc.pk}/").status_code == 404


def test_access_requests_are_answered_by_administrators() -> None:
    doc = document()
    Document.objects.filter(pk=doc.pk).update(link_reach=LinkReach.AUTHENTICATED)
    asker = UserFactory(organisation=doc.organisation)
    url = f"{API}{doc.pk}/access-requests/"
    asked = signed_in(asker).post(url, {"role": "editor"}, content_type="application/json")
    assert asked.status_code == 201
    assert signed_in(asker).get(url).status_code == 403  # the list is the administrators'
    rows = signed_in(doc.creator).get(url).json()
    assert [r["user"] for r in rows] == [str(asker.pk)]
    answered = signed_in(doc.creator).post(
        f"{url}answer/", {"request": rows[0]["id"], "accept": True}, content_type="application/json"
    )
    assert answered.status_code == 204
    assert signed_in(asker).get(f"{API}{doc.pk}/").json()["abilities"]["update"] is True


def test_trash_restore_and_move() -> None:
    root = document(title="Racine")
    child = document(parent=root, title="Enfant")
    other = document(owner=root.creator, title="Ailleurs")
    owner = signed_in(root.creator)
    editor = share(root, Role.EDITOR)
    assert signed_in(editor).delete(f"{API}{root.pk}/").status_code == 403
    assert owner.delete(f"{API}{root.pk}/").status_code == 204
    assert [d["title"] for d in owner.get(API, {"view": "trash"}).json()] == ["Racine"]
    assert owner.get(f"{API}{child.pk}/children/").status_code == 404  # gone with its parent
    assert owner.post(f"{API}{root.pk}/restore/").status_code == 200
    assert owner.get(f"{API}{child.pk}/").json()["deleted_at"] is None
    moved = owner.post(
        f"{API}{child.pk}/move/", {"parent": str(other.pk)}, content_type="application/json"
    )
    assert moved.status_code == 200 and moved.json()["parent"] == str(other.pk)
    # The editor of Racine no longer reaches it.
    assert signed_in(editor).get(f"{API}{child.pk}/").status_code == 404
    below_itself = owner.post(
        f"{API}{other.pk}/move/", {"parent": str(child.pk)}, content_type="application/json"
    )
    assert below_itself.status_code == 400


def test_favourites_and_search() -> None:
    doc = document(title="Budget 2027")
    document(owner=doc.creator, title="Autre")
    owner = signed_in(doc.creator)
    assert owner.post(f"{API}{doc.pk}/favourite/").status_code == 204
    assert [d["title"] for d in owner.get(API, {"view": "favourites"}).json()] == ["Budget 2027"]
    assert [d["title"] for d in owner.get(API, {"view": "mine", "search": "budget"}).json()] == [
        "Budget 2027"
    ]
    assert owner.delete(f"{API}{doc.pk}/favourite/").status_code == 204
    assert owner.get(API, {"view": "favourites"}).json() == []


def test_recent_lists_what_i_opened_last_first() -> None:
    from django.utils import timezone

    from ensemble.docs.models import Visit

    first, second = document(title="Premier"), None
    second = document(owner=first.creator, title="Second")
    Visit.objects.create(document=first, user=first.creator, at=timezone.now())
    Visit.objects.create(document=second, user=first.creator, at=timezone.now())
    Visit.objects.filter(document=first).update(at=timezone.now())  # opened again
    recent = signed_in(first.creator).get(API, {"view": "recent"}).json()
    assert [d["title"] for d in recent] == ["Premier", "Second"]


def test_the_trash_is_purged_after_30_days_with_what_is_below() -> None:
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from ensemble.docs import actions, tasks

    root = document(title="Racine")
    child = document(parent=root, title="Enfant")
    kept = document(owner=root.creator, title="Récent")
    actions.trash(root.creator, root)
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        actions.trash(kept.creator, kept)
        assert tasks.purge_trash.call() == {"purged": 0}
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert tasks.purge_trash.call() == {"purged": 1}
    assert not Document.objects.filter(pk__in=[root.pk, child.pk]).exists()
    assert Document.objects.filter(pk=kept.pk).exists()  # 2 days in the trash only


def test_the_accesses_list_says_which_are_inherited_from_above() -> None:
    root = document(title="Service")
    child = document(parent=root, title="Réunions")
    editor = share(root, Role.EDITOR)
    reader = share(child, Role.READER)
    rows = signed_in(root.creator).get(f"{API}{child.pk}/accesses/").json()
    by_user = {row["user"]: row for row in rows}
    assert by_user[str(reader.pk)]["inherited_from"] is None
    assert by_user[str(editor.pk)]["inherited_from"] == {"id": str(root.pk), "title": "Service"}
    assert by_user[str(root.creator.pk)]["role"] == "owner"
    inherited = by_user[str(editor.pk)]["id"]
    # Changed where it is given, not here.
    url = f"{API}{child.pk}/accesses/{inherited}/"
    changed = signed_in(root.creator).patch(
        url, {"role": "reader"}, content_type="application/json"
    )
    assert changed.status_code == 404


def test_only_owners_move_a_page_out_of_where_it_inherits_its_rights() -> None:
    """An administrator of the space moving a page to the root would become its owner and cut
    the space's owner out (a review found it)."""
    root = document(title="Service")
    child = document(parent=root, title="Réunions")
    admin = share(root, Role.ADMINISTRATOR)
    moved = signed_in(admin).post(
        f"{API}{child.pk}/move/", {"parent": None}, content_type="application/json"
    )
    assert moved.status_code == 403
    assert signed_in(root.creator).get(f"{API}{child.pk}/").json()["abilities"]["destroy"]
    owner_moves = signed_in(root.creator).post(
        f"{API}{child.pk}/move/", {"parent": None}, content_type="application/json"
    )
    assert owner_moves.status_code == 200 and owner_moves.json()["parent"] is None
    assert signed_in(admin).get(f"{API}{child.pk}/").status_code == 404  # inherited no more


def test_who_has_access_is_shown_to_those_given_access_not_to_whoever_has_the_link() -> None:
    """A review found link-only readers listing everyone with access, and the titles of
    pages above that they may not read (in the list and in the page's breadcrumb)."""
    parent = document(title="Titre secret du dossier")
    child = document(parent=parent, title="Page ouverte")
    Document.objects.filter(pk=child.pk).update(link_reach=LinkReach.AUTHENTICATED)
    passer_by = UserFactory(organisation=child.organisation)
    assert signed_in(passer_by).get(f"{API}{child.pk}/").status_code == 200
    assert signed_in(passer_by).get(f"{API}{child.pk}/accesses/").status_code == 403
    page = signed_in(passer_by).get(f"/docs/{child.pk}/")
    assert page.status_code == 200 and "Titre secret du dossier" not in page.content.decode()
    reader = share(child, Role.READER)  # given access to the page, not to the one above
    rows = signed_in(reader).get(f"{API}{child.pk}/accesses/").json()
    inherited = [row["inherited_from"] for row in rows if row["inherited_from"]]
    assert inherited == [{"id": str(parent.pk), "title": None}]
    owner_rows = signed_in(parent.creator).get(f"{API}{child.pk}/accesses/").json()
    assert {"id": str(parent.pk), "title": "Titre secret du dossier"} in [
        row["inherited_from"] for row in owner_rows
    ]


def test_external_users_read_a_public_document_and_no_more() -> None:
    doc = document()
    Document.objects.filter(pk=doc.pk).update(link_reach=LinkReach.PUBLIC, link_role=Role.EDITOR)
    guest = UserFactory(is_external=True, organisation=None)
    abilities = signed_in(guest).get(f"{API}{doc.pk}/").json()["abilities"]
    assert abilities["retrieve"] and not abilities["update"] and not abilities["create_child"]


def test_costly_actions_have_their_own_rate_limits(settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "docs.convert": "2/hour"}
    doc = document()
    owner = signed_in(doc.creator)
    url = f"{API}{doc.pk}/exports/"
    answers = [
        owner.post(url, {"format": "md"}, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert answers == [202, 202, 429]


def queries_of(client: Client, url: str, **params: Any) -> tuple[int, list[dict[str, Any]]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as done:
        answer = client.get(url, params)
    return len(done.captured_queries), answer.json()


def test_a_list_works_out_each_role_as_the_document_itself_does() -> None:
    """A list's abilities come from roles worked out together (not two queries a document),
    and each is the one the document alone gives: its own access, a team's, an ancestor's,
    a link's, the strongest of them."""
    reader = UserFactory()
    team = TeamFactory(organisation=reader.organisation)
    TeamMembership.objects.create(team=team, user=reader)
    root = document(title="Racine")
    share(root, Role.COMMENTER, user=reader)
    below = [document(parent=root, title=f"Sous-page {n}") for n in range(4)]
    share(below[0], Role.EDITOR, user=reader)
    share(below[1], Role.ADMINISTRATOR, team=team)
    Document.objects.filter(pk=below[2].pk).update(
        link_reach=LinkReach.AUTHENTICATED, link_role=Role.EDITOR
    )
    mine = [document(owner=reader, title=f"À moi {n}") for n in range(6)]
    client = signed_in(reader)
    queries_of(client, API)  # the session's first use writes it
    few = [queries_of(client, f"{API}{root.pk}/children/")[0], queries_of(client, API)[0]]
    for n in range(10):  # ten more of each: not one query more
        document(parent=root, title=f"Encore {n}")
        document(owner=reader, title=f"Encore à moi {n}")
    count, children = queries_of(client, f"{API}{root.pk}/children/")
    assert count == few[0] and len(children) == 14
    count, listed = queries_of(client, API, view="mine")
    assert count == few[1] and len(listed) == 16
    for row in [*children, *listed]:
        alone = Document.objects.get(pk=row["id"])
        assert row["abilities"] == alone.get_abilities(reader), row["title"]
    abilities = {row["title"]: row["abilities"] for row in children}
    assert abilities["Sous-page 0"]["update"] and not abilities["Sous-page 0"]["manage_accesses"]
    assert abilities["Sous-page 1"]["manage_accesses"]
    assert abilities["Sous-page 2"]["update"] and not abilities["Sous-page 3"]["update"]
    assert abilities["Sous-page 3"]["comment"]
    assert all(row["abilities"]["destroy"] for row in listed) and len(mine) == 6
    assert abilities["Encore 0"] == abilities["Sous-page 3"]  # the root's role, inherited
