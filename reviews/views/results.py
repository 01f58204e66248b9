"""Ranking, decision steps, published results, exports and printouts."""

from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from campaigns.queries import current_campaign
from organizations.models import User
from submissions.pdf import pdf_response

from .. import exports, pdf, policy, queries, render, services
from ..forms import ObjectionForm
from ..models import Award, ObjectionOutcome, Round, Stage
from .common import TrackMixin
from .manage import guarded_actions

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(data, content_type, filename):
    from urllib.parse import quote

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


class RankingView(TrackMixin, TemplateView):
    permission_required = "reviews.view_ranking"
    template_name = "reviews/ranking.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        t = self.get_track()
        board = queries.ranking(t, light=True, cached=True)
        render.add_shown_numbers(board, t.award_count)
        can_vote = policy.TRACK.allows("vote", self.request.user, t)
        rows_html = render.ranking_rows(
            board["rows"], t, second_round=t.second_round, can_vote=can_vote,
            vote_url=reverse("reviews:action", args=[t.pk, "vote"]) if can_vote else "",
            csrf_token=get_token(self.request) if can_vote else "")
        ctx.update(track=t, board=board, rows=board["rows"], rows_html=rows_html, Stage=Stage, can_vote=can_vote,
                   n_disagree=sum(1 for r in board["rows"] if r["r"].disagree),
                   unstable=sum(1 for r in board["rows"] if r["stability"] and r["r"].place and r["r"].place <= t.award_count
                                and not r["stability"]["holds"]))
        return ctx


class DecisionView(TrackMixin, TemplateView):
    permission_required = "reviews.manage_judging"
    template_name = "reviews/decision.html"

    def get_context_data(self, **kwargs):
        with queries.shortfall_memoized():  # the policy asks several actions about the same shortfall
            return self._context(**kwargs)

    def _context(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        t = self.get_track()
        today = timezone.localdate()
        user = self.request.user
        objections = list(t.objections.select_related("entry", "entry__organization", "handled_by"))
        for o in objections:
            o.track = t  # the policy reads the track's stage and list: no query per objection
        ctx.update(
            track=t, actions=policy.TRACK.actions(user, t), reasons=policy.TRACK.reasons(user, t),
            objections=[{"o": o, "actions": policy.OBJECTION.actions(user, o)} for o in objections],
            outcomes=ObjectionOutcome.choices,
            objection_form=ObjectionForm(entries=queries.entries_for(t), initial={"received_on": today}),
            default_start=today, default_end=services.add_working_days(today, 5),
            awards=list(t.awards.select_related("entry", "entry__organization", "entry__college")),
            steps=[(Stage.PROPOSED, "提出拟表彰名单"), (Stage.APPROVED, "党委审定"), (Stage.PUBLICITY, "公示"),
                   (Stage.PUBLISHED, "公布结果")],
            guard_next="decision", **guarded_actions(self.request.user, t)[1],
        )
        return ctx


class ResultsView(TemplateView):
    """Published results: public (no login), like the 公示 before them."""

    template_name = "reviews/results.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = current_campaign()
        awards = list(
            Award.objects.filter(track__campaign=campaign, track__stage=Stage.PUBLISHED)
            .select_related("track", "entry", "entry__organization", "entry__college").order_by("track__track", "place")
        )
        ctx.update(campaign=campaign, awards=awards,
                   in_publicity=any(t.stage == Stage.PUBLICITY for t in queries.public_tracks(campaign)))
        return ctx


class MatrixXlsxView(TrackMixin, View):
    permission_required = "reviews.manage_judging"

    def get(self, request, pk):
        t = self.get_track()
        return _attachment(exports.matrix_xlsx(t), XLSX, f"{t.campaign.year}年{t.get_track_display()}评分明细.xlsx")


class RankingXlsxView(TrackMixin, View):
    permission_required = "reviews.view_ranking"

    def get(self, request, pk):
        t = self.get_track()
        return _attachment(exports.ranking_xlsx(t), XLSX, f"{t.campaign.year}年{t.get_track_display()}排名.xlsx")


class SheetPdfView(TrackMixin, View):
    """A judge's 评分表: the judge themself, or 组织部."""

    permission_required = "reviews.view_sheet"

    def get(self, request, pk, judge, round):
        t = self.get_track()
        if round not in Round.values:
            raise Http404
        if not request.user.has_perm("reviews.manage_judging") and judge != request.user.pk:
            raise Http404
        j = get_object_or_404(User, pk=judge, judging_tracks=t)
        data = pdf.sheet_pdf(t, j, round)
        name = f"{t.campaign.year}年度-{t.get_track_display()}-{Round(round).label}评分表-{j.display_name}.pdf"
        return pdf_response(data, name)
