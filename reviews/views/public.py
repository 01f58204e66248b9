"""Public pages of the 公示 (no login): the proposed winners, filing an objection, the receipt lookup."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import TemplateView

from campaigns.queries import current_campaign
from core.policy import Refused
from core.throttle import Throttle

from .. import policy, queries, services
from ..forms import PublicObjectionForm, ReceiptLookupForm
from ..models import JudgingTrack, Stage

RECEIPT_SESSION_KEY = "objection_receipt"


def filing_throttle():
    return Throttle("objection", getattr(settings, "OBJECTIONS_PER_HOUR", 5), 3600,
                    "您提交异议过于频繁（每个网络地址每小时最多 {n} 次），请稍后再试，或直接联系党委组织部。")


def lookup_throttle():
    return Throttle("receipt", getattr(settings, "RECEIPT_LOOKUPS_PER_HOUR", 30), 3600,
                    "查询过于频繁（每个网络地址每小时最多 {n} 次），请稍后再试。")


def _board(track, user, now):
    """One track's 公示 as visitors see it."""
    today = timezone.localtime(now).date()
    started = track.publicity_start is None or today >= track.publicity_start
    return {"track": track, "rows": queries.proposal_rows(track) if started else [], "started": started,
            "can_file": policy.OBJECTION.allows("file", user, track, now),
            "why_not": policy.OBJECTION.reason("file", user, track, now)}


class PublicityView(TemplateView):
    """公示: the proposed 十佳 of the current year during the 公示 period, and how to object. Public."""

    template_name = "reviews/publicity.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = current_campaign()
        now = timezone.now()
        tracks = queries.public_tracks(campaign)
        ctx.update(campaign=campaign, boards=[_board(t, self.request.user, now) for t in tracks
                                               if t.stage == Stage.PUBLICITY],
                   published=any(t.stage == Stage.PUBLISHED for t in tracks))
        return ctx


class ObjectionView(TemplateView):
    """File an objection online (实名). Refused outside the 公示 period; throttled per client address."""

    template_name = "reviews/objection_form.html"

    def get_track(self):
        return get_object_or_404(JudgingTrack.objects.select_related("campaign"), pk=self.kwargs["pk"])

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        track = self.get_track()
        now = timezone.now()
        ctx.update(track=track, board=_board(track, self.request.user, now),
                   form=form or PublicObjectionForm(proposal=track.proposal if track.stage == Stage.PUBLICITY else ()),
                   max_chars=services.OBJECTION_MAX)
        return ctx

    def post(self, request, pk):
        track = self.get_track()
        throttle = filing_throttle()
        proposal = track.proposal if track.stage == Stage.PUBLICITY else ()
        form = PublicObjectionForm(request.POST, proposal=proposal)
        if throttle.exceeded(request):
            messages.error(request, throttle.message.format(n=throttle.limit))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        why = policy.OBJECTION.reason("file", request.user, track)
        if why:  # outside the period: refused before looking at the form (the service would refuse too)
            messages.error(request, why)
            return self.render_to_response(self.get_context_data(form=form), status=403)
        if not form.is_valid():
            messages.error(request, "请按提示补全或修改后再提交。")
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            _objection, code = services.file_objection(
                track, name=data["name"], unit=data["unit"], contact=data["contact"], content=data["content"],
                entry_id=data["entry"], by=request.user)
        except Refused as exc:
            messages.error(request, "；".join(exc.messages))
            return self.render_to_response(self.get_context_data(form=form))
        throttle.hit(request)
        request.session[RECEIPT_SESSION_KEY] = code
        return redirect("reviews:receipt")


class ReceiptView(TemplateView):
    """The receipt code, shown once right after filing; and looking up an objection's answer by its code."""

    template_name = "reviews/receipt.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", ReceiptLookupForm())
        if "code" not in ctx:
            ctx["code"] = self.request.session.pop(RECEIPT_SESSION_KEY, None)
        return ctx

    def post(self, request):
        throttle = lookup_throttle()
        form = ReceiptLookupForm(request.POST)
        if throttle.exceeded(request):
            messages.error(request, throttle.message.format(n=throttle.limit))
            return self.render_to_response(self.get_context_data(form=form, code=None), status=429)
        throttle.hit(request)
        found = services.objection_by_receipt(form.data.get("code", "")) if form.is_valid() else None
        if found is None:
            messages.error(request, "未找到该回执码对应的异议，请核对后重新输入（不区分大小写，短横线可省略）。")
        return self.render_to_response(self.get_context_data(form=form, code=None, found=found, looked_up=True))
