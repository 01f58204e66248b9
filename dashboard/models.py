"""A background spreadsheet export: what was asked for, how far it got, and the file."""

import uuid

from django.conf import settings
from django.db import models


class ExportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ExportJob(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("导出内容", max_length=30)
    params = models.JSONField("筛选条件", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    rows_total = models.PositiveIntegerField("预计行数", default=0)
    rows_done = models.PositiveIntegerField("已写行数", default=0)
    file = models.FileField("文件", upload_to="exports/", blank=True, max_length=200)
    filename = models.CharField("下载文件名", max_length=160, blank=True)
    error = models.CharField("错误信息", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="发起人")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Job state (core.jobs): heartbeat while running, runs taken, last hand-over to the broker.
    heartbeat_at = models.DateTimeField("心跳时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("运行次数", default=0)
    queued_at = models.DateTimeField("排队时间", null=True, blank=True)
    broker_waiting = models.BooleanField("等待后台服务", default=False)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename or self.kind}（{self.get_status_display()}）"

    @property
    def is_finished(self):
        return self.status in {ExportStatus.DONE, ExportStatus.FAILED}
