from django.urls import path

from . import manifest_views, views

app_name = "homecoming"

urlpatterns = [
    path("screening/", views.screening_queue, name="screening_queue"),
    path("case/<int:pk>/", views.case_return, name="case_return"),
    path("follow-ups/<int:followup_pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/<int:batch_pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:batch_pk>/members/", views.batch_add_member, name="batch_add_member"),
    path("batches/<int:batch_pk>/manifest/", manifest_views.manifest_page, name="manifest_page"),
    path("batches/<int:batch_pk>/manifest/pdf/", manifest_views.manifest_pdf_view, name="manifest_pdf"),
    path(
        "batches/<int:batch_pk>/manifest/pdf/download/",
        manifest_views.manifest_pdf_download,
        name="manifest_pdf_download",
    ),
    path("batches/<int:batch_pk>/manifest.csv", manifest_views.manifest_csv, name="manifest_csv"),
    path("members/<int:member_pk>/", views.member_detail, name="member_detail"),
    path("overview/", views.overview, name="overview"),
]
