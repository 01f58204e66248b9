from django.apps import AppConfig

ACTION_LABELS = {
    "judging_create": "创建评审",
    "track_update": "修改评审设置",
    "rubric_update": "修改评分标准",
    "judges_update": "调整评委",
    "assign": "分配评审任务",
    "unassign": "取消评审分配",
    "declare_conflict": "申报回避",
    "open_scoring": "开始评审（冻结评分标准）",
    "score": "打分",
    "abstain": "弃权",
    "submit_sheet": "提交评分表",
    "unlock_sheet": "解锁评分表",
    "close_round": "结束评分轮次",
    "vote": "记录委员会表决",
    "propose": "提出拟表彰名单",
    "approve": "记录党委审定",
    "publicity": "开始公示",
    "objection": "记录公示异议",
    "objection_handled": "处理公示异议",
    "publish": "公布评审结果",
}


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "十佳评审"

    def ready(self):
        from audit.log import ACTION_LABELS as labels
        from submissions import access

        from . import obligations  # noqa: F401  (registers the judges' unscored assignments)
        from .access import judge_may_view

        labels.update(ACTION_LABELS)
        access.register_viewer(judge_may_view)
