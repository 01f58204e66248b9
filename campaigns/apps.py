from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "年度创建活动"

    def ready(self):
        from core import ops

        def reminder_leases(now):
            from . import reminders

            return len(reminders.sweep(now))

        ops.register_sweep_step("reminder_leases", reminder_leases)

        def notice_leases(now):
            from . import notices

            return len(notices.sweep(now))

        ops.register_sweep_step("notice_leases", notice_leases)

        from audit import log as audit

        from . import notices

        audit.add_listener(notices.on_audit)
