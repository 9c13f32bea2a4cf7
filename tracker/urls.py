"""The working view: my work (the home page) and, for supervisors, the team."""

from django.urls import path

from . import views

app_name = "tracker"

urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("team/", views.team, name="team"),
]
