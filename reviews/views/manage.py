"""组织部's side: tracks, settings, rubric, judges and assignments, conflicts, stage actions."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from campaigns.models import Campaign
from campaigns.queries import current_campaign
from core.params import QueryForm, id_choice
from organizations.models import Role, User
from submissions.models import Entry, Track

from .. import policy, queries, services
from ..forms import CriterionFormSet, ObjectionForm, TrackSettingsForm
from ..models import Assignment, Objection, Round, ScoreSheet, Stage
from .common import TrackMixin, run


class CampaignParamForm(QueryForm):
    campaign = id_choice(Campaign.objects.all())


class IndexView(PermissionRequiredMixin, TemplateView):
    """组织部 manage the tracks here; approvers (校领导) only read the rankings."""

    permission_required = "reviews.view_ranking"
    template_name = "reviews/index.html"

    def get_campaign(self):
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        return CampaignParamForm(data).get("campaign") or current_campaign()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        tracks = queries.tracks_for(campaign)
        have = {t.track for t in tracks}
        manage = self.request.user.has_perm("reviews.manage_judging")
        ctx.update(campaign=campaign, tracks=tracks, missing=[t for t in Track if t.value not in have] if manage else [],
                   campaigns=Campaign.objects.all(), manage=manage)
        return ctx

    def post(self, request):
        if not request.user.has_perm("reviews.manage_judging"):
            raise PermissionDenied
        campaign = self.get_campaign()
        kind = request.POST.get("track")
        if campaign is None or kind not in Track.values:
            raise Http404
        track = run(request, services.create_track, campaign, kind, by=request.user,
                    success="已创建评审，评分标准为默认值，可修改。")
        return redirect("reviews:track", pk=track.pk) if track else redirect("reviews:index")


class TrackView(TrackMixin, TemplateView):
    permission_required = "reviews.manage_judging"
    template_name = "reviews/track.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        t = self.get_track()
        actions, guard = guarded_actions(self.request.user, t)
        ctx.update(
            track=t, criteria=queries.criteria_for(t), criteria2=queries.criteria_for(t, Round.DEFENCE),
            judges=queries.judges_for(t), progress=queries.progress(t),
            n_entries=len(queries.entries_for(t)), stages=list(Stage), Stage=Stage,
            tie_break_labels=_tie_break_labels(t), can_unlock=t.stage in queries.SCORING_STAGES,
            actions=actions, **guard,
        )
        return ctx


def guarded_actions(user, track):
    """TRACK actions plus the minimum-valid-scores guard for a page, the shortfall read once."""
    with queries.shortfall_memoized():
        actions = policy.TRACK.actions(user, track)
        return actions, score_guard(user, track, actions)


def score_guard(user, track, actions):
    """What the pages need for the minimum-valid-scores guard: the entries short of scores (not yet covered by
    an override), whether 结束评分 / 提出 is held back only by them, and whether 组织部 may record a reason."""
    short = queries.uncovered_shortfall(track) if track.stage in {Stage.SCORING, Stage.ROUND2, Stage.CLOSED} else []
    return {
        "shortfall": short, "shortfall_labels": [queries.shortfall_label(i) for i in short],
        "required_scores": queries.required_scores(track),
        "show_close": actions.get("close") or (bool(short) and policy.blocked_only_by_scores("close", user, track)),
        "show_propose": actions.get("propose") or (bool(short) and policy.blocked_only_by_scores("propose", user, track)),
        "can_override": actions.get("override_scores", False),
    }


def _tie_break_labels(track):
    from ..models import TieBreak

    names = {c.code: c.name for c in track.criteria.all()}
    out = ["最终得分"]
    for item in track.tie_break or []:
        if item.startswith("criterion:"):
            out.append(f"指标“{names.get(item.split(':', 1)[1], '?')}”平均分")
        else:
            out.append(TieBreak(item).label)
    return out


class SettingsView(TrackMixin, TemplateView):
    permission_required = "reviews.manage_judging"
    template_name = "reviews/settings.html"

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        t = self.get_track()
        ctx.update(track=t, form=form or TrackSettingsForm(instance=t, criteria=queries.criteria_for(t)))
        return ctx

    def post(self, request, pk):
        t = self.get_track()
        form = TrackSettingsForm(request.POST, instance=type(t).objects.get(pk=t.pk), criteria=queries.criteria_for(t))
        if form.is_valid() and run(request, services.update_track, t, form.changes(), by=request.user,
                                   expected_version=request.POST.get("version"), success="评审设置已保存。"):
            return redirect("reviews:track", pk=t.pk)
        return self.render_to_response(self.get_context_data(form=form))


class RoundParamForm(QueryForm):
    round = forms.TypedChoiceField(choices=Round.choices, coerce=int)


class RubricView(TrackMixin, TemplateView):
    """Each round's rubric: 材料评审 (round 1) and, for a track with 现场答辩, round 2 (?round=2)."""

    permission_required = "reviews.manage_judging"
    template_name = "reviews/rubric.html"

    def get_round(self):
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        return Round(RoundParamForm(data).get("round", Round.MATERIALS))

    def get_context_data(self, formset=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        t = self.get_track()
        round_ = self.get_round()
        own = round_ == Round.MATERIALS or queries.has_own_round2_rubric(t)
        criteria = queries.criteria_for(t, round_)
        initial = [{"code": c.code, "name": c.name, "description": c.description, "max_points": c.max_points} for c in criteria]
        action = "rubric" if round_ == Round.MATERIALS else "rubric2"
        ctx.update(track=t, criteria=criteria, total=sum(c.max_points for c in criteria), round=round_,
                   own=own, editable=policy.TRACK.allows(action, self.request.user, t),
                   frozen_reason=policy.TRACK.reason(action, self.request.user, t) or "",
                   formset=formset or CriterionFormSet(initial=initial, prefix="c"))
        return ctx

    def post(self, request, pk):
        t = self.get_track()
        round_ = self.get_round()
        formset = CriterionFormSet(request.POST, prefix="c")
        if formset.is_valid():
            rows = [f.cleaned_data for f in formset.forms
                    if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            if run(request, services.save_rubric, t, rows, by=request.user, expected_version=request.POST.get("version"),
                   round_=round_, success=f"{round_.label}评分标准已保存。"):
                return redirect("reviews:track", pk=t.pk)
        return self.render_to_response(self.get_context_data(formset=formset))


class JudgesView(TrackMixin, TemplateView):
    """Choose judges, run the assignment, adjust pairs by hand (the matrix shows conflicts)."""

    permission_required = "reviews.manage_judging"
    template_name = "reviews/judges.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        t = self.get_track()
        judges = queries.judges_for(t)
        entries = queries.entries_for(t)
        conflicts = queries.conflict_map(t, [j.pk for j in judges], entries)
        pairs = {(a.judge_id, a.entry_id): a for a in Assignment.objects.filter(track=t, round=Round.MATERIALS)}
        candidates = (User.objects.filter(role_assignments__role=Role.JUDGE, role_assignments__is_active=True)
                      .distinct().order_by("username"))
        homes = queries.home_orgs([u.pk for u in candidates])
        load = {j.pk: sum(1 for (jj, _e) in pairs if jj == j.pk) for j in judges}
        ctx.update(
            track=t, judges=judges, entries=entries, load=load,
            candidates=[(u, u.pk in {j.pk for j in judges}, homes.get(u.pk, [])) for u in candidates],
            matrix=[(e, [(j, pairs.get((j.pk, e.pk)), conflicts.get((j.pk, e.pk), "")) for j in judges]) for e in entries],
            editable=policy.TRACK.allows("judges", self.request.user, t),
        )
        return ctx

    def post(self, request, pk):
        t = self.get_track()
        ids = [int(x) for x in request.POST.getlist("judges") if x.isdecimal() and len(x) < 19]  # not "²"
        run(request, services.set_judges, t, ids, by=request.user, success="评委名单已保存。")
        return redirect("reviews:judges", pk=t.pk)


class ConflictsView(TrackMixin, TemplateView):
    permission_required = "reviews.manage_judging"
    template_name = "reviews/conflicts.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        t = self.get_track()
        ctx.update(track=t, rows=queries.all_conflicts(t), judges=queries.judges_for(t), entries=queries.entries_for(t),
                   can_declare=policy.ASSIGNMENT.allows("declare_conflict", self.request.user, Assignment(track=t)))
        return ctx


def _date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class ActionView(TrackMixin, View):
    """POST-only stage and adjustment actions. Each one is a service call; refusals become messages."""

    permission_required = "reviews.manage_judging"
    ACTIONS = {"assign", "open", "close", "override", "add", "remove", "conflict", "unlock", "vote", "propose",
               "approve", "publicity", "objection", "handle", "withdraw", "publish"}

    def post(self, request, pk, action):
        if action not in self.ACTIONS:
            raise Http404
        t = self.get_track()
        u = request.user
        P = request.POST
        back = P.get("next") or ""
        if action == "assign":
            result = run(request, services.assign, t, by=u)
            if result:
                added, shortfall = result
                messages.success(request, f"已新增 {added} 条评审分配。")
                if shortfall:
                    messages.warning(request, "以下项目可用（无需回避的）评委不足：" + "、".join(str(e.organization) for e in shortfall))
        elif action == "open":
            run(request, services.open_scoring, t, by=u, success="评审已开始，评分标准与排名规则已冻结。")
        elif action == "close":
            run(request, services.close_scoring, t, by=u, success="本轮评分已结束。")
        elif action == "override":
            run(request, services.override_min_scores, t, by=u, reason=P.get("reason", ""),
                success="已记录原因。现在可以继续结束评分或提出拟表彰名单。")
        elif action in {"add", "remove", "conflict"}:
            entry = get_object_or_404(Entry, pk=P.get("entry"))
            judge = get_object_or_404(User, pk=P.get("judge"))
            if action == "add":
                run(request, services.add_assignment, t, judge, entry, by=u, success="已添加分配。")
            elif action == "remove":
                a = get_object_or_404(Assignment, track=t, judge=judge, entry=entry, round=Round.MATERIALS)
                run(request, services.remove_assignment, a, by=u, success="已取消分配。")
            else:
                run(request, services.declare_conflict, t, judge, entry, P.get("reason", ""), by=u, success="已记录回避。")
        elif action == "unlock":
            sheet = get_object_or_404(ScoreSheet, pk=P.get("sheet"), track=t)
            run(request, services.unlock_sheet, sheet, by=u, reason=P.get("reason", ""), success="评分表已解锁，评委可修改后重新提交。")
        elif action == "vote":
            entry = get_object_or_404(Entry, pk=P.get("entry"))
            votes = P.get("votes", "")
            if not votes.isdigit():
                messages.error(request, "票数须为非负整数。")
            else:
                run(request, services.record_vote, t, entry, int(votes), by=u, success="已记录委员会表决。")
        elif action == "propose":
            run(request, services.propose, t, by=u, success="已提出拟表彰名单。")
        elif action == "approve":
            run(request, services.record_committee_decision, t, by=u, note=P.get("note", ""),
                minutes=request.FILES.get("minutes"), success="已登记党委会审定及会议纪要。")
        elif action == "publicity":
            start = _date(P.get("start"))
            if start is None:
                messages.error(request, "请填写公示开始日期。")
            else:
                run(request, services.open_publicity, t, by=u, start=start, end=_date(P.get("end")), success="公示已开始。")
        elif action == "objection":
            form = ObjectionForm(P, entries=queries.entries_for(t))
            if form.is_valid():
                entry = Entry.objects.filter(pk=form.cleaned_data["entry"]).first() if form.cleaned_data["entry"] else None
                run(request, services.record_objection, t, by=u, content=form.cleaned_data["content"],
                    received_on=form.cleaned_data["received_on"], entry=entry, success="已记录异议。")
            else:
                messages.error(request, "异议信息不完整。")
        elif action == "handle":
            o = get_object_or_404(Objection, pk=P.get("objection"), track=t)
            run(request, services.handle_objection, o, by=u, handling=P.get("handling", ""),
                outcome=P.get("outcome", ""), expected_version=P.get("version"), success="已答复该异议。")
        elif action == "withdraw":
            o = get_object_or_404(Objection, pk=P.get("objection"), track=t)
            result = run(request, services.withdraw_entry, o, by=u, reason=P.get("reason", ""))
            if result:
                _track, moved_in = result
                messages.success(request, "已撤销该项目的拟表彰资格，名单已重新计算。"
                                 + ("递补：" + "、".join(p["name"] for p in moved_in) + "。" if moved_in else "无可递补项目。"))
        elif action == "publish":
            run(request, services.publish, t, by=u, success="评审结果已公布。")
        targets = {"judges": "reviews:judges", "conflicts": "reviews:conflicts", "ranking": "reviews:ranking",
                   "decision": "reviews:decision"}
        return redirect(targets.get(back, "reviews:track"), pk=t.pk)
