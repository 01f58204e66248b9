import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from campaigns.models import Campaign
from audit.log import field_labels, history_for
from core.concurrency import StaleEdit
from core.params import QueryForm
from core.tables import url_maker

from .. import completeness, pdf, policy, queries, services
from ..forms import CheckForm, EntryForm, RecommendForm
from ..models import Attachment, Entry, EntryState, Track
from .common import CampaignOrgMixin, CurrentCampaignView
from .uploading import CappedUploadMixin, run_upload


class EntriesHomeView(CampaignOrgMixin, TemplateView):
    """A 院级 org's 十佳 page: its 十佳党建品牌 entry and its 1–2 branch recommendations."""

    permission_required = "submissions.view_entries"
    template_name = "submissions/entries_home.html"

    def get_context_data(self, recommend_form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign, college = self.get_campaign(), self.get_org()
        entries = queries.entries_of_college(campaign, college)
        brand = next((e for e in entries if e.track == Track.BRAND), None)
        branch_entries = [e for e in entries if e.track == Track.BRANCH]
        user = self.request.user
        brand_obj = brand or Entry(campaign=campaign, track=Track.BRAND, organization=college, college=college)
        recommendable = RecommendForm(college=college).fields["branch"].queryset.first()
        can_recommend = recommendable is not None and policy.ENTRY.allows(
            "recommend", user, services.entry_for_recommendation(campaign, recommendable))
        ctx.update(
            campaign=campaign, org=college, brand=brand, branch_entries=branch_entries,
            lines=[(e, completeness.entry_missing(e)) for e in entries],
            can_manage=policy.ENTRY.allows("start", user, brand_obj),
            can_recommend=can_recommend and len(branch_entries) < services.MAX_BRANCH_RECOMMENDATIONS,
            recommend_form=recommend_form or RecommendForm(college=college),
            due=services.review_due(campaign, college),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        campaign, college = self.get_campaign(), self.get_org()
        if not request.user.has_perm("submissions.manage_entries", college):
            raise PermissionDenied("只有本院(处)级党组织书记/联系人可以申报和推荐。")
        action = request.POST.get("action")
        try:
            if action == "start_brand":
                entry = services.start_brand_entry(campaign, college, by=request.user)
                return redirect("submissions:entry", entry.pk)
            if action == "recommend":
                form = RecommendForm(request.POST, college=college)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(recommend_form=form))
                entry = services.recommend_branch(campaign, form.cleaned_data["branch"], form.cleaned_data["rank"],
                                                  by=request.user)
                messages.success(request, f"已推荐 {entry.organization.name}（排序 {entry.rank}）参加“十佳特色支部”评比。")
            elif action == "withdraw":
                entry = get_object_or_404(Entry, pk=request.POST.get("entry"), college=college, campaign=campaign)
                services.withdraw_entry(entry, by=request.user)
                messages.success(request, "已撤回推荐。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(request.path)


class EntryMixin(PermissionRequiredMixin):
    def get_entry(self):
        if not hasattr(self, "_entry"):
            try:
                self._entry = queries.entry_detail(self.kwargs["pk"])
            except Entry.DoesNotExist:
                raise Http404 from None
        return self._entry

    def get_permission_object(self):
        return self.get_entry()


class EntryView(EntryMixin, TemplateView):
    """附件3: fill the fields, attach the "三个一" and evidence, submit; 组织部 runs the formal check here."""

    permission_required = "submissions.view_entry"
    template_name = "submissions/entry.html"

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        entry = self.get_entry()
        actions = policy.ENTRY.actions(self.request.user, entry)
        can_edit = actions["save"]
        evidence = list(entry.evidence.all())
        photos = [a for a in evidence if a.is_image]
        slots = [(slot, label, getattr(entry, slot)) for slot, (_p, label) in services.FILE_SLOTS.items()]
        ctx.update(
            entry=entry, campaign=entry.campaign, org=entry.organization, can_edit=can_edit, actions=actions,
            form=form or EntryForm(instance=entry), slots=slots, evidence=evidence,
            missing=completeness.entry_missing(entry), warnings=completeness.entry_warnings(entry, photos),
            reusable=list(services.reusable_attachments(entry)) if can_edit else [],
            due=services.review_due(entry.campaign, entry.organization),
            check_form=CheckForm(), history=list(history_for(entry)[:30]), field_labels=field_labels(Entry),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        entry = self.get_entry()
        if not request.user.has_perm("submissions.edit_entry", entry):
            raise PermissionDenied("您不能修改这份申报表。")
        form = EntryForm(request.POST, instance=entry)
        if not form.is_valid():
            messages.error(request, "有内容不符合要求，请按红色提示修改。您填写的内容没有丢失。")
            return self.render_to_response(self.get_context_data(form=form))
        try:
            entry = services.save_entry(entry, form.model_data(), by=request.user,
                                        expected_version=form.cleaned_data.get("version"))
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render_to_response(self.get_context_data(form=form))
        if request.POST.get("action") == "submit":
            try:
                services.submit_entry(entry, by=request.user)
                messages.success(request, "申报已提交，等待组织部形式审查。")
            except ValidationError as exc:
                messages.warning(request, "已保存，但还不能提交：" + "；".join(exc.messages))
        else:
            messages.success(request, "已保存。")
        return redirect(request.path)


class EntryFileView(CappedUploadMixin, EntryMixin, View):
    """Upload (or pick from the org's outcomes) one of the report / "三个一" files."""

    permission_required = "submissions.edit_entry"

    def purpose_for(self, request, **kwargs):
        slot = kwargs.get("slot")
        if slot not in services.FILE_SLOTS:
            raise Http404
        return services.FILE_SLOTS[slot][0]

    def post(self, request, pk, slot):
        entry = self.get_entry()

        def action():
            reuse = request.POST.get("attachment")
            if reuse:
                att = Attachment.objects.filter(uuid=reuse).first()
                if att is None:
                    raise ValidationError("所选文件不存在。")
                att, warnings = services.set_entry_file(entry, slot, attachment=att, by=request.user)
            else:
                att, warnings = services.set_entry_file(entry, slot, upload=self.uploaded_file(request), by=request.user)
            return {"uuid": str(att.uuid), "name": att.original_name, "size": att.size, "warnings": warnings,
                    "duration": att.duration_label}

        return run_upload(self, request, action, f"{services.FILE_SLOTS[slot][1]} 已上传。",
                          reverse("submissions:entry", args=[pk]))


class EvidenceView(CappedUploadMixin, EntryMixin, View):
    permission_required = "submissions.edit_entry"

    def purpose_for(self, request, **kwargs):
        return "evidence"

    def post(self, request, pk):
        entry = self.get_entry()
        if request.POST.get("remove"):
            try:
                remove = uuid.UUID(request.POST["remove"])
            except ValueError:
                raise Http404 from None
            att = get_object_or_404(entry.evidence, uuid=remove)
            try:
                services.remove_evidence(entry, att, by=request.user)
                messages.success(request, "已移除。")
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            return redirect("submissions:entry", pk)

        def action():
            att = services.add_evidence(entry, self.uploaded_file(request), request.POST.get("caption", ""), by=request.user)
            return {"uuid": str(att.uuid), "name": att.original_name, "size": att.size}

        return run_upload(self, request, action, "佐证材料已上传。", reverse("submissions:entry", args=[pk]))


class EntryCheckView(EntryMixin, View):
    """组织部 形式审查: pass, or return with a comment."""

    permission_required = "submissions.check_entry"

    def post(self, request, pk):
        entry = self.get_entry()
        form = CheckForm(request.POST)
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "pass":
                    services.pass_entry(entry, by=request.user, comment=form.cleaned_data["comment"])
                    messages.success(request, f"{entry.organization}：形式审查通过。")
                else:
                    services.return_entry(entry, form.cleaned_data["comment"], by=request.user)
                    messages.success(request, f"{entry.organization}：已退回修改。")
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
        next_url = request.POST.get("next")
        if next_url == "list":
            return redirect(f"{reverse('submissions:formal_check', args=[entry.campaign_id])}")
        return redirect("submissions:entry", pk)


class EntryPdfView(EntryMixin, View):
    permission_required = "submissions.view_entry"

    def get(self, request, pk):
        entry = self.get_entry()
        name = pdf.document_filename(entry.campaign, entry.organization, f"附件3-{entry.get_track_display()}")
        return pdf.pdf_response(pdf.entry_pdf(entry), name)


class FormalCheckFilterForm(QueryForm):
    track = forms.ChoiceField(choices=Track.choices)
    state = forms.ChoiceField(choices=EntryState.choices)


class FormalCheckView(PermissionRequiredMixin, TemplateView):
    """组织部: every entry with exactly what is missing; 院级 orgs that have not entered."""

    permission_required = "submissions.check_entry"
    template_name = "submissions/formal_check.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = get_object_or_404(Campaign, pk=self.kwargs["campaign"])
        filters = FormalCheckFilterForm(self.request.GET)
        track, state = filters.get("track"), filters.get("state")
        lines, not_started = queries.formal_check_lines(campaign, track, state)
        # per row, what the template asked `{% has_perm "submissions.entry.return/pass" %}` and `{% url %}`
        # for: the same policy rows, asked with one clock once per (state, complete), and one URL reversal
        # per column; the template prints the rows with {% formal_check_rows %} (submissions.render)
        buttons = policy.check_buttons(self.request.user, timezone.now())
        entry_url, check_url = url_maker("submissions:entry"), url_maker("submissions:entry_check")
        for line in lines:
            e = line["entry"]
            line["url"] = entry_url(e.pk)
            line["can_return"], line["can_pass"] = buttons(e, line["missing"])
            if line["can_pass"]:
                line["check_url"] = check_url(e.pk)
        ctx.update(campaign=campaign, lines=lines, not_started=not_started, tracks=Track.choices,
                   states=EntryState.choices, track=track, state=state, check_form=CheckForm())
        return ctx


class MyEntriesRedirectView(CurrentCampaignView):
    def go(self, request, campaign):
        from organizations import roles

        colleges = roles.college_ids(request.user)
        if colleges:
            return redirect("submissions:entries", campaign.pk, sorted(colleges)[0])
        entry = Entry.objects.filter(campaign=campaign, organization_id__in=roles.branch_ids(request.user)).first()
        if entry:
            return redirect("submissions:entry", entry.pk)
        raise PermissionDenied("本支部尚未被推荐参加“十佳特色支部”评比。")
