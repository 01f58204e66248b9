from django.urls import path

from .views import entries, files, form1, form2, outcomes, shared

app_name = "submissions"
urlpatterns = [
    path("progress/", shared.ProgressView.as_view(), name="progress"),
    path("standards/", shared.StandardsView.as_view(), name="standards"),
    path("files/<uuid:uuid>/", files.AttachmentView.as_view(), name="attachment"),
    path("current/check/", shared.CurrentCampaignRedirectView.as_view(target="submissions:formal_check"),
         name="formal_check_current"),
    path("current/outcomes/", shared.CurrentCampaignRedirectView.as_view(target="submissions:outcomes_overview"),
         name="outcomes_current"),
    path("my/entries/", entries.MyEntriesRedirectView.as_view(), name="my_entries"),
    path("my/outcomes/", outcomes.MyOutcomesRedirectView.as_view(), name="my_outcomes"),
    path("my/<str:kind>/", shared.MyFormRedirectView.as_view(), name="my"),
    path("<int:campaign>/entries/<int:org>/", entries.EntriesHomeView.as_view(), name="entries"),
    path("<int:campaign>/check/", entries.FormalCheckView.as_view(), name="formal_check"),
    path("entries/<int:pk>/", entries.EntryView.as_view(), name="entry"),
    path("entries/<int:pk>/files/<str:slot>/", entries.EntryFileView.as_view(), name="entry_file"),
    path("entries/<int:pk>/evidence/", entries.EvidenceView.as_view(), name="entry_evidence"),
    path("entries/<int:pk>/check/", entries.EntryCheckView.as_view(), name="entry_check"),
    path("entries/<int:pk>/pdf/", entries.EntryPdfView.as_view(), name="entry_pdf"),
    path("<int:campaign>/outcomes/", outcomes.OutcomesOverviewView.as_view(), name="outcomes_overview"),
    path("<int:campaign>/outcomes/<int:org>/", outcomes.OutcomeListView.as_view(), name="outcomes"),
    path("outcomes/<int:pk>/", outcomes.OutcomeView.as_view(), name="outcome"),
    path("outcomes/<int:pk>/files/", outcomes.OutcomeFileView.as_view(), name="outcome_file"),
    path("<int:campaign>/form1/<int:org>/", form1.Form1View.as_view(), name="form1"),
    path("<int:campaign>/form2/<int:org>/", form2.Form2View.as_view(), name="form2"),
    path("<int:campaign>/row/<int:branch>/", form2.RowView.as_view(), name="row"),
    path("<int:campaign>/row/<int:branch>/return/", form2.RowActionView.as_view(action="return"), name="row_return"),
    path("<int:campaign>/row/<int:branch>/skip/", form2.RowActionView.as_view(action="skip"), name="row_skip"),
    path("<int:campaign>/<str:kind>/<int:org>/review/", shared.ReviewView.as_view(), name="review"),
    path("<int:campaign>/<str:kind>/<int:org>/pdf/", shared.PdfView.as_view(), name="pdf"),
    path("<int:campaign>/<str:kind>/<int:org>/scan/", shared.ScanUploadView.as_view(), name="scan_upload"),
    path("<int:campaign>/<str:kind>/<int:org>/scan/file/", shared.ScanDownloadView.as_view(), name="scan_file"),
    path("<int:campaign>/<str:kind>/<int:org>/logo/", shared.LogoView.as_view(), name="logo"),
    path("<int:campaign>/<str:kind>/<int:org>/history/", shared.HistoryView.as_view(), name="history"),
]
