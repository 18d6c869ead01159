"""The Docs pages: the list of documents (mine, shared, favourites, recent, templates, trash)
and a document's page, where the editor island (frontend/src/docs/) runs."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.postgres.search import SearchRank
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ensemble.assist.writing import Action
from ensemble.core import fulltext
from ensemble.core.files import file_response
from ensemble.core.refusals import ActionRefused
from ensemble.docs import actions
from ensemble.docs.models import (
    ConversionJob,
    Document,
    DocumentImage,
    Favourite,
    JobState,
    Visit,
    remember_roles,
)
from ensemble.docs.realtime import colour_of

VIEWS = {
    "mine": gettext_lazy("My documents"),
    "shared": gettext_lazy("Shared with me"),
    "favourites": gettext_lazy("Favourites"),
    "recent": gettext_lazy("Recent"),
    "templates": gettext_lazy("Templates"),
    "trash": gettext_lazy("Trash"),
}


def listed(user: Any, view: str, search: str = "") -> QuerySet[Document] | list[Document]:
    """The documents of one list of the Docs home, for ``user``."""
    readable = Document.objects.readable_by(user)
    if view == "trash":
        documents = readable.filter(deleted_at__isnull=False).exclude(
            parent__deleted_at__isnull=False
        )
    else:
        documents = readable.alive()
    if view == "mine":
        documents = documents.filter(parent__isnull=True, creator=user)
    elif view == "shared":
        direct = Q(accesses__user=user) | Q(accesses__team__memberships__user=user)
        documents = documents.filter(direct).exclude(creator=user)
    elif view == "favourites":
        documents = documents.filter(
            Exists(Favourite.objects.filter(user=user, document=OuterRef("pk")))
        )
    elif view == "recent":
        last = Visit.objects.filter(user=user, document=OuterRef("pk")).values("at")[:1]
        documents = documents.filter(Exists(last)).annotate(visited=last).order_by("-visited")
    elif view == "templates":
        documents = documents.filter(is_template=True)
    if search:
        return searched(documents, search)
    return documents.distinct()[:200] if view != "recent" else documents[:50]


def searched(documents: QuerySet[Document], text: str) -> QuerySet[Document] | list[Document]:
    """The documents among ``documents`` whose title or text has every word of ``text`` (the
    last one may be the start of a word: people search as they type), best first (the same
    engines as the chat's search: core/fulltext.py)."""
    if connection.vendor == "postgresql":
        words = fulltext.vector("title", "text")
        wanted = fulltext.query(text, prefix=True)
        found = documents.annotate(words=words, rank=SearchRank(words, wanted)).filter(words=wanted)
        return found.order_by("-rank", "title")[:50]
    match = fulltext.fts5_query(text, prefix=True)
    if not match:
        return []
    ranked = fulltext.fts5_matches(Document._meta.db_table, "row_id", match)
    by_id = {doc.pk.hex: doc for doc in documents.filter(pk__in=ranked[:1000])}
    return [by_id[key.replace("-", "")] for key in ranked if key.replace("-", "") in by_id][:50]


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "mine")
    if view not in VIEWS:
        view = "mine"
    search = request.GET.get("q", "").strip()[:200]
    context = {
        "views": VIEWS.items(),
        "view": view,
        "view_name": VIEWS[view],
        "search": search,
        "documents": listed(request.user, view, search),
        "templates": listed(request.user, "templates")[:20],
    }
    return render(request, "docs/home.html", context)


@login_required
def jobs_view(request: HttpRequest) -> HttpResponse:
    """The person's imports and exports (the last 50; kept 7 days): their state, the document
    made or exported (if they may still read it), the file to download."""
    user: Any = request.user
    jobs = list(
        ConversionJob.objects.filter(requested_by=user)
        .select_related("document")
        .order_by("-created_at")[:50]
    )
    readable = {
        doc.pk
        for doc in remember_roles([job.document for job in jobs if job.document], user)
        if doc.deleted_at is None and doc.get_abilities(user)["retrieve"]
    }
    rows = [
        {
            "job": job,
            "document": job.document if job.document_id in readable else None,
            "download": job.kind == "export"
            and job.state == JobState.DONE
            and bool(job.file)
            and job.document_id in readable,
        }
        for job in jobs
    ]
    context = {"views": VIEWS.items(), "view": "jobs", "rows": rows}
    return render(request, "docs/jobs.html", context)


