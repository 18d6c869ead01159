from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ensemble.accounts import views as accounts_views
from ensemble.core import health

admin.site.site_header = _("Ensemble administration")
admin.site.site_title = _("Ensemble administration")
admin.site.index_title = _("Operate the suite")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Browsers and bookmarks ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.ico"), permanent=True)),
    path("admin/login/", accounts_views.admin_sign_in_view),  # our sign-in page, not admin's
    path("admin/", admin.site.urls),
    path("accounts/", include("ensemble.accounts.urls")),
    path("api/v1/", include("ensemble.api_urls")),
    path("scim/v2/", include("ensemble.accounts.scim.urls")),
    path("chat/", include("ensemble.chat.urls")),
    path("meet/", include("ensemble.meet.urls")),
    path("docs/", include("ensemble.docs.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own: no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", include("ensemble.portal.urls")),
]
