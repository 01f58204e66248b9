from django.apps import AppConfig


class SimilarityConfig(AppConfig):
    name = "similarity"
    verbose_name = "材料查重"

    def ready(self):
        from organizations.demo import register_seeder

        from . import demo, signals

        signals.connect()
        register_seeder(demo.seed)  # after the apps below it (INSTALLED_APPS order): checks what they seeded
