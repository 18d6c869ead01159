"""Documents: a tree of pages, who may do what with them, and their Yjs content.

A document's content is a Yjs document stored as a snapshot (``DocumentState``) plus the updates
appended since (``DocumentUpdate``, numbered by ``Document.seq``); compaction folds the updates
into the snapshot. Rights are inherited down the tree: a person's role on a document is the
strongest of their accesses and the link roles on it and on every ancestor (``path``).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from ensemble.core.abilities import RANK, LinkReach, Role, abilities_for, highest, link_role
from ensemble.core.models import BaseModel

# How deep the tree may go (the path column holds every ancestor's id).
MAX_DEPTH = 20
ID_LENGTH = 32  # a UUID's hex


class DocumentQuerySet(models.QuerySet["Document"]):
    def alive(self) -> DocumentQuerySet:
        return self.filter(deleted_at__isnull=True)

    def readable_by(self, user: Any) -> DocumentQuerySet:
        """The documents ``user`` may read through an access (theirs or a team's) on them or on
        an ancestor; link reach is not listed (a link is found by having it). The query form of
        ``Document.get_abilities``'s "retrieve" for accesses (a test holds them together)."""
        if not user.is_authenticated:
            return self.none()
        granted = DocumentAccess.objects.filter(
            models.Q(user=user) | models.Q(team__memberships__user=user)
        ).filter(
            document__path=models.functions.Left(models.OuterRef("path"), Length("document__path"))
        )
        return self.filter(models.Exists(granted))


class Document(BaseModel):
    """A page: its title, its place in the tree, its link and its Yjs content's counter."""

    title = models.CharField(_("title"), max_length=255, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    # The ids (hex) of every ancestor and of the document itself, root first: "a…/b…/c…/".
    path = models.CharField(max_length=(ID_LENGTH + 1) * MAX_DEPTH, db_index=True, editable=False)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    link_reach = models.CharField(
        _("link reach"), max_length=20, choices=LinkReach.choices, default=LinkReach.RESTRICTED
    )
    link_role = models.CharField(
        _("link role"), max_length=20, choices=Role.choices, default=Role.READER
    )
    is_template = models.BooleanField(_("template"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, db_index=True)
    # The last update appended to the content's log.
    seq = models.PositiveBigIntegerField(default=0, editable=False)
    # The text of the content, for search (kept up to date by compaction).
    text = models.TextField(blank=True, editable=False)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["title", "created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title or str(_("Untitled document"))

    @property
    def ancestor_ids(self) -> list[str]:
        """The ids (hex) of the document and its ancestors, root first."""
        return [part for part in self.path.split("/") if part]

    @property
    def depth(self) -> int:
        return len(self.ancestor_ids)

    def lineage(self) -> list[Document]:
        """The document and its ancestors, root first (one query)."""
        found = {doc.pk.hex: doc for doc in Document.objects.filter(pk__in=self.ancestor_ids)}
        found[self.pk.hex] = self
        return [found[pk] for pk in self.ancestor_ids if pk in found]

    def get_role(self, user: Any) -> Role | None:
        cached = getattr(self, "_roles", {})
        key = getattr(user, "pk", None)
        if key in cached:
            return cached[key]
        links = [link_role(doc.link_reach, doc.link_role, user) for doc in self.lineage()]
        given: list[Role | str | None] = []
        if user.is_authenticated:
            given = list(
                DocumentAccess.objects.filter(document_id__in=self.ancestor_ids)
                .filter(models.Q(user=user) | models.Q(team__memberships__user=user))
                .values_list("role", flat=True)
            )
        return self.remember_role(user, highest([*links, *given]), bool(given))

    def remember_role(self, user: Any, role: Role | None, given: bool) -> Role | None:
        """Keep ``user``'s role (and whether an access gives it) for this request."""
        key = getattr(user, "pk", None)
        self._roles = {**getattr(self, "_roles", {}), key: role}
        self._given = {**getattr(self, "_given", {}), key: given}
        return role

    def history_since(self, user: Any) -> Any:
        """From when ``user`` may see the document's past (its versions): all of it for its
        administrators and owners; for others, from when they were given access (a version
        from before may hold what was removed before they were let in); None: nothing (a
        link's role only)."""
        from datetime import datetime

        role = self.get_role(user)
        if role is not None and RANK[role] >= RANK[Role.ADMINISTRATOR]:
            return datetime.min.replace(tzinfo=UTC)
        if not user.is_authenticated:
            return None
        given = DocumentAccess.objects.filter(document_id__in=self.ancestor_ids).filter(
            models.Q(user=user) | models.Q(team__memberships__user=user)
        )
        return given.aggregate(first=models.Min("created_at"))["first"]

    def has_access_given(self, user: Any) -> bool:
        """Whether ``user`` has a role given to them or their team (here or above), not only
        the one a link gives."""
        self.get_role(user)
        return bool(getattr(self, "_given", {}).get(getattr(user, "pk", None)))

    def get_abilities(self, user: Any) -> dict[str, bool]:
        role = self.get_role(user)
        rank = RANK[role] if role else 0
        in_trash = self.deleted_at is not None
        abilities = abilities_for(role)
        if in_trash:  # a document in the trash is only read, restored or purged
            abilities.update(update=False, comment=False, manage_accesses=False)
        abilities.update(
            # Who has access is shown to those given access, not to whoever has the link.
            accesses=bool(rank) and self.has_access_given(user),
            favourite=bool(user.is_authenticated and rank),
            restore=in_trash and rank >= RANK[Role.OWNER],
            request_access=bool(user.is_authenticated and rank < RANK[Role.EDITOR]),
            create_child=not in_trash and rank >= RANK[Role.EDITOR],
        )
        return abilities

    def forget_roles(self) -> None:
        self._roles = {}


def remember_roles(documents: list[Document], user: Any) -> list[Document]:
    """Work out ``user``'s role on each of ``documents`` in two queries, as ``get_role`` does
    for one (a list's abilities would otherwise cost two queries a document)."""
    ids = {pk for document in documents for pk in document.ancestor_ids}
    links = {
        pk.hex: link_role(reach, role, user)
        for pk, reach, role in Document.objects.filter(pk__in=ids).values_list(
            "pk", "link_reach", "link_role"
        )
    }
    given: dict[str, list[str]] = {}
    if user.is_authenticated:
        accesses = DocumentAccess.objects.filter(document_id__in=ids).filter(
            models.Q(user=user) | models.Q(team__memberships__user=user)
        )
        for document_id, role in accesses.values_list("document_id", "role"):
            given.setdefault(document_id.hex, []).append(role)
    for document in documents:
        lineage = document.ancestor_ids
        roles = [role for pk in lineage for role in given.get(pk, ())]
        found = highest([*(links.get(pk) for pk in lineage), *roles])
        document.remember_role(user, found, bool(roles))
    return documents


class DocumentAccess(BaseModel):
    """A role on a document (and every document below it) for a person or a team."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="document_accesses",
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("document access")
        verbose_name_plural = _("document accesses")
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="doc_access_unique_user"),
            models.UniqueConstraint(fields=["document", "team"], name="doc_access_unique_team"),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, team__isnull=True)
                | models.Q(user__isnull=True, team__isnull=False),
                name="doc_access_user_or_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.team}: {self.role}"


class AccessRequest(BaseModel):
    """Someone asks for a role on a document; its owners and administrators answer."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="access_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EDITOR)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="doc_request_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} asks {self.role}"


class Favourite(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="doc_favourite_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ☆ {self.document_id}"


class Visit(models.Model):
    """The last time a person opened a document (the "recent" list)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="doc_visit_unique")
        ]
        indexes = [models.Index(fields=["user", "-at"], name="doc_visit_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.document_id}"


class DocumentState(models.Model):
    """The compacted content: every update up to ``seq`` merged into one Yjs update."""

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, primary_key=True, related_name="state"
    )
    data = models.BinaryField()
    seq = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.document_id} up to {self.seq}"


class DocumentUpdate(models.Model):
    """One Yjs update, stored before it is acknowledged (the append log)."""

    id = models.BigAutoField(primary_key=True)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    data = models.BinaryField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "seq"], name="doc_update_unique_seq")
        ]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.seq}"


class DocumentImage(BaseModel):
    """A picture put in a document, stored encrypted; shown to whoever may read the document."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to="docs/images/", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.document_id}/{self.pk}"


class VersionKind(models.TextChoices):
    AUTO = "auto", _("Automatic")
    NAMED = "named", _("Named")
    RESTORE = "restore", _("Before a restore")


class DocumentVersion(BaseModel):
    """The whole content at one moment (a Yjs update), kept to look at, compare and restore."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    data = models.BinaryField()
    seq = models.PositiveBigIntegerField()
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=VersionKind.choices, default=VersionKind.AUTO)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["document", "-created_at"], name="doc_version_recent")]

    def __str__(self) -> str:
        return self.name or f"{self.document_id}@{self.seq}"


class Comment(BaseModel):
    """A comment on a passage (its anchor: two Yjs relative positions, so that it follows the
    text as it is edited), or a reply in its thread."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    thread = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=10_000)
    # The client's encoding of Y.RelativePosition (base64) at the start and end of the passage.
    anchor_start = models.CharField(max_length=500, blank=True)
    anchor_end = models.CharField(max_length=500, blank=True)
    quote = models.CharField(_("passage"), max_length=1000, blank=True)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.body[:50]


class JobKind(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Converting")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ConversionJob(BaseModel):
    """An import of a file into a new document, or an export of a document to a file, done by
    a background job; the person who asked follows its progress and gets the result."""

    kind = models.CharField(max_length=10, choices=JobKind.choices)
    format = models.CharField(max_length=10)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    # Export: the document exported. Import: the document made, once done.
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    parent = models.ForeignKey(
        Document, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Import: the file sent. Export: the file made.
    file = models.FileField(upload_to="docs/conversions/", max_length=200, blank=True)
    name = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.kind} {self.format} {self.state}"
