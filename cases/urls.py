"""The case file's pages, under the `cases` namespace at /cases/."""

from django.urls import path

from .views import case_actions, case_page, evidence, exports, intake, places, requests, victim_edit, victim_list

app_name = "cases"

urlpatterns = [
    path("", victim_list.victim_list, name="victim_list"),
    # webmore: intake, request and referral lists, compounds and border regions.
    path("new/", intake.intake, name="intake"),
    path("requests/", requests.request_list, name="requests"),
    path("referrals/", requests.referral_list, name="referrals"),
    path("compounds/", places.compound_list, name="compounds"),
    path("compounds/<int:pk>/", places.compound_detail, name="compound_detail"),
    path("regions/", places.region_list, name="regions"),
    path("regions/<int:pk>/", places.region_detail, name="region_detail"),
    # The same pages under the names the navigation in base.html reverses.
    path("requests/", requests.request_list, name="request_list"),
    path("referrals/", requests.referral_list, name="referral_list"),
    path("compounds/", places.compound_list, name="compound_list"),
    path("regions/", places.region_list, name="region_list"),
    path("search/", victim_list.victim_search, name="victim_search"),
    # exports: supervisors' working exports and org admins' de-identified statistics (every download logged).
    path("exports/", exports.export_page, name="exports"),
    path("exports/victims/", exports.export_victims, name="export_victims"),
    path("exports/requests/", exports.export_requests, name="export_requests"),
    path("exports/referrals/", exports.export_referrals, name="export_referrals"),
    path("exports/statistics/", exports.export_statistics, name="export_statistics"),
    path("<int:pk>/", case_page.victim_detail, name="victim_detail"),
    path("<int:pk>/edit/", victim_edit.victim_edit, name="victim_edit"),
    path("<int:pk>/contact/", case_actions.victim_log_contact, name="victim_log_contact"),
    path("<int:pk>/note/", case_actions.victim_add_note, name="victim_add_note"),
    path("<int:pk>/status/", case_actions.victim_status, name="victim_status"),
    path("<int:pk>/assign/", case_actions.victim_assign, name="victim_assign"),
    path("<int:pk>/requests/open/", case_actions.request_open, name="request_open"),
    path("<int:pk>/requests/<int:request_pk>/close/", case_actions.request_close, name="request_close"),
    path("<int:pk>/refer/", case_actions.referral_new, name="referral_new"),
    path("<int:pk>/referrals/<int:referral_pk>/response/", case_actions.referral_response, name="referral_response"),
    # evidence: files on the case or its notes, decrypted only through these views (audited), never a public URL.
    path("<int:pk>/evidence/", evidence.evidence_upload, name="evidence_upload"),
    path("<int:pk>/evidence/<int:evidence_pk>/", evidence.evidence_download, name="evidence_download"),
    path("<int:pk>/evidence/<int:evidence_pk>/thumbnail/", evidence.evidence_thumbnail, name="evidence_thumbnail"),
    path("<int:pk>/evidence/<int:evidence_pk>/delete/", evidence.evidence_delete, name="evidence_delete"),
]
