"""Meet's home page (``/meet/``): start a meeting (choosing who may join), join one by its
code, open one's teams' rooms, and list one's meetings, with the scheduled ones one may
change or cancel. A thin page over the actions, like the API."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import Team
from ensemble.core.forms import DsfrForm
from ensemble.core.ratelimit import limited_posts
from ensemble.core.refusals import ActionRefused
from ensemble.meet import actions, schedule
from ensemble.meet.abilities import caller_of
from ensemble.meet.models import Access, Meeting
from ensemble.meet.team_rooms import team_room
from ensemble.meet.views import code_of

# What a meeting started or changed here may be (a team's access is its room's only).
CHOICES = [(value, label) for value, label in Access.choices if value != Access.TEAM]
LOCAL = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


class ChangeForm(DsfrForm, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts"),
        input_formats=[LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends"),
        input_formats=[LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL),
    )
    access = forms.ChoiceField(label=gettext_lazy("Who may join"), choices=CHOICES)
    invitees = forms.CharField(
        label=gettext_lazy("Invited people"),
        help_text=gettext_lazy("E-mail addresses, one a line."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_invitees(self) -> list[str]:
        emails = [line.strip() for line in self.cleaned_data["invitees"].split() if line.strip()]
        field = forms.EmailField()
        for email in emails:
            try:
                field.clean(email)
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    _("“%(email)s” is not an e-mail address.") % {"email": email}
                ) from error
        return emails


def change_form(meeting: Meeting, data: Any = None) -> ChangeForm:
    local = timezone.localtime
    initial = {
        "title": meeting.title,
        "starts_at": local(meeting.starts_at) if meeting.starts_at else None,
        "ends_at": local(meeting.ends_at) if meeting.ends_at else None,
        "access": meeting.access,
        "invitees": "\n".join(meeting.invitations.values_list("email", flat=True)),
    }
    return ChangeForm(data, initial=initial, prefix="change")


def editable(meeting: Meeting, user: Any) -> bool:
    return meeting.starts_at is not None and bool(
        meeting.get_abilities(user, caller_of(meeting, user))["edit"]
    )


def team_of(user: Any, team_id: str) -> Team | None:
    """One of the user's teams, by its id as the form sent it."""
    try:
        pk = uuid.UUID(team_id)
    except ValueError:
        return None
    return Team.objects.filter(pk=pk, memberships__user=user).first()


@login_required
@limited_posts("meet.manage")  # as the API's: starting, changing, cancelling, team rooms
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    error, editing, form = "", None, None
    code = code_of(request.POST.get("meeting") or request.GET.get("change", ""))
    target = Meeting.objects.filter(code=code).first() if code else None
    if target is not None and editable(target, user):
        editing, form = target, change_form(target)
    if request.method == "POST":
        what = request.POST.get("do") or ("join" if "code" in request.POST else "start")
        try:
            if what == "join":
                code = code_of(request.POST.get("code", ""))
                if code and Meeting.objects.filter(code=code).exists():
                    return redirect("meet:meeting", code=code)
                error = _("No meeting has this code. Check it and try again.")
            elif what == "start":
                title = request.POST.get("title", "").strip()[:200] or _("Meeting of %(name)s") % {
                    "name": user
                }
                access = request.POST.get("access", Access.SIGNED_IN)
                if access not in dict(CHOICES):
                    access = Access.SIGNED_IN
                meeting = actions.create_meeting(user, title, access=access)
                return redirect("meet:meeting", code=meeting.code)
            elif what == "team":
                team = team_of(user, request.POST.get("team", ""))
                if team is None:
                    error = _("You are not a member of this team.")
                else:
                    return redirect("meet:meeting", code=team_room(user, team)[0].code)
            elif what == "cancel" and target is not None:
                schedule.cancel_meeting(user, target)
                return redirect("meet:home")
            elif what == "change" and target is not None:
                form = change_form(target, request.POST)
                editing = target
                if form.is_valid():
                    schedule.update_meeting(user, target, form.cleaned_data)
                    return redirect("meet:home")
        except ActionRefused as refusal:
            error = str(refusal)
    mine = list(
        Meeting.objects.filter(participants__user=user.pk, ended_at__isnull=True, team=None)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gte=timezone.now()))
        .select_related("organiser")
        .distinct()
        .order_by("starts_at", "-created_at")[:20]
    )
    for meeting in mine:
        meeting.editable = editable(meeting, user)  # type: ignore[attr-defined]
    teams = Team.objects.filter(memberships__user=user.pk).select_related("meeting_room")
    context = {
        "meetings": mine,
        "teams": teams.order_by("name"),
        "error": error,
        "choices": CHOICES,
        "editing": editing,
        "form": form,
    }
    return render(request, "meet/home.html", context)
