from django.apps import AppConfig


class ShowcaseConfig(AppConfig):
    name = "showcase"
    verbose_name = "特色品牌推广"

    def ready(self):
        from organizations.demo import register_seeder
        from submissions import access

        from . import access as showcase_access
        from . import demo, history_demo

        access.register_viewer(showcase_access.published_item_file)
        register_seeder(demo.seed)  # seed_demo --phase 4: published brands, videos, a booklet-ready year
        register_seeder(history_demo.seed)  # every phase: the two years before, judged and published (品牌历程, 历年对比)
