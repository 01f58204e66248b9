"""The showcase's policy tables (core.policy): a showcase item, a year's showcase, and the 成果汇编
(booklet) and 静态网页包 (bundle) jobs.

Who may do what, from which state, with the Chinese reason when refused. Services ask these
tables first; `showcase/rules.py` registers the same answers as permissions."""

import rules

from core.policy import Action, Policy
from organizations.rules import is_zzb_admin, leads_org

ADMIN_ONLY = "只有组织部管理员可以管理成果展示。"


@rules.predicate
def zzb_admin(user, obj):
    """组织部管理员"""
    return is_zzb_admin(user)


@rules.predicate
def may_view_item(user, item):
    """已发布（访客也可看），或组织部管理员，或该党组织（及其上级院级党组织）书记"""
    if item is None:
        return False
    return item.is_published or is_zzb_admin(user) or leads_org(user, item.organization)


def _item_state(item):
    return "published" if item.is_published else "unpublished"


ITEM = Policy("showcase_item", {
    "refresh": Action("从申报材料更新展示内容", who=zzb_admin, denied=ADMIN_ONLY),
    # Publishing an already published item may still change its award badge (idempotent otherwise).
    "publish": Action("发布", who=zzb_admin, denied=ADMIN_ONLY),
    # Withdrawing an item that is not published is a no-op (a second click), not a refusal.
    "unpublish": Action("撤回发布", who=zzb_admin, denied=ADMIN_ONLY),
    "set_award": Action("标注荣誉", who=zzb_admin, denied=ADMIN_ONLY),
}, state_of=_item_state, state_label=lambda item: "已发布" if item.is_published else "未发布")


def _job_label(job):
    return job.get_status_display()


BOOKLET = Policy("booklet", {
    "view": Action("查看进度", who=zzb_admin, denied=ADMIN_ONLY),
    "download": Action("下载", who=zzb_admin, states={"done"}, denied=ADMIN_ONLY,
                       wrong_state="成果汇编{state}，暂不能下载。"),
    "retry": Action("重试", who=zzb_admin, states={"failed"}, denied=ADMIN_ONLY,
                    wrong_state="只有生成失败的汇编可以重试（当前：{state}）。"),
}, state_of=lambda job: job.status, state_label=_job_label)

BUNDLE = Policy("bundle", {
    "view": Action("查看进度", who=zzb_admin, denied=ADMIN_ONLY),
    "download": Action("下载", who=zzb_admin, states={"done"}, denied=ADMIN_ONLY,
                       wrong_state="静态网页包{state}，暂不能下载。"),
    "retry": Action("重试", who=zzb_admin, states={"failed"}, denied=ADMIN_ONLY,
                    wrong_state="只有生成失败的网页包可以重试（当前：{state}）。"),
}, state_of=lambda job: job.status, state_label=_job_label)


# Actions on a year's showcase as a whole (the object is the campaign).
YEAR = Policy("showcase_year", {
    "pick": Action("收录展示条目", who=zzb_admin, denied=ADMIN_ONLY),
    "create_booklet": Action("生成成果汇编", who=zzb_admin, denied=ADMIN_ONLY),
    "create_bundle": Action("导出静态网页包", who=zzb_admin, denied=ADMIN_ONLY),
}, state_of=lambda campaign: None, state_label=lambda campaign: "")


def _declare_quiet():
    from campaigns import notices

    notices.quiet(*(f"{p.name}.{a}" for p in (BOOKLET, BUNDLE) for a in p),
                  reason="组织部自己发起的生成任务：进度在页面上，失败时页面给出重试")
    notices.quiet(*(f"{p.name}.{a}" for p in (ITEM, YEAR) for a in p),
                  reason="成果展示的收录与发布由组织部操作，结果即时公开在展示页（公布评审结果时另有通知）")


_declare_quiet()
