from django.db import migrations


def add(apps, schema_editor):
    from submissions.standards import ensure_standard_items

    ensure_standard_items(apps.get_model("submissions", "StandardItem"))


class Migration(migrations.Migration):
    dependencies = [("submissions", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
