"""Phase 4 特色品牌推广: published showcase items, their outcomes, and the 成果汇编 booklets.

A ShowcaseItem is a *snapshot*: 组织部 picks a source (附件1 brand, 附件2 branch row or
附件3 entry) and the text is copied at that moment. Later edits to drafts never change
what visitors read; 组织部 re-takes the snapshot explicitly ("从申报材料更新")."""

from django.conf import settings
from django.db import models

from organizations.models import OrgType


class ItemKind(models.TextChoices):
    BRAND = "brand", "党建品牌"
    BRANCH = "branch", "特色支部"


class Award(models.TextChoices):
    NONE = "", "无"
    BRAND_TOP10 = "brand_top10", "十佳党建品牌"
    BRANCH_TOP10 = "branch_top10", "十佳特色支部"


def _pending_results(campaign_ref, kind_ref):
    """A judging track of that campaign and kind exists whose results are not published yet (e.g. 公示中)."""
    from reviews.models import JudgingTrack, Stage

    return JudgingTrack.objects.filter(campaign=campaign_ref, track=kind_ref).exclude(stage=Stage.PUBLISHED)


class ShowcaseItemQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_badge(self):
        """Annotate `badge`: the 十佳 award visitors may see. None while the item's judging track (same
        campaign, same kind) has not published its results: never during the 公示. Items of a year judged
        outside the portal (no track) keep 组织部's badge."""
        pending = models.Exists(_pending_results(models.OuterRef("campaign"), models.OuterRef("kind")))
        return self.annotate(badge=models.Case(models.When(pending, then=models.Value("")), default=models.F("award"),
                                               output_field=models.CharField()))


