"""组织部's pages: a year's texts by similarity, one submission's most similar others, a pair side by side;
the threshold and the bulk-run button (POST)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from campaigns.models import Campaign
from submissions.views.common import CurrentCampaignView

from . import queries, services
from .models import Match, SourceKind, Text


def segments(body, spans):
    """Cut `body` into [(text, passage number or None)] for highlighting; spans = [(start, end, n)]."""
    out, pos = [], 0
    for start, end, n in sorted(spans):
        start = max(start, pos)
        if start >= end:
            continue
        if start > pos:
            out.append((body[pos:start], None))
        out.append((body[start:end], n))
        pos = end
    if pos < len(body):
        out.append((body[pos:], None))
    return out


class AdminMixin(PermissionRequiredMixin):
    permission_required = "similarity.view"


class CurrentView(CurrentCampaignView):
    def go(self, request, campaign):
        return redirect("similarity:campaign", campaign.pk)


class CampaignView(AdminMixin, TemplateView):
    """A year's texts, most similar first, with the threshold and the bulk check."""

    template_name = "similarity/campaign.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = get_object_or_404(Campaign, pk=self.kwargs["campaign"])
        threshold = queries.threshold_of(campaign.pk)
        kind = self.request.GET.get("kind") or None
        if kind not in SourceKind.values:
            kind = None
        flagged = self.request.GET.get("flagged") == "1"
        ctx.update(campaign=campaign, threshold=threshold, kinds=SourceKind.choices, kind=kind, flagged=flagged,
                   texts=list(queries.campaign_texts(campaign, kind, flagged, threshold)),
                   run=queries.last_run(campaign))
        return ctx


class ThresholdView(AdminMixin, View):
    permission_required = "similarity.manage"

    def post(self, request, campaign):
        campaign = get_object_or_404(Campaign, pk=campaign)
        try:
            s = services.set_threshold(campaign, request.POST.get("threshold"), by=request.user)
            messages.success(request, f"查重提示阈值已设为 {s.threshold}%。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("similarity:campaign", campaign.pk)


class RunView(AdminMixin, View):
    permission_required = "similarity.manage"

    def post(self, request, campaign):
        campaign = get_object_or_404(Campaign, pk=campaign)
        try:
            services.request_run(campaign, by=request.user, full=request.POST.get("full") == "1")
            messages.success(request, "已发起本年度材料查重，完成后本页自动显示结果。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("similarity:campaign", campaign.pk)


class TextView(AdminMixin, TemplateView):
    """One submission (an 附件3 with its documents, or one 附件1 / 附件2 row): its most similar others."""

    template_name = "similarity/text.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        text = get_object_or_404(Text.objects.select_related("campaign", "organization"), pk=self.kwargs["pk"])
        texts = queries.submission_texts(text)
        matches = queries.matches_of(texts)
        ctx.update(text=text, campaign=text.campaign, threshold=queries.threshold_of(text.campaign_id),
                   blocks=[(t, matches[t.pk]) for t in texts])
        return ctx


class CompareView(AdminMixin, TemplateView):
    """Two texts side by side, the overlapping sentences highlighted and numbered alike."""

    template_name = "similarity/compare.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        match = get_object_or_404(Match.objects.select_related("text", "other", "text__campaign", "other__organization",
                                                               "text__organization"), pk=self.kwargs["pk"])
        left, right, seen_right = [], [], {}
        for n, (a_s, a_e, b_s, b_e, _score) in enumerate(sorted(match.passages), start=1):
            left.append((a_s, a_e, n))
            if (b_s, b_e) not in seen_right:
                seen_right[(b_s, b_e)] = n
                right.append((b_s, b_e, n))
        reverse = Match.objects.filter(text=match.other, other=match.text).values_list("pk", "percent").first()
        ctx.update(match=match, text=match.text, other=match.other, campaign=match.text.campaign,
                   left=segments(match.text.body, left), right=segments(match.other.body, right),
                   passages=len(match.passages), reverse=reverse,
                   stale=(match.text_hash != match.text.content_hash or match.other_hash != match.other.content_hash))
        return ctx
