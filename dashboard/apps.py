from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """组织部's data dashboard and XLSX exports. Reads submissions/campaigns/organizations; nothing reads it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"
    verbose_name = "数据看板与导出"
