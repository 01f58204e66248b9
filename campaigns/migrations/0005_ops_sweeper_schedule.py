"""Create the beat schedule of the ops sweeper (core.tasks.ops_sweep, see docs/operations.md)."""

from django.db import migrations

TASK_NAME = "运维巡检（卡住的后台任务、排队补发、孤立文件）"
TASK = "core.tasks.ops_sweep"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "interval": every,
            "enabled": True,
            "description": "每分钟：心跳停止的汇编/导出重新排队一次、仍失败则标记失败；后台服务恢复后补发排队中的任务；"
                           "释放过期的提醒租约；每小时清理一天前的上传临时文件，并记录（或按设置删除）无记录引用的存储文件。",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_reminder_beat_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
