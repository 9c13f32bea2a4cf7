"""/api/: the partner API, its OpenAPI schema and docs; /api/agency/<token>/: an agency's response page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import agency_views, homecoming_views, list_views, views

app_name = "api"

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("reports", views.ReportViewSet, basename="report")
router.register("requests", views.RescueRequestViewSet, basename="request")
router.register("referrals", views.ReferralViewSet, basename="referral")
router.register("lists", list_views.ReleasedListViewSet, basename="list")
router.register("batches", homecoming_views.BatchViewSet, basename="batch")
router.register("screening-queue", homecoming_views.ScreeningQueueViewSet, basename="screening-queue")
router.register("screenings", homecoming_views.ScreeningViewSet, basename="screening")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("agency/<str:token>/", agency_views.agency_response, name="agency_response"),
    *router.urls,
]
