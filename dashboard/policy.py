"""The policy table of an export job (core.policy): who may watch, download and retry it."""

import rules

from core.policy import Action, Policy
from organizations.rules import is_zzb_admin

ADMIN_ONLY = "只有组织部管理员可以导出数据。"


@rules.predicate
def zzb_admin(user, obj):
    """组织部管理员"""
    return is_zzb_admin(user)



def admin_or_starter(user, job):
    """组织部管理员，或发起该导出的人"""
    return is_zzb_admin(user) or (job.created_by_id is not None and job.created_by_id == user.pk)


def _job_label(job):
    return job.get_status_display()


# The creator (while still an admin or not) and any admin may fetch a finished file.
EXPORT = Policy("export_job", {
    "view": Action("查看进度", who=admin_or_starter, denied=ADMIN_ONLY),
    "download": Action("下载", who=admin_or_starter, states={"done"}, denied=ADMIN_ONLY,
                       wrong_state="导出{state}，暂不能下载。"),
    "retry": Action("重试", who=zzb_admin, states={"failed"}, denied=ADMIN_ONLY,
                    wrong_state="只有失败的导出可以重试（当前：{state}）。"),
}, state_of=lambda job: job.status, state_label=_job_label)


def _declare_quiet():
    from campaigns import notices

    notices.quiet(*(f"export_job.{a}" for a in EXPORT), reason="组织部自己发起的导出：进度与文件在任务页面上")


_declare_quiet()
