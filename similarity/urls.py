from django.urls import path

from . import views

app_name = "similarity"
urlpatterns = [
    path("current/", views.CurrentView.as_view(), name="current"),
    path("<int:campaign>/", views.CampaignView.as_view(), name="campaign"),
    path("<int:campaign>/threshold/", views.ThresholdView.as_view(), name="threshold"),
    path("<int:campaign>/run/", views.RunView.as_view(), name="run"),
    path("texts/<int:pk>/", views.TextView.as_view(), name="text"),
    path("matches/<int:pk>/", views.CompareView.as_view(), name="compare"),
]
