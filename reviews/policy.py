"""The rules of the 十佳 judging: one table per state machine. Read this file first.

| machine    | object       | state read        | actions                                                  |
|------------|--------------|-------------------|----------------------------------------------------------|
| TRACK      | JudgingTrack | track.stage       | configure, rubric, rubric2, judges, assign, add_assignment, open_scoring, close, override_scores, open_room, vote, propose, approve, approve_online, send_back, publicity, objection, publish |
| OBJECTION  | Objection (or the track, for `file`) | track.stage | file (anyone, no login), handle, withdraw_entry |
| ASSIGNMENT | Assignment   | track.stage       | score, enter_paper, declare_conflict, remove             |
| SHEET      | ScoreSheet   | track.stage       | submit, unlock                                           |
| ROOM       | DefenceRoom  | room.state        | score, timer, absent, unlock, next                       |

The 现场答辩 room (ROOM) runs inside the track's round 2: scoring → revealed (every present judge
has submitted) → next entry → … → finished. Round-2 scores go through the room while it is open;
组织部 can enter a judge's paper score for the entry on stage (ASSIGNMENT.enter_paper).

Stages run setup → scoring → (round2) → closed → proposed → approved → publicity → published;
each decision step is allowed only from the stage before it ("the decision stage moved on"
refuses everything that belongs to an earlier stage). Services lock the track, ask the table,
then change state through `audit.changes`.
"""

from django.utils import timezone

from core.policy import Action, Policy
from organizations import roles
from organizations.models import Role
from organizations.rules import is_zzb_admin

from .models import Round, RoomState, Stage

BEFORE_CLOSED = {Stage.SETUP, Stage.SCORING, Stage.ROUND2}
ADMIN_ONLY = "只有党委组织部管理员可以进行此操作。"
APPROVERS_ONLY = "只有校领导（审定）账号可以在线审定拟表彰名单。"
NOTHING_TO_APPROVE = "当前阶段为“{state}”，没有待审定的拟表彰名单。"


# ---------------------------------------------------------------- who (defined once)


def judges_track(user, track):
    """The user holds the judge role and is one of this track's judges.

    A page that loaded the answer with the track (the scoring page: one Exists() in its one query, see
    `known_judges`) is not asked again."""
    if not roles.has_role(user, Role.JUDGE):
        return False
    known = track.__dict__.get(_KNOWN_JUDGES)
    if known is not None and user.pk in known:
        return known[user.pk]
    return track.judges.filter(pk=user.pk).exists()


_KNOWN_JUDGES = "_known_judges"


def known_judges(track, answers):
    """Record {user_id: is one of the track's judges} read with the track, for judges_track() on this object."""
    track.__dict__.setdefault(_KNOWN_JUDGES, {}).update(answers)


def conflict_of(judge, assignment):
    """Why `judge` must not see or score the assignment's entry ("" when no conflict)."""
    from .queries import conflict_reason

    # asked up to three times per request (the view, the permission rule, the policy row): once per
    # judge on this instance
    memo = assignment.__dict__.setdefault("_conflict_memo", {})
    if judge.pk not in memo:
        memo[judge.pk] = conflict_reason(assignment.track, judge, assignment.entry)
    return memo[judge.pk]


def judge_without_conflict(user, assignment):
    """The assignment is the user's own, they judge its track, and they have no conflict with the entry."""
    return (assignment.judge_id == user.pk and judges_track(user, assignment.track)
            and not conflict_of(user, assignment))


def _admin(user, obj):
    return is_zzb_admin(user)


def _approver(user, track):
    return roles.has_role(user, Role.APPROVER)


def _own_assignment_or_admin(user, assignment):
    return is_zzb_admin(user) or (assignment.judge_id == user.pk and judges_track(user, assignment.track))


def _own_sheet(user, sheet):
    return sheet.judge_id == user.pk and judges_track(user, sheet.track)


