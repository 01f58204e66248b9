"""The live 现场答辩 room: 组织部's control page, the projector, the judges' phones, paper scores.

Live updates are htmx polling (static files only: no inline script, no internet needed). The projector
swaps its board every 2 s; the control page and the phones ask `room_poll` whether anything changed
and reload only then (a half-typed score on a phone is never wiped by another judge's submission)."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from core.params import QueryForm
from organizations.rules import is_zzb_admin

from .. import policy, queries, services
from ..models import Assignment, Round
from ..services.room import judge_user
from .common import TrackMixin, run


class RoomView(TrackMixin, TemplateView):
    """组织部's control page: open the room, start the countdown, mark judges absent, unlock, next."""

    permission_required = "reviews.manage_judging"
    template_name = "reviews/room.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        t = self.get_track()
        room = queries.room_for(t)
        ctx.update(track=t, room=room, can_open=policy.TRACK.allows("open_room", self.request.user, t),
                   open_reason=policy.TRACK.reason("open_room", self.request.user, t) or "")
        if room is not None:
            ctx.update(board=queries.room_board(room), actions=policy.ROOM.actions(self.request.user, room),
                       key=queries.room_key(room))
        return ctx


class RoomActionView(TrackMixin, View):
    permission_required = "reviews.manage_judging"
    ACTIONS = {"open", "timer", "absent", "present", "unlock", "next"}

    def post(self, request, pk, action):
        if action not in self.ACTIONS:
            raise Http404
        t, u, P = self.get_track(), request.user, request.POST
        if action == "open":
            run(request, services.open_room, t, by=u, success="答辩室已开启。请在投影电脑上打开投屏页面。")
        elif action == "timer":
            run(request, services.start_timer, t, by=u, success="汇报计时开始。")
        elif action in {"absent", "present"}:
            judge = judge_user(t, P.get("judge", ""))
            if judge is None:
                messages.error(request, "请选择本评审的评委。")
            else:
                run(request, services.set_absent, t, judge, action == "absent", by=u,
                    success=f"已将{judge.display_name}标记为{'缺席' if action == 'absent' else '到场'}。")
        elif action == "unlock":
            run(request, services.unlock_room, t, by=u, reason=P.get("reason", ""),
                success="已解锁当前项目：评委修改并全部提交后重新揭晓。")
        elif action == "next":
            run(request, services.next_entry, t, by=u, success="已进入下一个项目。")
        return redirect("reviews:room", pk=t.pk)


class SeenForm(QueryForm):
    seen = forms.CharField(max_length=400)


class RoomPollView(TrackMixin, View):
    """204 while nothing changed for the asker; otherwise HX-Refresh (htmx reloads the page)."""

    permission_required = "reviews.view_room"

    def get(self, request, pk):
        room = queries.room_for(self.get_track())
        judge = None if is_zzb_admin(request.user) else request.user
        key = queries.room_key(room, judge)
        if SeenForm(request.GET).get("seen") == key:
            return HttpResponse(status=204)
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response


class ScreenView(TrackMixin, TemplateView):
    """The projector: full screen, large type, 16:9. Shows no score before every present judge has submitted."""

    permission_required = "reviews.manage_judging"
    template_name = "reviews/room_screen.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        room = queries.room_for(self.get_track())
        ctx.update(track=self.get_track(), room=room, board=queries.room_board(room) if room else None)
        return ctx


class ScreenLiveView(ScreenView):
    template_name = "reviews/_room_board.html"


class JudgeRoomView(TrackMixin, TemplateView):
    """A judge's phone: the entry on stage and the round-2 rubric, or what the room is waiting for."""

    permission_required = "reviews.judge_track"
    template_name = "reviews/room_judge.html"

    def get_context_data(self, values=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        t = self.get_track()
        room = queries.room_for(t)
        user = self.request.user
        ctx.update(track=t, room=room)
        if room is None or room.entry_id is None:
            return ctx
        a = (Assignment.objects.filter(track=t, round=Round.DEFENCE, judge=user, entry_id=room.entry_id)
             .select_related("entered_by").first())
        if a is not None and policy.conflict_of(user, a):
            a = None
        criteria = queries.criteria_for(t, Round.DEFENCE)
        values = values or ({str(c.pk): (a.points or {}).get(str(c.pk), "") for c in criteria} if a else {})
        board = queries.room_board(room)
        ctx.update(a=a, rows=[(c, values.get(str(c.pk), "")) for c in criteria],
                   max_total=sum(c.max_points for c in criteria), key=queries.room_key(room, user),
                   absent=user.pk in (room.absent or []), board=board,
                   can_score=a is not None and policy.ROOM.allows("score", user, room),
                   why=policy.ROOM.reason("score", user, room) or "")
        return ctx

    def post(self, request, pk):
        t = self.get_track()
        raw = {k[len("c_"):]: v for k, v in request.POST.items() if k.startswith("c_")}
        if run(request, services.room_score, t, request.user, raw, by=request.user, success="评分已提交。"):
            return redirect("reviews:room_judge", pk=t.pk)
        return self.render_to_response(self.get_context_data(values=raw))


class PaperScoreView(TrackMixin, TemplateView):
    """组织部 enters one judge's paper score for one entry (round 2). Audited; shown as "由 X 代录"."""

    permission_required = "reviews.manage_judging"
    template_name = "reviews/paper_score.html"

    def get_assignment(self):
        return get_object_or_404(Assignment.objects.select_related("judge", "entry", "entry__organization", "entered_by"),
                                 pk=self.kwargs["assignment"], track=self.get_track(), round=Round.DEFENCE)

    def get_context_data(self, values=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a = self.get_assignment()
        criteria = queries.criteria_for(self.get_track(), Round.DEFENCE)
        values = values or {str(c.pk): (a.points or {}).get(str(c.pk), "") for c in criteria}
        ctx.update(track=self.get_track(), a=a, rows=[(c, values.get(str(c.pk), "")) for c in criteria],
                   max_total=sum(c.max_points for c in criteria),
                   why=policy.ASSIGNMENT.reason("enter_paper", self.request.user, a) or "")
        return ctx

    def post(self, request, pk, assignment):
        a = self.get_assignment()
        raw = {k[len("c_"):]: v for k, v in request.POST.items() if k.startswith("c_")}
        if run(request, services.enter_paper_score, a, raw, by=request.user, expected_version=request.POST.get("version"),
               success=f"已代录{a.judge.display_name}的纸质评分。"):
            room = queries.room_for(self.get_track())
            return redirect("reviews:room" if room else "reviews:track", pk=pk)
        return self.render_to_response(self.get_context_data(values=raw))
