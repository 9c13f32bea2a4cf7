from django.urls import path

from .views import lists, review

app_name = "lists"

urlpatterns = [
    path("", lists.list_index, name="list_index"),
    path("upload/", lists.upload, name="upload"),
    path("cases/upload/", lists.case_upload, name="case_upload"),
    path("<int:list_pk>/", lists.list_detail, name="list_detail"),
    path("<int:list_pk>/status/", lists.list_status, name="list_status"),
    path("<int:list_pk>/review/", review.review, name="review"),
    path("<int:list_pk>/review/bulk/", review.bulk_confirm, name="bulk_confirm"),
    path("matches/<int:match_pk>/decide/", review.match_decide, name="match_decide"),
    path("entries/<int:entry_pk>/create-case/", review.entry_create_case, name="entry_create_case"),
]