# ---------------------------------------------------------------- windows and conditions


def _round_stage(round_):
    return Stage.SCORING if round_ == Round.MATERIALS else Stage.ROUND2


def _scoring_window(obj, now):
    """Round-1 scores between the track's opening and closing time; round 2 is on site (no closing time)."""
    track = obj.track
    if now < track.opens_at:
        return f"评审将于 {timezone.localtime(track.opens_at):%Y年%m月%d日 %H:%M} 开始。"
    if obj.round == Round.MATERIALS and now > track.closes_at:
        return f"已超过评审截止时间（{timezone.localtime(track.closes_at):%Y年%m月%d日 %H:%M}），不能再打分。"
    return None


def _in_its_round(user, obj, now):
    if obj.track.stage != _round_stage(obj.round):
        return "当前不在该轮评分阶段。"
    return None


def _room_of(track):
    from .models import DefenceRoom

    return DefenceRoom.objects.filter(track=track).first()


def _not_in_live_room(user, assignment, now):
    if assignment.round == Round.DEFENCE and _room_of(assignment.track) is not None:
        return "现场答辩正在答辩室进行，请在答辩室页面为当前项目打分。"
    return None


def _defence_round(user, assignment, now):
    if assignment.round != Round.DEFENCE:
        return "只有现场答辩的纸质评分可以由组织部代录。"
    return None


def _room_allows_paper(user, assignment, now):
    room = _room_of(assignment.track)
    if room is None:
        return None
    if room.entry_id != assignment.entry_id:
        return "答辩室正在进行：只能为当前答辩项目代录评分。"
    if room.state != RoomState.SCORING:
        return "该项目评分已揭晓。如需修改，请先在答辩室解锁。"
    return None


SHEET_SUBMITTED_AT = "sheet_submitted_at"


def _sheet_not_locked(user, assignment, now):
    """The judge's score sheet of the round is not submitted.

    The scoring page reads the sheet's submitted_at with the assignment (annotation SHEET_SUBMITTED_AT: None
    when there is no sheet or it is open)."""
    from .models import ScoreSheet

    if SHEET_SUBMITTED_AT in assignment.__dict__:
        locked = assignment.__dict__[SHEET_SUBMITTED_AT] is not None
    else:
        sheet = ScoreSheet.objects.filter(track=assignment.track, judge_id=assignment.judge_id,
                                          round=assignment.round).first()
        locked = bool(sheet and sheet.locked)
    if locked:
        return "您的评分表已提交并锁定。如需修改，请联系党委组织部解锁。"
    return None


def _this_sheet_not_locked(user, sheet, now):
    if sheet.locked:
        return "您的评分表已提交并锁定。如需修改，请联系党委组织部解锁。"
    return None


def _sheet_locked(user, sheet, now):
    if not sheet.locked:
        return "该评分表尚未提交。"
    return None


def _assigned_unless_admin(user, assignment, now):
    if assignment.pk is None and not is_zzb_admin(user):
        return "只能对分配给您的项目申报回避。"
    return None


def _not_scored(user, assignment, now):
    if assignment.scored_at is not None:
        return "该评委已对此项目打分，不能取消分配。如需回避，请记录回避原因。"
    return None


def _rubric_not_frozen(user, track, now):
    if track.rubric_frozen_at is not None:
        return "评分标准已冻结（评审已开始），不能再修改。"
    return None


def _publicity_over(track, now):
    end = track.publicity_end
    if end and timezone.localtime(now).date() <= end:
        return f"公示期至 {end:%Y年%m月%d日} 结束，结束后方可公布结果。"
    return None


def _anyone(user, obj):
    """Anyone, signed in or not (a public action)."""
    return True


