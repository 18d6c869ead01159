from django.urls import path

from ensemble.docs import views

app_name = "docs"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("new/", views.create_view, name="create"),
    path("jobs/", views.jobs_view, name="jobs"),
    path("images/<uuid:image_id>/", views.image_view, name="image"),
    path("<uuid:document_id>/", views.document_view, name="document"),
    path("<uuid:document_id>/<slug:action>/", views.document_action_view, name="action"),
]
