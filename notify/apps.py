from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "notify"
    verbose_name = "企业微信与钉钉通知"

    def ready(self):
        from audit import log as audit

        audit.ACTION_LABELS.setdefault("test_notice", "发送测试消息")