def _in_publicity_period(obj, now):
    """Between the first and the last day of the 公示 (Asia/Shanghai dates)."""
    track = _track_of(obj)
    today = timezone.localtime(now).date()
    start, end = track.publicity_start, track.publicity_end
    if start and today < start:
        return f"公示期自 {start:%Y年%m月%d日} 开始，届时方可提出异议。"
    if end and today > end:
        return f"公示期已于 {end:%Y年%m月%d日} 结束，不再受理网上异议。"
    return None


def _upheld(user, objection, now):
    if objection.outcome != "upheld":
        return "只有处理结果为“采纳”的异议才能撤销拟表彰项目。"
    return None


def _names_a_listed_entry(user, objection, now):
    if objection.entry_withdrawn_at is not None:
        return "已根据该异议撤销过拟表彰项目。"
    if objection.entry_id is None:
        return "该异议未指明涉及的项目。"
    if objection.entry_id not in {p["entry"] for p in objection.track.proposal or []}:
        return "该异议涉及的项目不在拟表彰名单中。"
    return None


def _not_acted_on(user, objection, now):
    if objection.entry_withdrawn_at is not None:
        return "已根据该异议撤销拟表彰项目，处理结果不能再修改。"
    return None


def _objections_handled(user, track, now):
    if track.objections.filter(handled_at__isnull=True).exists():
        return "还有未处理的异议。"
    return None


SHORT_LIST_MAX = 20


def shortfall_message(short):
    """The Chinese refusal naming the entries that lack valid scores."""
    names = [f"{item['entry'].organization}（{'材料评审' if item['round'] == Round.MATERIALS else '现场答辩'}"
             f" {item['valid']}/{item['required']}）" for item in short[:SHORT_LIST_MAX]]
    more = f"等 {len(short)} 项" if len(short) > SHORT_LIST_MAX else f"共 {len(short)} 项"
    return (f"以下项目的有效评分少于每项最少 {short[0]['required']} 份（{more}）：" + "、".join(names)
            + "。请补齐评分或调整分配；确需继续的，由党委组织部记录原因后再操作。")


def _enough_valid_scores(user, track, now):
    """Every eligible entry has the track's minimum of valid scores, or 组织部 recorded why to go on (override_scores)."""
    from .queries import uncovered_shortfall

    short = uncovered_shortfall(track)
    return shortfall_message(short) if short else None


def _has_shortfall(user, track, now):
    """Some eligible entry lacks valid scores that no recorded override covers yet."""
    from .queries import uncovered_shortfall

    if not uncovered_shortfall(track):
        return "所有参评项目的有效评分均已达到最少份数，无需记录。"
    return None


def blocked_only_by_scores(action, user, track, now=None):
    """The action would be allowed but for missing valid scores (the page still shows its button, and the
    refusal names the entries)."""
    now = now or timezone.now()
    why = TRACK.reason(action, user, track, now)
    return why is not None and why == _enough_valid_scores(user, track, now)


def _in_order(step):
    return f"请按顺序操作：当前阶段为“{{state}}”，此操作需在“{Stage(step).label}”阶段进行。"


def _room_in_round2(user, room, now):
    if room.track.stage != Stage.ROUND2:
        return "现场答辩评分阶段已结束。"
    return None


def _present(user, room, now):
    if user.pk in (room.absent or []):
        return "您已被标记为缺席本场答辩。如已到场，请联系党委组织部。"
    return None


def _judge_in_room(user, room):
    return judges_track(user, room.track)


def _open_room_once(user, track, now):
    if _room_of(track) is not None:
        return "答辩室已开启。"
    return None


def _track_of(obj):
    """The JudgingTrack itself, or the track of an assignment / sheet / objection."""
    return obj if hasattr(obj, "stage") else obj.track


def _stage_label(obj):
    return _track_of(obj).get_stage_display()


def _stage(obj):
    return _track_of(obj).stage


# ---------------------------------------------------------------- the tables

