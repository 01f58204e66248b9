"""A year's campaign, its four phases, deadlines and per-org extensions."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class Phase(models.IntegerChoices):
    DESIGN = 1, "特色品牌设计"
    BUILD = 2, "特色品牌创建"
    REVIEW = 3, "特色品牌评比"
    PROMOTION = 4, "特色品牌推广"


class CampaignQuerySet(models.QuerySet):
    def current(self, today=None):
        """The campaign that has started most recently (else the earliest one)."""
        today = today or timezone.localdate()
        started = self.filter(design_start__lte=today).order_by("-design_start").first()
        return started or self.order_by("design_start").first()


class Campaign(models.Model):
    """一年一度的"一院一品牌、一支部一特色"创建活动. The current phase is computed, never stored."""

    year = models.PositiveIntegerField("年度", unique=True)
    title = models.CharField("名称", max_length=100)
    design_start = models.DateField("特色品牌设计 开始")
    design_end = models.DateField("特色品牌设计 结束")
    build_start = models.DateField("特色品牌创建 开始")
    build_end = models.DateField("特色品牌创建 结束")
    review_start = models.DateField("特色品牌评比 开始")
    review_end = models.DateField("特色品牌评比 结束")
    promotion_start = models.DateField("特色品牌推广 开始")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "年度创建活动"
        verbose_name_plural = "年度创建活动"
        ordering = ["-year"]

    def __str__(self):
        return self.title

    def clean(self):
        order = [
            ("design_start", self.design_start),
            ("design_end", self.design_end),
            ("build_end", self.build_end),
            ("review_end", self.review_end),
        ]
        for (_, earlier), (name, later) in zip(order, order[1:]):
            if earlier and later and later < earlier:
                raise ValidationError({name: "日期顺序不正确：各阶段应依次排列"})
        if self.design_start and self.build_start and self.build_start < self.design_start:
            raise ValidationError({"build_start": "创建阶段不能早于设计阶段开始"})
        if self.build_start and self.review_start and self.review_start < self.build_start:
            raise ValidationError({"review_start": "评比阶段不能早于创建阶段开始"})
        if self.review_start and self.promotion_start and self.promotion_start < self.review_start:
            raise ValidationError({"promotion_start": "推广阶段不能早于评比阶段开始"})

    def phase_windows(self):
        return [
            (Phase.DESIGN, self.design_start, self.design_end),
            (Phase.BUILD, self.build_start, self.build_end),
            (Phase.REVIEW, self.review_start, self.review_end),
            (Phase.PROMOTION, self.promotion_start, None),
        ]

    def phase_on(self, day):
        """The latest phase that has started on `day`, or None before the campaign."""
        current = None
        for phase, start, _end in self.phase_windows():
            if start <= day:
                current = phase
        return current

    @property
    def current_phase(self):
        return self.phase_on(timezone.localdate())

    def phase_is_open(self, phase, day=None):
        day = day or timezone.localdate()
        for p, start, end in self.phase_windows():
            if p == phase:
                return start <= day and (end is None or day <= end)
        return False


def end_of_day(day):
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


class DeadlineKind(models.TextChoices):
    DESIGN = "design", "附件1、附件2 上报"
    REVIEW = "review", "附件3、总结报告、\"三个一\"成果上报"
    JUDGING = "judging", "评审打分"


class Deadline(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deadlines", verbose_name="年度活动")
    kind = models.CharField("截止事项", max_length=20, choices=DeadlineKind.choices)
    due_at = models.DateTimeField("截止时间")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "截止时间"
        verbose_name_plural = "截止时间"
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="unique_deadline_kind")]

    def __str__(self):
        return f"{self.get_kind_display()}（{timezone.localtime(self.due_at):%Y-%m-%d %H:%M}）"


class DeadlineExtension(models.Model):
    """An explicit, audited extension of one deadline for one org (and its branches)."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="extensions", verbose_name="截止事项")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="extensions", verbose_name="党组织"
    )
    due_at = models.DateTimeField("延期至")
    reason = models.CharField("原因", max_length=200)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="批准人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"
        constraints = [models.UniqueConstraint(fields=["deadline", "organization"], name="unique_extension")]

    def __str__(self):
        return f"{self.organization} · {self.deadline.get_kind_display()} → {timezone.localtime(self.due_at):%Y-%m-%d %H:%M}"
