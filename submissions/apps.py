from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = "申报材料"

    def ready(self):
        from organizations.demo import register_seeder

        from . import demo, obligations  # noqa: F401  (registers the 附件 obligations)

        register_seeder(demo.seed)
