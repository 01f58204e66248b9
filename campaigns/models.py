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


# --- Reminders and notifications -------------------------------------------------------------

DEFAULT_OFFSETS = [7, 3, 1, 0]

DEFAULT_SUBJECT = "【提醒】{{ deadline_label }}将于{{ due_at|date:\"n月j日 H:i\" }}截止{% if days_left > 0 %}（还剩{{ days_left }}天）{% else %}（今天截止）{% endif %}"
DEFAULT_BODY = """{{ recipient_name }}同志：

{{ campaign_title }}中，以下事项尚未完成，截止时间为 {{ due_at|date:"Y年n月j日 H:i" }}{% if days_left > 0 %}，还剩 {{ days_left }} 天{% else %}，今天截止{% endif %}：

{% for item in items %}{{ forloop.counter }}. {{ item.label }}{% if item.organization %}（{{ item.organization }}）{% endif %}{% if item.state %}，当前状态：{{ item.state }}{% endif %}
   {{ item.link }}
{% endfor %}
请在截止时间前登录平台完成。如已完成，请忽略本提醒。

党委组织部
"""


def default_offsets():
    return list(DEFAULT_OFFSETS)


class ReminderSettings(models.Model):
    """Per campaign: when reminders go out (days before each deadline) and the mail text."""

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="reminder_settings", verbose_name="年度活动"
    )
    enabled = models.BooleanField("启用自动提醒", default=True)
    offsets = models.JSONField("提前天数", default=default_offsets, help_text="例如 7,3,1,0；0 表示截止当天")
    send_time = models.TimeField("发送时刻", default=dt.time(9, 0), help_text="北京时间，例如 09:00")
    subject_template = models.CharField("邮件标题模板", max_length=300, default=DEFAULT_SUBJECT)
    body_template = models.TextField("邮件正文模板", default=DEFAULT_BODY)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "提醒设置"
        verbose_name_plural = "提醒设置"

    def __str__(self):
        return f"{self.campaign} · 提醒设置"

    def sorted_offsets(self):
        return sorted({int(o) for o in self.offsets}, reverse=True)


class ReminderKind(models.TextChoices):
    BEFORE_DEADLINE = "before", "截止前提醒"
    OVERDUE_SUMMARY = "overdue", "逾期汇总"
    MANUAL = "manual", "手动提醒"


class ReminderStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    CANCELLED = "cancelled", "已取消（事项已完成）"
    SKIPPED = "skipped", "未发送（已由更近的提醒取代）"


class ReminderLog(models.Model):
    """The outbox: one row per (deadline, recipient, slot), written before anything is sent.

    `slot` is "d<offset>@<due time>" (e.g. "d3@202605152359") before a deadline,
    "overdue@<due time>" for the summary to 组织部 and "manual-<batch>" for a manual reminder. The unique constraint is what makes a retried task,
    a second beat or a late run harmless."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders", verbose_name="截止事项")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name="接收人"
    )
    slot = models.CharField("批次", max_length=40)
    kind = models.CharField("类型", max_length=10, choices=ReminderKind.choices, default=ReminderKind.BEFORE_DEADLINE)
    offset_days = models.IntegerField("提前天数", null=True, blank=True)
    due_at = models.DateTimeField("截止时间（含延期）", null=True, blank=True)
    email = models.EmailField("邮箱", blank=True)
    cc = models.CharField("抄送（党组织联系人邮箱）", max_length=500, blank=True)
    subject = models.CharField("标题", max_length=300, blank=True)
    body = models.TextField("正文", blank=True)
    items = models.JSONField("事项", default=list, blank=True)
    organizations = models.CharField("相关党组织", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.TextField("错误信息", blank=True)
    claim = models.CharField(max_length=36, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="发起人",
    )
    created_at = models.DateTimeField("记录时间", default=timezone.now, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "提醒记录"
        verbose_name_plural = "提醒记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "recipient", "slot"], name="unique_reminder_per_slot"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"]), models.Index(fields=["claim"])]

    def __str__(self):
        return f"{self.recipient} · {self.deadline} · {self.slot}"


class Notification(models.Model):
    """An in-portal message (the bell in the navigation bar)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    title = models.CharField("标题", max_length=300)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=500, blank=True)
    reminder = models.OneToOneField(
        ReminderLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="notification",
        verbose_name="来源提醒",
    )
    notice = models.OneToOneField(
        "NoticeLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="notification",
        verbose_name="来源变更通知",
    )
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.title


# --- Notices of changes (campaigns.notices) --------------------------------------------------


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    CANCELLED = "cancelled", "未发送邮件（接收人已关闭此类邮件）"


class NoticeLog(models.Model):
    """The outbox of change notices: one row per (event, target), written in the transaction of the
    change itself. `event` is "audit:<audit entry id>" (the change); `target` is "u<user id>" for an
    account or "e<address>" for someone without one (an objector who left an e-mail). The unique
    constraint is what makes a second dispatch of the same event, or a retried task, send nothing twice."""

    event = models.CharField("事件", max_length=60)
    target = models.CharField("接收对象", max_length=260)
    kind = models.CharField("通知类别", max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notices",
        verbose_name="接收人",
    )
    email = models.EmailField("邮箱", blank=True)
    subject = models.CharField("标题", max_length=300)
    body = models.TextField("正文", blank=True)
    url = models.CharField("链接", max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="操作人",
    )
    actor_label = models.CharField("操作方", max_length=200, blank=True)
    comment = models.TextField("意见", blank=True)
    audit_entry = models.ForeignKey(
        "audit.AuditEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="操作记录",
    )
    status = models.CharField("状态", max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.TextField("错误信息", blank=True)
    claim = models.CharField(max_length=36, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField("记录时间", default=timezone.now, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "变更通知记录"
        verbose_name_plural = "变更通知记录"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "target"], name="unique_notice_per_event_target")]
        indexes = [models.Index(fields=["status", "next_attempt_at"]), models.Index(fields=["claim"])]

    def __str__(self):
        return self.subject


class NoticePreference(models.Model):
    """A person's choice of e-mail per notice kind (no row: e-mail on). In-portal notices are always on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences", verbose_name="账号"
    )
    kind = models.CharField("通知类别", max_length=40)
    email = models.BooleanField("发送邮件", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "通知偏好"
        verbose_name_plural = "通知偏好"
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="unique_notice_preference")]

    def __str__(self):
        return f"{self.user} · {self.kind} · {'邮件' if self.email else '不发邮件'}"
