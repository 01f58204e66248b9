from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.CampaignListView.as_view(), name="list"),
    path("<int:pk>/", views.CampaignDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CampaignEditView.as_view(), name="edit"),
    path("<int:pk>/extensions/<int:ext_pk>/revoke/", views.ExtensionRevokeView.as_view(), name="revoke_extension"),
]
