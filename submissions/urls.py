from django.urls import path

from .views import files, form1, form2, shared

app_name = "submissions"
urlpatterns = [
    path("progress/", shared.ProgressView.as_view(), name="progress"),
    path("files/<uuid:uuid>/", files.AttachmentView.as_view(), name="attachment"),
    path("my/<str:kind>/", shared.MyFormRedirectView.as_view(), name="my"),
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
