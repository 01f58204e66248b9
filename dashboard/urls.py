from django.urls import path

from . import views, views_years

app_name = "dashboard"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("matrix/", views.MatrixView.as_view(), name="matrix"),
    path("years/", views_years.YearsView.as_view(), name="years"),
    path("export/<str:kind>/", views.ExportView.as_view(), name="export"),
    path("jobs/<uuid:uuid>/", views.JobView.as_view(), name="job"),
    path("jobs/<uuid:uuid>/status/", views.JobStatusView.as_view(), name="job_status"),
    path("jobs/<uuid:uuid>/download/", views.JobDownloadView.as_view(), name="job_download"),
    path("jobs/<uuid:uuid>/retry/", views.JobRetryView.as_view(), name="job_retry"),
]
