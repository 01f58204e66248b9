"""材料查重: one fingerprinted text per source (附件1, 附件2 row, 附件3, uploaded document, 案例库
item), one row per (text, other text) overlap, a threshold per campaign, and the bulk runs."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class SourceKind(models.TextChoices):
    FORM1 = "form1", "附件1 一院一品牌申报表"
    FORM2ROW = "form2row", "附件2 一支部一特色"
    ENTRY = "entry", "附件3 十佳申报表"
    DOCUMENT = "document", "上传文档"
    SHOWCASE = "showcase", "成果展示条目"
    CASE = "case", "案例库条目"


class Text(models.Model):
    """The text of one source, with its MinHash window signatures (re-hashed only when it changes)."""

    kind = models.CharField("来源", max_length=10, choices=SourceKind.choices)
    object_id = models.PositiveIntegerField()
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+",
                                 verbose_name="年度活动")
    year = models.PositiveIntegerField("年度", db_index=True)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+",
                                     verbose_name="党组织")
    college = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+",
                                verbose_name="所属院(处)级党组织")
    entry = models.ForeignKey("submissions.Entry", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+", verbose_name="所属十佳申报")
    label = models.CharField("名称", max_length=200)
    body = models.TextField("文本", blank=True)
    source_hash = models.CharField(max_length=64, help_text="来源内容（或文件）的哈希：未变则不重新提取和计算")
    content_hash = models.CharField(max_length=64, help_text="规范化文本的哈希")
    length = models.PositiveIntegerField("字数", default=0)
    signatures = models.BinaryField(default=b"")
    checked_hash = models.CharField(max_length=64, blank=True, help_text="最近一次比对时的 content_hash")
    note = models.CharField("提取说明", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "查重文本"
        verbose_name_plural = "查重文本"
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="unique_similarity_text")]
        indexes = [models.Index(fields=["campaign", "kind"])]

    def __str__(self):
        return self.label

    @property
    def is_checked(self):
        return self.checked_hash == self.content_hash


class Match(models.Model):
    """How much of `text` is found in `other` (one row per direction), and where."""

    text = models.ForeignKey(Text, on_delete=models.CASCADE, related_name="matches")
    other = models.ForeignKey(Text, on_delete=models.CASCADE, related_name="+")
    percent = models.FloatField("相似度（%）")
    passages = models.JSONField(default=list, help_text="[[本文起, 止, 对方起, 止, 相似分], ...]")
    text_hash = models.CharField(max_length=64)
    other_hash = models.CharField(max_length=64)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "相似结果"
        verbose_name_plural = "相似结果"
        ordering = ["-percent"]
        constraints = [models.UniqueConstraint(fields=["text", "other"], name="unique_similarity_match")]

    def __str__(self):
        return f"{self.text} ≈ {self.other}（{self.percent}%）"


class CampaignSetting(models.Model):
    """Per campaign: from which similarity an entry is flagged in the 形式审查 list."""

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    threshold = models.PositiveSmallIntegerField("查重提示阈值（%）", default=30,
                                                 validators=[MinValueValidator(1), MaxValueValidator(100)])
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "查重设置"
        verbose_name_plural = "查重设置"

    def __str__(self):
        return f"{self.campaign} · 阈值 {self.threshold}%"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "查重中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Run(models.Model):
    """One bulk check of a campaign's texts (button or management command)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    status = models.CharField("状态", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    full = models.BooleanField("全部重新比对", default=False)
    texts = models.PositiveIntegerField("文本数", default=0)
    hashed = models.PositiveIntegerField("新计算指纹", default=0)
    checked = models.PositiveIntegerField("比对文本", default=0)
    pairs = models.PositiveIntegerField("精确比对对数", default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "查重批次"
        verbose_name_plural = "查重批次"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"材料查重（年度活动 {self.campaign_id}，批次 {self.pk}）"

    @property
    def is_finished(self):
        return self.status in {RunStatus.DONE, RunStatus.FAILED}

    @property
    def seconds(self):
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 1)
        return None