@login_required
@require_POST
def create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    parent = find(user, request.POST.get("parent"))
    template = find(user, request.POST.get("template"))
    try:
        document = actions.create_document(user, request.POST.get("title", ""), parent, template)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("docs:home")
    return redirect("docs:document", document_id=document.pk)


def find(user: Any, document_id: Any, alive: bool = True) -> Document | None:
    """The document of that id if ``user`` may read it (None if absent or not theirs)."""
    try:
        key = uuid.UUID(str(document_id))
    except ValueError:
        return None
    document = Document.objects.filter(pk=key).first()
    if document is None or (alive and document.deleted_at is not None):
        return None
    return document if document.get_abilities(user)["retrieve"] else None


def document_view(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    user: Any = request.user
    document = Document.objects.filter(pk=document_id, deleted_at__isnull=True).first()
    if document is None:
        raise Http404(_("No such document, or it is in the trash."))
    abilities = document.get_abilities(user)
    if not abilities["retrieve"]:
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return render(
            request,
            "docs/no_access.html",
            {"document": document, "abilities": abilities},
            status=403,
        )
    context = {
        "document": document,
        "abilities": abilities,
        "can_edit": abilities["update"],
        "can_comment": abilities["comment"],
        "socket_url": f"/ws/docs/{document.pk}/",
        "images_url": reverse("docs-document-images", args=[document.pk]),
        "user_name": str(user) if user.is_authenticated else _("Guest"),
        "user_color": colour_of(user),
        # The pages above, those the person may read (no title of another's page leaks).
        "lineage": [doc for doc in document.lineage()[:-1] if doc.get_abilities(user)["retrieve"]],
        "children": document.children.filter(deleted_at__isnull=True),
        "favourite": user.is_authenticated
        and Favourite.objects.filter(user=user, document=document).exists(),
        "assist_actions": Action.choices,
    }
    return render(request, "docs/editor.html", context)


@login_required
@require_POST
def document_action_view(request: HttpRequest, document_id: uuid.UUID, action: str) -> HttpResponse:
    """The page's forms: favourite, trash, restore, request access."""
    user: Any = request.user
    document = find(user, document_id, alive=action != "restore")
    if document is None and action == "request-access":
        document = Document.objects.filter(pk=document_id, deleted_at__isnull=True).first()
    if document is None:
        raise Http404(_("No such document, or it is in the trash."))
    try:
        if action == "favourite":
            actions.set_favourite(user, document, request.POST.get("on") == "1")
        elif action == "trash":
            actions.trash(user, document)
            messages.success(request, _("The document is in the trash for 30 days."))
            return redirect("docs:home")
        elif action == "restore":
            actions.restore(user, document)
            messages.success(request, _("The document is restored."))
        elif action == "request-access":
            actions.request_access(user, document, request.POST.get("role", "editor"))
            messages.success(request, _("Your request was sent to the document's owners."))
            return redirect("docs:home")
        else:
            raise Http404(_("No such action."))
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    return redirect("docs:document", document_id=document.pk)


def image_view(request: HttpRequest, image_id: uuid.UUID) -> HttpResponse:
    """A document's picture, to whoever may read the document (a public link's readers too)."""
    image = DocumentImage.objects.select_related("document").filter(pk=image_id).first()
    if image is None or not image.document.get_abilities(request.user)["retrieve"]:
        raise Http404(_("No such picture."))
    return file_response(image.file.open("rb"), "image", image.content_type, image.size)
