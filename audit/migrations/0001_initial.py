"""The audit log moved from the `core` app into its own app: same table (core_auditentry), state only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_initial"),
        ("organizations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="时间")),
                        ("action", models.CharField(max_length=40, verbose_name="操作")),
                        ("object_id", models.CharField(max_length=40)),
                        ("object_repr", models.CharField(max_length=200, verbose_name="对象")),
                        ("changes", models.JSONField(blank=True, default=dict, verbose_name="变更内容")),
                        ("note", models.TextField(blank=True, verbose_name="说明")),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                    to=settings.AUTH_USER_MODEL, verbose_name="操作人")),
                        ("content_type", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                           to="contenttypes.contenttype")),
                        ("organization", models.ForeignKey(blank=True, null=True,
                                                           on_delete=django.db.models.deletion.SET_NULL,
                                                           to="organizations.organization", verbose_name="相关党组织")),
                    ],
                    options={
                        "verbose_name": "操作记录",
                        "verbose_name_plural": "操作记录",
                        "ordering": ["-at", "-id"],
                        "db_table": "core_auditentry",
                        "indexes": [models.Index(fields=["content_type", "object_id"], name="core_audite_content_45f5e6_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
