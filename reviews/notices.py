"""Who is told about which change of the 十佳 judging (campaigns.notices), registered from ReviewsConfig.ready().

Judges' notices never name the entries (a blind track must stay blind); the objector's answer goes to
the account that filed it or to the e-mail address they left."""

from collections import Counter

from django.urls import reverse
from django.utils import timezone

from campaigns import notices
from organizations.models import Role, User
from submissions.models import Entry, EntryState
from submissions.notices import admins, entry_people

from .models import Assignment, Round, Stage

J, A, P, C, B = Role.JUDGE, Role.ADMIN, Role.APPROVER, Role.COLLEGE_SECRETARY, Role.BRANCH_SECRETARY

notices.kind("judging", "评审任务的分配与评分表解锁", roles=[J])
notices.kind("approval", "拟表彰名单的提出、审定与退回", roles=[P, A])
notices.kind("publicity", "十佳评选的公示开始与结果公布", roles=[C, B])
notices.kind("objection", "公示异议的收到与答复", roles=[A])


def _judges(ids):
    return list(User.objects.filter(pk__in=list(ids), is_active=True))


def _queue():
    return reverse("reviews:queue")


def _assigned(judge_counts, track, round_=Round.MATERIALS):
    out = []
    what = "现场答辩" if round_ == Round.DEFENCE else "材料评审"
    deadline = f"评审截止时间：{timezone.localtime(track.closes_at):%Y年%-m月%-d日 %H:%M}" if round_ == Round.MATERIALS else ""
    for judge in _judges(judge_counts):
        n = judge_counts[judge.pk]
        out.append(notices.Notice(to=[judge], url=_queue(), comment="", lines=[deadline],
                                  title=f"您有 {n} 个新的{track.get_track_display()}{what}任务"))
    return out


@notices.on("reviews.judgingtrack", "assign", kind="judging", policy="track.assign")
def track_assigned(event):
    """assign() hands the new (judge, entry) pairs over in the audit context."""
    pairs = event.context.get("added") or []
    return _assigned(Counter(j for j, _e in pairs), event.obj)


@notices.on("reviews.assignment", "assign", kind="judging", policy="track.add_assignment")
def one_assigned(event):
    a = event.obj
    return _assigned(Counter([a.judge_id]), a.track, a.round)


@notices.on("reviews.judgingtrack", "close_round", kind="judging", policy="track.close",
            when=lambda event: event.changed_to("stage") == Stage.ROUND2)
def defence_assigned(event):
    track = event.obj
    counts = Counter(Assignment.objects.filter(track=track, round=Round.DEFENCE).values_list("judge_id", flat=True))
    return _assigned(counts, track, Round.DEFENCE)


@notices.on("reviews.scoresheet", "unlock_sheet", kind="judging", policy="sheet.unlock")
def sheet_unlocked(event):
    sheet = event.obj
    return notices.Notice(to=_judges([sheet.judge_id]), url=_queue(),
                          title=f"您提交的{sheet.track.get_track_display()}评分表已被党委组织部解锁",
                          lines=["可以修改评分后重新提交。"])


def _approvers():
    return list(User.objects.filter(role_assignments__role=Role.APPROVER, role_assignments__is_active=True,
                                    is_active=True).distinct())


@notices.on("reviews.judgingtrack", "propose", kind="approval", policy="track.propose")
def proposed(event):
    track = event.obj
    return notices.Notice(to=_approvers(), url=reverse("reviews:approval", args=[track.pk]), comment="",
                          title=f"{track.get_track_display()}拟表彰名单（{len(track.proposal)} 项）待您审定")


@notices.on("reviews.judgingtrack", "approve_online", kind="approval", policy="track.approve_online")
def approved_online(event):
    track = event.obj
    return notices.Notice(to=admins(), url=reverse("reviews:decision", args=[track.pk]),
                          title=f"{track.get_track_display()}拟表彰名单已由校领导在线审定", lines=["可以开始公示。"])


@notices.on("reviews.judgingtrack", "send_back", kind="approval", policy="track.send_back")
def sent_back(event):
    track = event.obj
    return notices.Notice(to=admins(), url=reverse("reviews:decision", args=[track.pk]),
                          title=f"{track.get_track_display()}拟表彰名单被校领导退回",
                          lines=["请根据意见集中审议后重新提出。"])


def _participants(track):
    entries = (Entry.objects.filter(campaign_id=track.campaign_id, track=track.track, state=EntryState.PASSED)
               .select_related("organization", "college"))
    return list(entries)


