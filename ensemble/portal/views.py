from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ensemble.core.launcher import tiles_for


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"tiles": tiles_for(request.user)})
