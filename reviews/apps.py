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
    "assign_late": "形式审查通过后自动分配评委",
    "close_round": "结束评分轮次",
    "score_override": "有效评分不足时记录原因继续",
    "vote": "记录委员会表决",
    "propose": "提出拟表彰名单",
    "approve": "记录党委审定",
    "approve_online": "校领导在线审定",
    "send_back": "校领导退回拟表彰名单",
    "publicity": "开始公示",
    "objection": "记录公示异议",
    "objection_handled": "答复公示异议",
    "objection_filed": "网上提出公示异议",
    "withdraw_entry": "采纳异议，撤销拟表彰项目（名单递补）",
    "publish": "公布评审结果",
}


def _points(value, cache):
    """{"6": 14} → ["品牌定位与内涵：14 分"] (criterion names, loaded once a page)."""
    from .models import Criterion

    if not isinstance(value, dict):
        return str(value)
    if "criteria" not in cache:
        cache["criteria"] = {}
    missing = [int(k) for k in value if str(k).isdigit() and int(k) not in cache["criteria"]]
    if missing:
        cache["criteria"].update(Criterion.objects.filter(pk__in=missing).values_list("pk", "name"))
    return [f"{cache['criteria'].get(int(k), '评审指标') if str(k).isdigit() else k}：{v} 分" for k, v in value.items()]


def _tie_break(value, cache):
    """["criterion:effect", "top_scores"] → "单项“effect”得分高者优先 → 获评委最高分次数"."""
    from .models import DEFAULT_RUBRIC, TieBreak

    names = {code: name for code, name, *_ in DEFAULT_RUBRIC}
    shown = []
    for rule in value if isinstance(value, list) else [value]:
        rule = str(rule)
        if rule.startswith("criterion:"):
            shown.append(f"单项“{names.get(rule.split(':', 1)[1], '指定指标')}”得分高者优先")
        else:
            shown.append(TieBreak(rule).label if rule in TieBreak.values else "其他规则")
    return " → ".join(shown)


def _proposal(value, cache):
    """[{entry, place, final, name}, ...] → ["1. 甲学院党委（88.5 分）", ...]."""
    if not isinstance(value, list):
        return str(value)
    return [f"{p.get('place')}. {p.get('name')}（{p.get('final')} 分）" if isinstance(p, dict) else str(p) for p in value]


def _withdrawn(value, cache):
    if not isinstance(value, list):
        return str(value)
    return [f"{w.get('name')}：{w.get('reason')}" if isinstance(w, dict) else str(w) for w in value]


def _rubric(value, cache):
    """[[code, name, points, ...], ...] → ["品牌定位与内涵：15 分", ...]."""
    if not isinstance(value, list):
        return str(value)
    return [f"{row[1]}：{row[2]} 分" if isinstance(row, (list, tuple)) and len(row) >= 3 else str(row) for row in value]


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "十佳评审"

    def ready(self):
        from audit.log import ACTION_LABELS as labels
        from submissions import access

        from . import notices, obligations  # noqa: F401  (registers the judges' unscored assignments, notices)
        from .access import judge_may_view

        labels.update(ACTION_LABELS)
        from audit.display import register_value

        register_value("reviews.assignment", "points", _points)
        register_value("reviews.judgingtrack", "tie_break", _tie_break)
        register_value("reviews.judgingtrack", "rubric", _rubric)
        register_value("reviews.judgingtrack", "proposal", _proposal)
        register_value("reviews.judgingtrack", "withdrawn", _withdrawn)
        access.register_viewer(judge_may_view)
        from submissions import hooks

        from campaigns import hooks as campaign_hooks

        from .services import assign_passed_entry, follow_judging_deadline

        hooks.on_entry_passed(assign_passed_entry)
        campaign_hooks.on_deadline_moved(follow_judging_deadline)
