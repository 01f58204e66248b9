from django.urls import path

from . import views, views_notices, views_reminders

app_name = "campaigns"
urlpatterns = [
    path("", views.CampaignListView.as_view(), name="list"),
    path("<int:pk>/", views.CampaignDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CampaignEditView.as_view(), name="edit"),
    path("<int:pk>/extensions/<int:ext_pk>/revoke/", views.ExtensionRevokeView.as_view(), name="revoke_extension"),
    path("reminders/", views_reminders.CurrentRemindersView.as_view(), name="reminders_current"),
    path("<int:pk>/reminders/", views_reminders.RemindersView.as_view(), name="reminders"),
    path("<int:pk>/reminders/log/", views_reminders.ReminderLogView.as_view(), name="reminder_log"),
    path("<int:pk>/reminders/settings/", views_reminders.ReminderSettingsView.as_view(), name="reminder_settings"),
    path("<int:pk>/reminders/manual/", views_reminders.ManualReminderView.as_view(), name="reminder_manual"),
    path("notifications/", views_reminders.NotificationListView.as_view(), name="notifications"),
    path("notifications/<int:pk>/open/", views_reminders.NotificationOpenView.as_view(), name="notification_open"),
    path("notifications/<int:pk>/read/", views_reminders.NotificationReadView.as_view(), name="notification_read"),
    path("notifications/settings/", views_notices.NoticeSettingsView.as_view(), name="notice_settings"),
    path("notifications/read-all/", views_reminders.NotificationReadAllView.as_view(), name="notifications_read_all"),
]
