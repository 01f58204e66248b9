"""Public showcase pages (no login), the 组织部 management pages, booklets and the static bundle."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from campaigns.models import Campaign
from core.http import ranged_file_response
from organizations.models import Organization, OrgType

from . import queries, services
from .forms import BookletForm, LibrarySearchForm, PickForm, PublishForm, ShowcaseSearchForm
from .models import Award, Booklet, Bundle, ItemKind, ItemOutcome, ShowcaseItem

PAGE_SIZE = 24
ORG_TYPE_CHOICES = [(v, l) for v, l in OrgType.choices if v != OrgType.SCHOOL_COMMITTEE]


def _visible_item_or_404(request, pk):
    item = queries.item_for_detail(pk)
    # 404, not 403: an unpublished item must not be discoverable by URL.
    if item is None or not request.user.has_perm("showcase.view_item", item):
        raise Http404
    return item


class ShowcaseListView(TemplateView):
    """成果展示: published brands and featured branches, searchable and filterable. Public."""

    template_name = "showcase/list.html"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return ["showcase/_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        params = self.request.GET
        page = Paginator(queries.search_items(ShowcaseSearchForm(params).values()), PAGE_SIZE).get_page(params.get("page"))
        query = params.copy()
        query.pop("page", None)
        return super().get_context_data(
            page=page, items=page.object_list, params=params, querystring=query.urlencode(),
            years=queries.published_years(), org_types=ORG_TYPE_CHOICES,
            awards=[(v, l) for v, l in Award.choices if v], kinds=ItemKind.choices, section="list", **kwargs)


class ItemDetailView(View):
    def get(self, request, pk):
        item = _visible_item_or_404(request, pk)
        outcomes = list(item.outcomes.all())
        cases = [o for o in outcomes if o.outcome_type in (ItemOutcome.Type.CASE, ItemOutcome.Type.METHOD,
                                                            ItemOutcome.Type.EXPERIENCE)]
        others = [o for o in outcomes if o not in cases]
        return render(request, "showcase/detail.html", {
            "item": item, "cases": cases, "others": others, "photos": list(item.photos.all()),
            "documents": list(item.documents.all()), "is_preview": not item.is_published,
            "can_manage": request.user.has_perm("showcase.manage"), "section": "list",
        })


class ItemLogoView(View):
    def get(self, request, pk):
        item = _visible_item_or_404(request, pk)
        if not item.logo:
            raise Http404
        ctype = "image/png" if item.logo.name.lower().endswith(".png") else "image/jpeg"
        return ranged_file_response(request, item.logo, ctype)


class ItemPosterView(View):
    def get(self, request, pk):
        item = _visible_item_or_404(request, pk)
        if not item.poster:
            raise Http404
        return ranged_file_response(request, item.poster, "image/jpeg")


class LibraryView(TemplateView):
    """经验案例库: cases, methods and experiences across years. Public."""

    template_name = "showcase/library.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        page = Paginator(queries.library(LibrarySearchForm(params).values()), 20).get_page(params.get("page"))
        query = params.copy()
        query.pop("page", None)
        return super().get_context_data(
            page=page, outcomes=page.object_list, params=params, querystring=query.urlencode(),
            years=queries.published_years(),
            types=[(t.value, t.label) for t in ItemOutcome.LIBRARY_TYPES], section="library", **kwargs)


# ---------------------------------------------------------------- 组织部: manage


class ManageMixin(PermissionRequiredMixin):
    permission_required = "showcase.manage"

    def campaign_from(self, value):
        if value and str(value).isdecimal() and len(str(value)) <= 4:  # isdigit() also takes "²"
            return Campaign.objects.filter(year=int(value)).first()
        return Campaign.objects.current()


class ManageView(ManageMixin, TemplateView):
    template_name = "showcase/manage.html"

    def get_context_data(self, **kwargs):
        from submissions.models import Entry, Form1, Form2Row

        campaign = self.campaign_from(self.request.GET.get("year"))
        ctx = super().get_context_data(campaign=campaign, campaigns=Campaign.objects.all(), section="manage", **kwargs)
        if campaign is None:
            return ctx
        items = list(queries.manage_items(campaign))
        by_key = {(i.organization_id, i.kind): i for i in items}
        entries = {(e.organization_id, e.track): e for e in Entry.objects.filter(campaign=campaign)}
        brands = []
        for f in (Form1.objects.filter(campaign=campaign).exclude(brand_name="").select_related("organization")
                  .order_by("organization__sort_order", "organization__code")):
            key = (f.organization_id, ItemKind.BRAND)
            brands.append({"org": f.organization, "name": f.brand_name, "state": f.get_state_display(),
                           "accepted": f.state == "accepted", "entry": entries.get(key), "item": by_key.get(key)})
        branches = []
        for r in (Form2Row.objects.filter(form__campaign=campaign).exclude(feature_name="")
                  .select_related("branch", "branch__parent")
                  .order_by("branch__parent__sort_order", "branch__sort_order", "branch__code")):
            key = (r.branch_id, ItemKind.BRANCH)
            branches.append({"org": r.branch, "name": r.feature_name, "state": r.get_state_display(),
                             "accepted": r.state == "submitted", "entry": entries.get(key), "item": by_key.get(key)})
        ctx.update(items=items, brands=brands, branches=branches, award_choices=Award.choices,
                   booklets=Booklet.objects.filter(campaign=campaign)[:5])
        return ctx


class PickView(ManageMixin, View):
    def post(self, request, year):
        campaign = get_object_or_404(Campaign, year=year)
        form = PickForm(request.POST)
        if form.is_valid():
            org = get_object_or_404(Organization, pk=form.cleaned_data["organization"])
            try:
                item = services.pick(campaign, org, form.cleaned_data["kind"], by=request.user)
                messages.success(request, f"已收录“{item.title}”（尚未发布，可先预览）。")
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
        return redirect(f"{reverse('showcase:manage')}?year={year}")


class ItemActionView(ManageMixin, View):
    action = None

    def post(self, request, pk):
        item = get_object_or_404(ShowcaseItem, pk=pk)
        try:
            if self.action == "publish":
                form = PublishForm(request.POST)
                award = form.cleaned_data["award"] if form.is_valid() and "award" in request.POST else None
                item = services.publish(item, by=request.user, award=award)
                messages.success(request, f"已发布“{item.title}”，访客现在可以看到。")
            elif self.action == "unpublish":
                item = services.unpublish(item, by=request.user, note=request.POST.get("note", "")[:200])
                messages.success(request, f"已撤回“{item.title}”，访客不再能看到。")
            elif self.action == "refresh":
                item = services.refresh(item, by=request.user)
                messages.success(request, f"已从申报材料更新“{item.title}”的展示内容。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        nxt = request.POST.get("next", "")
        if nxt.startswith("/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
            return HttpResponseRedirect(nxt)  # a path; redirect() would try a bare word as a URL name
        return redirect(f"{reverse('showcase:manage')}?year={item.year}")


class BookletListView(ManageMixin, View):
    def get(self, request):
        return self.render(request, BookletForm(campaign=self.campaign_from(request.GET.get("year"))))

    def post(self, request):
        campaign = self.campaign_from(request.POST.get("year"))
        form = BookletForm(request.POST, campaign=campaign)
        if campaign is not None and form.is_valid():
            try:
                booklet = services.create_booklet(campaign, form.cleaned_data["items"], by=request.user,
                                                  title=form.cleaned_data["title"])
                messages.success(request, "已开始生成成果汇编，可在下方查看进度。")
                return redirect(f"{reverse('showcase:booklets')}?year={campaign.year}#booklet-{booklet.pk}")
            except ValidationError as exc:
                form.add_error(None, exc)
        return self.render(request, form, status=400)

    def render(self, request, form, status=200):
        campaign = self.campaign_from(request.GET.get("year") or request.POST.get("year"))
        return render(request, "showcase/booklets.html", {
            "form": form, "campaign": campaign, "campaigns": Campaign.objects.all(), "section": "booklets",
            "booklets": Booklet.objects.filter(campaign=campaign).select_related("campaign", "created_by")[:50],
        }, status=status)


class BookletStatusView(ManageMixin, View):
    """htmx polls this every 2 s while the booklet is being generated."""

    def get(self, request, pk):
        booklet = get_object_or_404(Booklet.objects.select_related("campaign", "created_by"), pk=pk)
        return render(request, "showcase/_booklet_row.html", {"b": booklet})


class BookletRetryView(ManageMixin, View):
    """重试 a failed booklet (POST); back to the list, where its row polls again."""

    def post(self, request, pk):
        booklet = get_object_or_404(Booklet.objects.select_related("campaign"), pk=pk)
        try:
            services.retry_booklet(booklet, by=request.user)
            messages.success(request, "已重新开始生成成果汇编，可在下方查看进度。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(f"{reverse('showcase:booklets')}?year={booklet.campaign.year}#booklet-{booklet.pk}")
def booklet_filename(booklet):
    title = booklet.title if booklet.title.startswith(f"{booklet.campaign.year}年度") else f"{booklet.campaign.year}年度-{booklet.title}"
    return f"{title}.pdf"


class BookletFileView(ManageMixin, View):
    def get(self, request, pk):
        booklet = get_object_or_404(Booklet.objects.select_related("campaign"), pk=pk)
        if not booklet.file:
            raise Http404
        return ranged_file_response(request, booklet.file, "application/pdf", filename=booklet_filename(booklet))


class BundleView(ManageMixin, View):
    """导出静态网页包: a zip of the year's published showcase (HTML + assets + media) for the university
    website, built in the background (core.jobs). GET lists the year's bundles, POST starts one."""

    def get(self, request, year):
        campaign = get_object_or_404(Campaign, year=year)
        return render(request, "showcase/bundles.html", {
            "campaign": campaign, "campaigns": Campaign.objects.all(), "section": "manage",
            "published": ShowcaseItem.objects.published().filter(campaign=campaign).count(),
            "bundles": Bundle.objects.filter(campaign=campaign).select_related("campaign", "created_by")[:20],
        })

    def post(self, request, year):
        campaign = get_object_or_404(Campaign, year=year)
        try:
            bundle = services.create_bundle(campaign, by=request.user)
            messages.success(request, "已开始生成静态网页包，可在下方查看进度，生成时可离开本页。")
            return redirect(f"{reverse('showcase:bundle', args=[year])}#bundle-{bundle.pk}")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(reverse("showcase:bundle", args=[year]))


class BundleStatusView(ManageMixin, View):
    """htmx polls this every 2 s while the bundle is being built."""

    def get(self, request, pk):
        bundle = get_object_or_404(Bundle.objects.select_related("campaign", "created_by"), pk=pk)
        return render(request, "showcase/_bundle_row.html", {"b": bundle})


class BundleRetryView(ManageMixin, View):
    def post(self, request, pk):
        bundle = get_object_or_404(Bundle.objects.select_related("campaign"), pk=pk)
        try:
            services.retry_bundle(bundle, by=request.user)
            messages.success(request, "已重新开始生成静态网页包，可在下方查看进度。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(f"{reverse('showcase:bundle', args=[bundle.campaign.year])}#bundle-{bundle.pk}")


class BundleFileView(ManageMixin, View):
    def get(self, request, pk):
        bundle = get_object_or_404(Bundle.objects.select_related("campaign"), pk=pk)
        if not bundle.file:
            raise Http404
        return ranged_file_response(request, bundle.file, "application/zip", filename=bundle.filename,
                                    as_attachment=True)