TRACK = Policy("track", {
    "configure": Action("修改评审设置", _admin, set(Stage.values) - {Stage.PUBLISHED}, denied=ADMIN_ONLY,
                        wrong_state="结果已公布，评审设置不能再修改。"),
    "rubric": Action("修改评分标准", _admin, {Stage.SETUP}, None, (_rubric_not_frozen,), denied=ADMIN_ONLY,
                     wrong_state="评分标准已冻结（评审已开始），不能再修改。"),
    "rubric2": Action("修改现场答辩评分标准", _admin, {Stage.SETUP, Stage.SCORING}, denied=ADMIN_ONLY,
                      wrong_state="现场答辩已开始，答辩评分标准已冻结，不能再修改。"),
    "judges": Action("调整评委", _admin, BEFORE_CLOSED, denied=ADMIN_ONLY, wrong_state="评分已结束，不能再调整评委。"),
    "assign": Action("分配评审任务", _admin, {Stage.SETUP, Stage.SCORING}, denied=ADMIN_ONLY,
                     wrong_state="材料评审已结束，不能再分配。"),
    "add_assignment": Action("调整分配", _admin, BEFORE_CLOSED, denied=ADMIN_ONLY,
                             wrong_state="评分已结束，不能再调整分配。"),
    "open_scoring": Action("开始评审", _admin, {Stage.SETUP}, denied=ADMIN_ONLY, wrong_state="评审已开始。"),
    "close": Action("结束评分", _admin, {Stage.SCORING, Stage.ROUND2}, None, (_enough_valid_scores,),
                    denied=ADMIN_ONLY, wrong_state="当前不在评分阶段。"),
    "override_scores": Action("有效评分不足时记录原因继续", _admin, {Stage.SCORING, Stage.ROUND2, Stage.CLOSED}, None,
                              (_has_shortfall,), denied=ADMIN_ONLY,
                              wrong_state="只能在评分阶段或提出拟表彰名单之前记录。"),
    "open_room": Action("开启答辩室", _admin, {Stage.ROUND2}, None, (_open_room_once,), denied=ADMIN_ONLY,
                        wrong_state="只有现场答辩阶段可以开启答辩室。"),
    "vote": Action("记录委员会表决", _admin, {Stage.CLOSED}, denied=ADMIN_ONLY,
                   wrong_state="只能在评分结束后、提出拟表彰名单前记录委员会表决。"),
    "propose": Action("提出拟表彰名单", _admin, {Stage.CLOSED}, None, (_enough_valid_scores,), denied=ADMIN_ONLY,
                      wrong_state="请先结束评分，再提出拟表彰名单。"),
    "approve": Action("记录党委审定", _admin, {Stage.PROPOSED}, denied=ADMIN_ONLY, wrong_state=_in_order(Stage.PROPOSED)),
    "approve_online": Action("在线审定", _approver, {Stage.PROPOSED}, denied=APPROVERS_ONLY,
                             wrong_state=NOTHING_TO_APPROVE),
    "send_back": Action("退回拟表彰名单", _approver, {Stage.PROPOSED}, denied=APPROVERS_ONLY,
                        wrong_state=NOTHING_TO_APPROVE),
    "publicity": Action("开始公示", _admin, {Stage.APPROVED}, denied=ADMIN_ONLY, wrong_state=_in_order(Stage.APPROVED)),
    "objection": Action("记录异议", _admin, {Stage.PUBLICITY}, denied=ADMIN_ONLY, wrong_state="只能在公示期间记录异议。"),
    "publish": Action("公布结果", _admin, {Stage.PUBLICITY}, _publicity_over, (_objections_handled,), denied=ADMIN_ONLY,
                      wrong_state=_in_order(Stage.PUBLICITY)),
}, state_of=_stage, state_label=_stage_label)

