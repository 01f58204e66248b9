from django.apps import AppConfig


class ShowcaseConfig(AppConfig):
    name = "showcase"
    verbose_name = "特色品牌推广"

    def ready(self):
        from submissions import access

        from . import access as showcase_access

        access.register_viewer(showcase_access.published_item_file)
