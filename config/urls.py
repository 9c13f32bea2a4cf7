"""URL map: the admin (its path from the environment) and the apps' pages."""

from django.conf import settings
from django.contrib import admin
from django.urls import path

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
]
