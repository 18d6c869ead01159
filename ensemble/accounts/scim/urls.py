from django.urls import path

from ensemble.accounts.scim import views

urlpatterns = [
    path("Users", views.UsersView.as_view()),
    path("Users/<str:pk>", views.UserView.as_view()),
    path("Groups", views.GroupsView.as_view()),
    path("Groups/<str:pk>", views.GroupView.as_view()),
    path("ServiceProviderConfig", views.ServiceProviderConfigView.as_view()),
    path("ResourceTypes", views.ResourceTypesView.as_view()),
]
