from django.apps import AppConfig


class SimilarityConfig(AppConfig):
    name = "similarity"
    verbose_name = "材料查重"

    def ready(self):
        from . import signals

        signals.connect()
