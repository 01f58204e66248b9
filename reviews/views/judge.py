"""The judge's side: queue, one-screen scoring, abstain, conflict, submit."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from core.tables import url_maker

from .. import policy, queries, services
from ..models import Assignment, Round, Stage
from .common import TrackMixin, run


class QueueView(PermissionRequiredMixin, TemplateView):
    permission_required = "reviews.view_queue"
    template_name = "reviews/queue.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        tracks, sheets = queries.judge_tracks(user)
        blocks = []
        score_url = url_maker("reviews:score")
        for t in tracks:
            if t.stage == Stage.SETUP:
                continue
            items = queries.judge_queue_rows(user, t)
            for a in items:
                a.url = score_url(a.pk)
            for round_ in (Round.MATERIALS, Round.DEFENCE):
                mine = [a for a in items if a.round == round_]
                if not mine:
                    continue
                sheet = sheets.get((t.pk, round_))
                done = sum(1 for a in mine if a.done)
                open_now = t.stage == (Stage.SCORING if round_ == Round.MATERIALS else Stage.ROUND2)
                blocks.append({
                    "track": t, "round": Round(round_), "items": mine, "done": done, "n": len(mine),
                    "pct": int(100 * done / len(mine)), "sheet": sheet, "locked": bool(sheet and sheet.locked),
                    "open": open_now,
                })
        ctx["blocks"] = blocks
        return ctx


def _materials(entry):
    docs = [(label, att) for label, att in (
        ("典型经验", entry.experience_doc), ("党建促业务典型案例", entry.case_doc), ("创建总结报告", entry.summary_report),
    ) if att is not None]
    return docs


class ScoreView(PermissionRequiredMixin, TemplateView):
    """One screen: the entry's materials beside the score form."""

    permission_required = "reviews.score_assignment"
    template_name = "reviews/score.html"

    def get_assignment(self):
        if not hasattr(self, "_a"):
            self._a = queries.score_page_assignment(self.kwargs["pk"])
            if self._a is None:
                raise Http404("没有这个评审任务。")
        return self._a

    def get_permission_object(self):
        return self.get_assignment()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            a = self.get_assignment()
            # a conflicted judge never sees the entry, whatever the path
            if a.judge_id == request.user.pk and policy.conflict_of(request.user, a):
                raise Http404
            if a.track.stage == Stage.SETUP:  # nothing to see before 组织部 opens the scoring
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a = self.get_assignment()
        track = a.track
        criteria = queries.criteria_rows(track, a.round)
        nav = queries.judge_queue_nav(self.request.user, a)
        values = kwargs.get("values") or {str(c.pk): (a.points or {}).get(str(c.pk), "") for c in criteria}
        blocked = policy.ASSIGNMENT.reason("score", self.request.user, a) or ""
        ctx.update(
            a=a, track=track, entry=a.entry, blind=track.blind, code=queries.entry_code(a.entry),
            rows=[(c, values.get(str(c.pk), "")) for c in criteria], max_total=sum(c.max_points for c in criteria),
            docs=_materials(a.entry), evidence=list(a.entry.evidence.all()), position=nav.position, count=nav.count,
            prev=nav.prev, next=nav.next, blocked=blocked,
        )
        return ctx

    def post(self, request, *args, **kwargs):
        a = self.get_assignment()
        action = request.POST.get("action", "save")
        raw = {k[len("c_"):]: v for k, v in request.POST.items() if k.startswith("c_")}
        saved = run(
            request, services.save_score, a, raw, by=request.user, expected_version=request.POST.get("version"),
            abstain=action == "abstain", abstain_reason=request.POST.get("abstain_reason", ""),
            success="已弃权并记录原因。" if action == "abstain" else "已保存。",
        )
        if not saved:
            return self.render_to_response(self.get_context_data(values=raw))
        if action in {"save_next", "abstain"}:
            nxt = queries.judge_queue_nav(request.user, a).next
            if nxt:
                return redirect("reviews:score", pk=nxt)
            return redirect("reviews:queue")
        return redirect("reviews:score", pk=a.pk)


class DeclareConflictView(PermissionRequiredMixin, View):
    permission_required = "reviews.score_assignment"

    def get_permission_object(self):
        self.a = get_object_or_404(Assignment.objects.select_related("track", "entry"), pk=self.kwargs["pk"])
        return self.a

    def post(self, request, pk):
        run(request, services.declare_conflict, self.a.track, request.user, self.a.entry, request.POST.get("reason", ""),
            by=request.user, success="已申报回避，该项目已从您的评审任务中移除。")
        return redirect("reviews:queue")


class SubmitSheetView(TrackMixin, View):
    permission_required = "reviews.judge_track"

    def post(self, request, pk, round):
        if round not in Round.values:
            raise Http404
        run(request, services.submit_sheet, self.get_track(), request.user, round, by=request.user,
            success="评分表已提交并锁定。感谢您的评审！")
        return redirect("reviews:queue")
