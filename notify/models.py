"""企业微信 / 钉钉 notice channels: the group robots 组织部 configures, and the delivery outbox.

`notify` sits between `campaigns` and `organizations`: it knows orgs, accounts and roles, and
nothing about campaigns or reminders. A notice is identified by an `event` string that the
caller chooses ("reminder:<deadline id>:<slot>", "test:<uuid>", ...), so any notice that goes
by e-mail can also go through these channels."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from organizations.models import Organization, Role


class Platform(models.TextChoices):
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉自定义机器人"


class Channel(models.TextChoices):
    WECOM_ROBOT = "wecom_robot", "企业微信群机器人"
    DINGTALK_ROBOT = "dingtalk_robot", "钉钉群机器人"
    WECOM_APP = "wecom_app", "企业微信应用消息"


ROBOT_CHANNEL = {Platform.WECOM: Channel.WECOM_ROBOT, Platform.DINGTALK: Channel.DINGTALK_ROBOT}


class Robot(models.Model):
    """A group robot: the group of one 院级 org (it gets the reminders naming that org or its
    branches) or of everyone holding one role (e.g. all 支部书记, 评审专家, 组织部).

    The webhook URL and the 钉钉 加签 secret are stored encrypted (notify.crypto); only a masked
    form is ever shown."""

    name = models.CharField("名称", max_length=60)
    platform = models.CharField("平台", max_length=10, choices=Platform.choices)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="robots",
        verbose_name="院级党组织", limit_choices_to={"level": "college"},
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices, blank=True)
    webhook_encrypted = models.TextField(editable=False)
    webhook_mask = models.CharField("Webhook 地址", max_length=120, editable=False)
    secret_encrypted = models.TextField(blank=True, editable=False)
    secret_mask = models.CharField("加签密钥", max_length=40, blank=True, editable=False)
    enabled = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "群机器人"
        verbose_name_plural = "群机器人"
        ordering = ["platform", "organization__sort_order", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(role="")) | (Q(organization__isnull=True) & ~Q(role="")),
                name="robot_scope_org_xor_role",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_platform_display()}）"

    @property
    def channel(self):
        return ROBOT_CHANNEL[Platform(self.platform)]

    @property
    def scope_label(self):
        if self.organization_id:
            return f"{self.organization}及所属支部"
        return f"全部{Role(self.role).label}"

    @property
    def target(self):
        return f"robot:{self.pk}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    CANCELLED = "cancelled", "已取消"


class Delivery(models.Model):
    """The outbox: one row per (event, channel, target), written before anything is sent.

    target is "robot:<id>" or "user:<id>". The unique constraint makes a second beat, a retried
    task or a late run harmless, as ReminderLog does for e-mail."""

    event = models.CharField("事件", max_length=120)
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    target = models.CharField("目标", max_length=40)
    robot = models.ForeignKey(Robot, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries",
                              verbose_name="群机器人")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="接收人")
    address = models.CharField("接收账号", max_length=100, blank=True)  # 企业微信 userid for app messages
    title = models.CharField("标题", max_length=300)
    content = models.TextField("内容（Markdown）")
    status = models.CharField("状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    errcode = models.IntegerField("平台错误码", null=True, blank=True)
    error = models.TextField("错误信息", blank=True)
    claim = models.CharField(max_length=36, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="发起人")
    created_at = models.DateTimeField("记录时间", default=timezone.now, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "企业微信/钉钉发送记录"
        verbose_name_plural = "企业微信/钉钉发送记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel", "target"], name="unique_delivery_per_event_target"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"]), models.Index(fields=["claim"])]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.target} · {self.event}"

    @property
    def target_label(self):
        if self.robot_id:
            return str(self.robot.name)
        if self.user_id:
            name = self.user.display_name
            return f"{name}（{self.address}）" if self.address else name
        return self.target
