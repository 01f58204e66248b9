"""Create the beat schedule for "send what is due" (visible and editable at /sysadmin/)."""

from django.db import migrations

TASK_NAME = "发送到期的截止提醒"
TASK = "campaigns.tasks.send_due_reminders"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "interval": every,
            "enabled": True,
            "description": "每5分钟检查一次：按提醒设置发送截止前提醒、逾期汇总，并补发/重试未送达的提醒。",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
