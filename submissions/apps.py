from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = "申报材料"

    def ready(self):
        from organizations.demo import register_seeder

        from . import demo, notices, obligations  # noqa: F401  (registers the 附件 obligations and notices)

        register_seeder(demo.seed)
        register_history_formats()


def _assessment(value, cache):
    """{"political": "说明"} → ["政治引领到位：说明"] (StandardItem names, loaded once a page)."""
    from .models import StandardItem

    if "standard_names" not in cache:
        cache["standard_names"] = dict(StandardItem.objects.values_list("code", "name"))
    if not isinstance(value, dict):
        return str(value)
    return [f"{cache['standard_names'].get(code, '其他条目')}：{note or '（未填）'}" for code, note in value.items()]


def register_history_formats():
    from audit.display import register_value

    register_value("submissions.form1", "self_assessment", _assessment)
    register_value("submissions.form2row", "self_assessment", _assessment)
