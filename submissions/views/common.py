from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from campaigns.models import Campaign
from organizations.models import Level, Organization

from ..models import Form1, Form2

FORM_MODELS = {"form1": Form1, "form2": Form2}
FORM_TITLES = {"form1": "附件1 “一院一品牌”申报表", "form2": "附件2 “一支部一特色”汇总表"}


class CampaignOrgMixin(PermissionRequiredMixin):
    """Resolves /<campaign>/…/<org>/ and uses the org as the permission object."""

    org_level = Level.COLLEGE
    org_kwarg = "org"

    def get_campaign(self):
        if not hasattr(self, "_campaign"):
            self._campaign = get_object_or_404(Campaign, pk=self.kwargs["campaign"])
        return self._campaign

    def get_org(self):
        if not hasattr(self, "_org"):
            self._org = get_object_or_404(
                Organization.objects.select_related("parent"), pk=self.kwargs[self.org_kwarg], level=self.org_level
            )
        return self._org

    def get_permission_object(self):
        return self.get_org()


class FormKindMixin(CampaignOrgMixin):
    """For views shared by 附件1 and 附件2 (review, PDF, scan, history)."""

    def get_kind(self):
        kind = self.kwargs["kind"]
        if kind not in FORM_MODELS:
            raise Http404
        return kind

    def get_form_object(self, required=True):
        model = FORM_MODELS[self.get_kind()]
        obj = model.objects.filter(campaign=self.get_campaign(), organization=self.get_org()).select_related(
            "campaign", "organization"
        ).first()
        if obj is None and required:
            raise Http404("尚未填写")
        return obj


class CurrentCampaignView(View):
    """Navigation shortcuts: sign-in required, then `go(request, campaign, **kwargs)` for the current campaign."""

    def get(self, request, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        from campaigns.queries import current_campaign

        campaign = current_campaign()
        if campaign is None:
            raise Http404("尚未设置年度活动")
        return self.go(request, campaign, **kwargs)

    def go(self, request, campaign, **kwargs):
        raise NotImplementedError
