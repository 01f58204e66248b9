from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = "申报材料"

    def ready(self):
        from . import obligations  # noqa: F401  (registers the 附件 obligations)
