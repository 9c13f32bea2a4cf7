"""The organisation's audit page, under the `audit` namespace (mounted at /accounts/audit/ by config/urls.py)."""

from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_log, name="audit"),
]
