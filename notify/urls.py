from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("", views.ChannelsView.as_view(), name="channels"),
    path("robots/new/", views.RobotCreateView.as_view(), name="robot_new"),
    path("robots/<int:pk>/edit/", views.RobotEditView.as_view(), name="robot_edit"),
    path("robots/<int:pk>/test/", views.RobotTestView.as_view(), name="robot_test"),
    path("app-test/", views.AppTestView.as_view(), name="app_test"),
    path("deliveries/", views.DeliveryLogView.as_view(), name="deliveries"),
    path("deliveries/<int:pk>/retry/", views.DeliveryRetryView.as_view(), name="delivery_retry"),
]
