from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditEntry(models.Model):
    """One change to a main record: who, when, what changed (field: [old, new])."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="操作人"
    )
    action = models.CharField("操作", max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField("对象", max_length=200)
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, verbose_name="相关党组织"
    )
    changes = models.JSONField("变更内容", default=dict, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        db_table = "core_auditentry"  # the table predates the audit app (moved from core)
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_audite_content_45f5e6_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"