class ShowcaseItem(models.Model):
    """成果展示条目: one published brand (院级) or featured branch (支部) for one year."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="showcase_items",
                                 verbose_name="年度活动")
    year = models.PositiveIntegerField("年度", db_index=True)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                     related_name="showcase_items", verbose_name="党组织")
    college = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+",
                                verbose_name="所属院(处)级党组织")
    kind = models.CharField("类别", max_length=10, choices=ItemKind.choices)
    # sources (kept for "update from the submission"; the text below is the snapshot)
    form1 = models.ForeignKey("submissions.Form1", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    form2_row = models.ForeignKey("submissions.Form2Row", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    entry = models.ForeignKey("submissions.Entry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # snapshot
    org_name = models.CharField("党组织名称", max_length=100)
    org_type = models.CharField("党组织类型", max_length=30, choices=OrgType.choices)
    title = models.CharField("品牌/特色名称", max_length=40)
    slogan = models.CharField("口号/标语", max_length=50, blank=True)
    connotation = models.TextField("品牌内涵/特色简介", blank=True)
    measures = models.TextField("主要举措", blank=True, help_text="每行一条")
    results = models.TextField("创建成效", blank=True)
    overview = models.TextField("创建情况概述", blank=True)
    logo = models.FileField("LOGO", upload_to="showcase/logos/", blank=True, max_length=200)
    logo_meaning = models.TextField("LOGO释义", blank=True)
    video = models.ForeignKey("submissions.Attachment", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name="微视频")
    poster = models.FileField("视频封面", upload_to="showcase/posters/", blank=True, max_length=200)
    photos = models.ManyToManyField("submissions.Attachment", blank=True, related_name="showcase_photo_of",
                                    verbose_name="照片")
    documents = models.ManyToManyField("submissions.Attachment", blank=True, related_name="showcase_document_of",
                                       verbose_name="文档")
    search_text = models.TextField(blank=True, editable=False)
    # publication
    award = models.CharField("十佳", max_length=20, choices=Award.choices, blank=True, default="",
                             help_text="评比结果公布后由组织部（或评审模块）设置")
    is_published = models.BooleanField("已发布", default=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    snapshot_at = models.DateTimeField("内容采集时间", null=True, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ShowcaseItemQuerySet.as_manager()

    class Meta:
        verbose_name = "成果展示条目"
        verbose_name_plural = "成果展示条目"
        ordering = ["-year", "kind", "sort_order", "org_name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "organization", "kind"],
                                               name="unique_showcase_item")]
        indexes = [models.Index(fields=["is_published", "year", "kind"])]

    def __str__(self):
        return f"{self.title}（{self.org_name} · {self.year}）"

    def measure_list(self):
        return [line.strip() for line in self.measures.splitlines() if line.strip()]

    @property
    def shown_award(self):
        """The 十佳 badge shown in public (see ShowcaseItemQuerySet.with_badge): "" before the results are published."""
        if not self.award:
            return ""
        if "badge" in self.__dict__:
            return self.__dict__["badge"]
        return "" if _pending_results(self.campaign_id, self.kind).exists() else self.award

    @property
    def award_label(self):
        """The label of the badge shown in public ("" before the results are published)."""
        shown = self.shown_award
        return Award(shown).label if shown else ""

    @property
    def award_pending(self):
        """组织部 set a badge that is not shown yet (its judging track has not published)."""
        return bool(self.award) and not self.shown_award


class ItemOutcome(models.Model):
    """A snapshot of one 创建成果 (典型案例, 工作法, ...) shown with an item and in the 经验案例库."""

    class Type(models.TextChoices):
        CASE = "case", "党建促业务典型案例"
        METHOD = "method", "优秀基层党建工作法"
        EXPERIENCE = "experience", "可复制可推广的典型经验"
        SYSTEM = "system", "工作体系/机制办法"
        DEMONSTRATION = "demonstration", "经验推广示范"
        ACTIVITY = "activity", "活动记录"

    LIBRARY_TYPES = [Type.CASE, Type.METHOD, Type.EXPERIENCE, Type.SYSTEM, Type.DEMONSTRATION]

    item = models.ForeignKey(ShowcaseItem, on_delete=models.CASCADE, related_name="outcomes", verbose_name="展示条目")
    outcome_type = models.CharField("类型", max_length=20, choices=Type.choices)
    title = models.CharField("标题", max_length=120)
    date = models.DateField("日期", null=True, blank=True)
    body = models.TextField("内容", blank=True)
    document = models.ForeignKey("submissions.Attachment", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="原文")
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "展示成果"
        verbose_name_plural = "展示成果"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.title


class BookletStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ShowcaseJob(models.Model):
    """What a background file job of the showcase has (core.jobs): its state, progress, who asked, when it ran,
    its heartbeat and hand-overs to the broker. Booklet and Bundle add their file and what it holds."""

    status = models.CharField("状态", max_length=10, choices=BookletStatus.choices, default=BookletStatus.PENDING)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    progress_note = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Job state (core.jobs): heartbeat while running, runs taken, last hand-over to the broker.
    heartbeat_at = models.DateTimeField("心跳时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("运行次数", default=0)
    queued_at = models.DateTimeField("排队时间", null=True, blank=True)
    broker_waiting = models.BooleanField("等待后台服务", default=False)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_finished(self):
        return self.status in {BookletStatus.DONE, BookletStatus.FAILED}

    @property
    def duration_seconds(self):
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class Booklet(ShowcaseJob):
    """成果汇编: one generated PDF. Every version is kept."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="booklets",
                                 verbose_name="年度活动")
    title = models.CharField("标题", max_length=100)
    items = models.ManyToManyField(ShowcaseItem, related_name="booklets", verbose_name="收录条目")
    file = models.FileField("PDF", upload_to="showcase/booklets/", blank=True, max_length=200)
    page_count = models.PositiveIntegerField("页数", null=True, blank=True)

    class Meta(ShowcaseJob.Meta):
        verbose_name = "成果汇编"
        verbose_name_plural = "成果汇编"

    def __str__(self):
        return self.title


class Bundle(ShowcaseJob):
    """静态网页包: one zip of a year's published showcase, built in the background (core.jobs)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="bundles",
                                 verbose_name="年度活动")
    file = models.FileField("网页包", upload_to="showcase/bundles/", blank=True, max_length=200)
    size = models.PositiveBigIntegerField("文件大小", null=True, blank=True)
    item_count = models.PositiveIntegerField("条目数", null=True, blank=True)

    class Meta(ShowcaseJob.Meta):
        verbose_name = "静态网页包"
        verbose_name_plural = "静态网页包"

    def __str__(self):
        return f"{self.campaign.year}年度静态网页包 #{self.pk}"

    @property
    def filename(self):
        return f"{self.campaign.year}年度-品牌展示网页包.zip"