@notices.on("reviews.judgingtrack", "publicity", kind="publicity", policy="track.publicity")
def publicity_started(event):
    track = event.obj
    listed = {p["entry"] for p in track.proposal or []}
    period = f"公示期：{track.publicity_start:%Y年%-m月%-d日} 至 {track.publicity_end:%Y年%-m月%-d日}"
    out = []
    for entry in _participants(track):
        title = (f"{entry.organization.name}已列入{track.get_track_display()}拟表彰名单，现予公示" if entry.pk in listed
                 else f"{track.get_track_display()}拟表彰名单开始公示")
        out.append(notices.Notice(to=entry_people(entry), url=reverse("reviews:results"), title=title, lines=[period],
                                  comment=""))
    return out


@notices.on("reviews.judgingtrack", "publish", kind="publicity", policy="track.publish")
def published(event):
    track = event.obj
    places = {p["entry"]: p["place"] for p in track.proposal or []}
    out = []
    for entry in _participants(track):
        if entry.pk in places:
            title = f"{entry.organization.name}获评{track.get_track_display()}（第 {places[entry.pk]} 名），评审结果已公布"
        else:
            title = f"{track.get_track_display()}评审结果已公布"
        out.append(notices.Notice(to=entry_people(entry), url=reverse("reviews:results"), title=title, comment=""))
    return out


def _objector(o):
    """(account, Address or None) of whoever filed the objection, from the fields the objection has."""
    account = next((getattr(o, f) for f in ("submitted_by", "objector", "user") if getattr(o, f, None) is not None),
                   None)
    email = next((str(getattr(o, f) or "") for f in ("email", "contact_email", "contact")
                  if "@" in str(getattr(o, f, "") or "")), "")
    name = next((str(getattr(o, f)) for f in ("name", "real_name", "objector_name") if getattr(o, f, "")), "")
    return account, (notices.Address(email=email.strip(), name=name) if email else None)


@notices.on("reviews.objection", "objection_filed", kind="objection", policy="objection.file")
@notices.on("reviews.objection", "objection", kind="objection", policy="track.objection")
def objection_received(event):
    o = event.obj
    about = f"（涉及：{o.entry.organization.name}）" if o.entry_id else ""
    actor_label = ""
    if event.actor is None:
        _account, address = _objector(o)
        name = address.name if address else ""
        actor_label = "公示异议人（网上提交）" + (f" · {name}" if name else "")
    return notices.Notice(to=admins(), url=reverse("reviews:decision", args=[o.track_id]),
                          title=f"收到{o.track.get_track_display()}公示异议{about}", actor_label=actor_label,
                          comment=o.content[:500], lines=[f"收到日期：{o.received_on:%Y年%-m月%-d日}"])


@notices.on("reviews.objection", "objection_handled", kind="objection", policy="objection.handle")
def objection_answered(event):
    o = event.obj
    account, address = _objector(o)
    to = [account] if account is not None else []
    if address is not None and (account is None or (account.email or "").lower() != address.email.lower()):
        to.append(address)  # no account, or an address other than the account's
    return notices.Notice(to=to, url=reverse("reviews:results"), comment=o.handling,
                          title=f"您对{o.track.get_track_display()}公示提出的异议已有处理结果")


@notices.on("reviews.objection", "withdraw_entry", kind="publicity", policy="objection.withdraw_entry")
def entry_withdrawn(event):
    """An upheld objection took the entry off the proposed list: its org is told, with 组织部's reason."""
    o = event.obj
    if o.entry_id is None:
        return None
    entry = o.entry
    return notices.Notice(to=entry_people(entry), url=reverse("reviews:publicity"),
                          title=f"{entry.organization.name}因公示异议经核实采纳，已撤出{o.track.get_track_display()}拟表彰名单")


notices.quiet("track.override_scores", "track.rubric2", "track.open_room",
              reason="组织部自己的评审设置与记录：原因显示在审定页和导出中，不涉及他人")
notices.quiet("assignment.enter_paper", "room.score", "room.timer", "room.absent", "room.unlock", "room.next",
              reason="现场答辩室里的操作：评委和组织部都在现场，投影页与手机页即时更新")


notices.quiet(
    "track.configure", "track.rubric", "track.judges", "track.open_scoring", "track.vote", "track.approve",
    reason="组织部自己的评审设置与记录：不涉及他人（评委的任务以“分配评审任务”通知）",
)
notices.quiet("assignment.score", "assignment.declare_conflict", "sheet.submit",
              reason="评委本人的打分、回避与提交：组织部在评审进度页查看")
notices.quiet("assignment.remove", reason="取消尚未打分的分配：评委的任务列表即时更新，不另行通知")
