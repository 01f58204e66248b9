"""A brand's story across years: the full timeline (its org, 组织部, 校领导) and the public one (published only)."""

from django.http import Http404
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from . import timeline


class BrandStoryView(PermissionRequiredMixin, TemplateView):
    """品牌历程 (internal): every year's 附件1, outcomes, 十佳 result, 建设经费 and showcase items."""

    permission_required = "showcase.view_brand"
    template_name = "showcase/brand.html"
    public = False

    def get_story(self):
        if not hasattr(self, "_story"):
            self._story = timeline.brand_story(self.kwargs["lineage"], public=self.public)
            if self._story is None:
                raise Http404("没有这个品牌")
        return self._story

    def get_permission_object(self):
        return self.get_story().organization

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        story = self.get_story()
        ctx.update(story=story, public=self.public, section="list",
                   other_brands=[] if self.public else
                   [b for b in timeline.brand_lineages(story.organization) if b[0] != story.lineage])
        return ctx


class PublicBrandStoryView(BrandStoryView):
    """品牌历程 (public): only years with a published showcase item and results already published; else 404."""

    public = True

    def has_permission(self):
        return True