OBJECTION = Policy("objection", {
    "file": Action("网上提出异议", _anyone, {Stage.PUBLICITY}, _in_publicity_period, public=True,
                   wrong_state="当前不在公示期，不受理网上异议。"),
    "handle": Action("答复异议", _admin, {Stage.PUBLICITY}, None, (_not_acted_on,), denied=ADMIN_ONLY,
                     wrong_state="公示已结束，不能再修改异议处理情况。"),
    "withdraw_entry": Action("采纳异议并撤销拟表彰项目", _admin, {Stage.PUBLICITY}, None, (_upheld, _names_a_listed_entry),
                             denied=ADMIN_ONLY, wrong_state="只能在公示期间撤销拟表彰项目。"),
}, state_of=_stage, state_label=_stage_label)

ASSIGNMENT = Policy("assignment", {
    "score": Action("打分", judge_without_conflict, {Stage.SCORING, Stage.ROUND2}, _scoring_window,
                    (_in_its_round, _sheet_not_locked, _not_in_live_room),
                    denied="只能为分配给您本人、且无需回避的项目打分。", wrong_state="当前不在该轮评分阶段。"),
    "enter_paper": Action("代录纸质评分", _admin, {Stage.ROUND2}, None,
                          (_defence_round, _sheet_not_locked, _room_allows_paper), denied=ADMIN_ONLY,
                          wrong_state="只有现场答辩阶段可以代录纸质评分。"),
    "declare_conflict": Action("申报回避", _own_assignment_or_admin, BEFORE_CLOSED | {Stage.CLOSED}, None,
                               (_assigned_unless_admin,), denied="只能对分配给您的项目申报回避。", wrong_state="拟表彰名单已提出，不能再申报回避。"),
    "remove": Action("取消分配", _admin, BEFORE_CLOSED, None, (_not_scored,), denied=ADMIN_ONLY,
                     wrong_state="评分已结束，不能再调整分配。"),
}, state_of=_stage, state_label=_stage_label)

SHEET = Policy("sheet", {
    "submit": Action("提交评分表", _own_sheet, {Stage.SCORING, Stage.ROUND2}, _scoring_window,
                     (_in_its_round, _this_sheet_not_locked), denied="只能提交本人的评分表。",
                     wrong_state="当前不在该轮评分阶段。"),
    "unlock": Action("解锁评分表", _admin, BEFORE_CLOSED, None, (_sheet_locked,), denied=ADMIN_ONLY,
                     wrong_state="评分已结束，不能再解锁评分表。"),
}, state_of=_stage, state_label=_stage_label)

ROOM_OVER = "现场答辩已全部结束。"
ROOM = Policy("room", {
    "score": Action("答辩室打分", _judge_in_room, {RoomState.SCORING}, None, (_room_in_round2, _present),
                    denied="只有本评审的评委可以在答辩室打分。",
                    wrong_state="答辩室当前为“{state}”，不能打分。如需修改已揭晓的评分，请联系党委组织部解锁。"),
    "timer": Action("开始汇报计时", _admin, {RoomState.SCORING}, None, (_room_in_round2,), denied=ADMIN_ONLY,
                    wrong_state="本项目评分已揭晓，不能再计时。"),
    "absent": Action("标记评委缺席/到场", _admin, {RoomState.SCORING}, None, (_room_in_round2,), denied=ADMIN_ONLY,
                     wrong_state="只能在项目评分揭晓前标记评委缺席或到场。"),
    "unlock": Action("解锁已揭晓的评分", _admin, {RoomState.REVEALED}, None, (_room_in_round2,), denied=ADMIN_ONLY,
                     wrong_state="当前项目评分尚未揭晓，无需解锁。"),
    "next": Action("进入下一个项目", _admin, {RoomState.REVEALED}, None, (_room_in_round2,), denied=ADMIN_ONLY,
                   wrong_state="请等所有在场评委提交、评分揭晓后再进入下一个项目。"),
}, state_of=lambda room: room.state, state_label=lambda room: room.get_state_display())

POLICIES = {p.name: p for p in (TRACK, OBJECTION, ASSIGNMENT, SHEET, ROOM)}
