from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.OrgTreeView.as_view(), name="tree"),
    path("people/", views.PeopleView.as_view(), name="people"),
    path("people/<int:pk>/employee-id/", views.EmployeeIdView.as_view(), name="set_employee_id"),
    path("people/pending-activation/", views.PendingActivationView.as_view(), name="pending_activation"),
    path("people/new/", views.AccountCreateView.as_view(), name="account_create"),
    path("people/<int:pk>/", views.AccountView.as_view(), name="account"),
    path("people/<int:pk>/do/<str:action>/", views.AccountActionView.as_view(), name="account_action"),
    path("<int:pk>/", views.OrgDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.OrgEditView.as_view(), name="edit"),
    path("export.xlsx", views.OrgExportView.as_view(), name="export"),
    path("import/", views.ImportUploadView.as_view(), name="import"),
    path("import/template.xlsx", views.ImportTemplateView.as_view(), name="import_template"),
    path("import/<slug:token>/", views.ImportPreviewView.as_view(), name="import_preview"),
    path("import/<slug:token>/apply/", views.ImportApplyView.as_view(), name="import_apply"),
    path("import/<slug:token>/result/", views.ImportResultView.as_view(), name="import_result"),
    path("import/<slug:token>/links.xlsx", views.ImportLinksDownloadView.as_view(), name="import_links"),
]
