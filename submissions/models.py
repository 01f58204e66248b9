"""附件1/附件2 (phase 1), outcomes (phase 2), 附件3 entries and their files (phase 3)."""

import uuid

from django.conf import settings
from django.db import models


class FormState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已通过"


NOT_STARTED_LABEL = "未开始"
EDITABLE_STATES = {FormState.DRAFT, FormState.RETURNED}


class RowState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报院级"
    RETURNED = "returned", "院级退回"
    SKIPPED = "skipped", "不参加（已说明）"


class StandardKind(models.TextChoices):
    FIVE = "five", "院(处)级党组织\"五个到位\""
    SEVEN = "seven", "党支部\"七个有力\""


class StandardItem(models.Model):
    """Reference data: the "五个到位" and "七个有力" items (editable by 组织部)."""

    kind = models.CharField("标准", max_length=10, choices=StandardKind.choices)
    code = models.SlugField("编码", max_length=30)
    name = models.CharField("名称", max_length=50)
    description = models.CharField("说明", max_length=200, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "对标标准条目"
        verbose_name_plural = "对标标准条目"
        ordering = ["kind", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="unique_standard_code")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.name}"


class FocusArea(models.TextChoices):
    TALENT = "talent", "人才培养"
    RESEARCH = "research", "科学研究"
    SERVICE = "service", "社会服务"
    MANAGEMENT = "management", "管理服务"
    OTHER = "other", "其他"


class BrandChoice(models.TextChoices):
    CONTINUE = "continue", "继续培育（上一年度品牌）"
    NEW = "new", "新创品牌"


class ReviewedForm(models.Model):
    """State machine, version and review fields shared by both forms."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, verbose_name="年度活动")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, verbose_name="院(处)级党组织"
    )
    state = models.CharField("状态", max_length=12, choices=FormState.choices, default=FormState.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField("最后保存", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="最后保存人"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="提交人"
    )
    review_comment = models.TextField("组织部审核意见", blank=True, max_length=1000)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="审核人"
    )
    scan = models.FileField("盖章扫描件", upload_to="scans/", blank=True, max_length=200)
    scan_name = models.CharField("扫描件原文件名", max_length=160, blank=True)

    class Meta:
        abstract = True

    @property
    def is_editable_state(self):
        return self.state in EDITABLE_STATES


class Form1(ReviewedForm):
    """附件1 "一院一品牌"申报表: one per 院级 org per campaign."""

    secretary_name = models.CharField("书记姓名", max_length=30, blank=True)
    secretary_title = models.CharField("书记职务", max_length=50, blank=True)
    secretary_phone = models.CharField("书记电话", max_length=20, blank=True)
    contact_name = models.CharField("联系人姓名", max_length=30, blank=True)
    contact_mobile = models.CharField("联系人手机", max_length=20, blank=True)
    contact_email = models.EmailField("联系人邮箱", blank=True)
    members_staff = models.PositiveIntegerField("教工党员数", null=True, blank=True)
    members_student = models.PositiveIntegerField("学生党员数", null=True, blank=True)
    members_retired = models.PositiveIntegerField("离退休党员数", null=True, blank=True)
    brand_name = models.CharField("品牌名称", max_length=12, blank=True, help_text="4–12 个字，简短有力")
    slogan = models.CharField("口号/标语", max_length=50, blank=True)
    logo = models.FileField("品牌LOGO", upload_to="logos/", blank=True, max_length=200)
    logo_meaning = models.TextField("LOGO释义", max_length=300, blank=True)
    focus_area = models.CharField("聚焦领域", max_length=20, choices=FocusArea.choices, blank=True)
    foundation = models.TextField("工作基础", max_length=1500, blank=True)
    honours = models.TextField("已有荣誉（标杆院系、样板支部、\"双带头人\"工作室等）", max_length=800, blank=True)
    connotation = models.TextField("品牌内涵/理念", max_length=1500, blank=True)
    goals = models.TextField("创建目标", max_length=1000, blank=True)
    measures = models.TextField("主要举措", max_length=2000, blank=True, help_text="每行一条举措")
    schedule = models.TextField("进度安排", max_length=1000, blank=True, help_text="每行一个节点，如：6月 完成……（5月至11月）")
    expected_results = models.TextField("预期成效", max_length=1000, blank=True)
    guarantees = models.TextField("保障措施/经费", max_length=1000, blank=True)
    self_assessment = models.JSONField("\"五个到位\"自评", default=dict, blank=True)
    # a brand across years: the org chooses to continue last year's brand (the chain below) or to start a new one
    brand_choice = models.CharField("品牌方向", max_length=10, choices=BrandChoice.choices, blank=True)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="continued_by",
                                 verbose_name="继续培育的上一年度附件1")
    lineage = models.UUIDField("品牌标识", default=uuid.uuid4, db_index=True, editable=False,
                               help_text="同一品牌历年的附件1 共用一个标识（继续培育时沿用上一年度的标识）")

    class Meta:
        verbose_name = "一院一品牌申报表（附件1）"
        verbose_name_plural = "一院一品牌申报表（附件1）"
        constraints = [models.UniqueConstraint(fields=["campaign", "organization"], name="unique_form1")]

    def __str__(self):
        return f"{self.organization} · 附件1（{self.campaign.year}）"

    def measure_list(self):
        return [line.strip() for line in self.measures.splitlines() if line.strip()]

    def schedule_list(self):
        return [line.strip() for line in self.schedule.splitlines() if line.strip()]


class Form2(ReviewedForm):
    """附件2 "一支部一特色"汇总表: one per 院级 org per campaign, one row per branch."""

    filler_name = models.CharField("填报人", max_length=30, blank=True)
    filler_phone = models.CharField("填报人电话", max_length=20, blank=True)

    class Meta:
        verbose_name = "一支部一特色汇总表（附件2）"
        verbose_name_plural = "一支部一特色汇总表（附件2）"
        constraints = [models.UniqueConstraint(fields=["campaign", "organization"], name="unique_form2")]

    def __str__(self):
        return f"{self.organization} · 附件2（{self.campaign.year}）"


class Form2Row(models.Model):
    """One branch's row of 附件2. Filled by the branch secretary (or the 院级 secretary for it)."""

    form = models.ForeignKey(Form2, on_delete=models.CASCADE, related_name="rows", verbose_name="汇总表")
    branch = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, verbose_name="党支部")
    state = models.CharField("状态", max_length=12, choices=RowState.choices, default=RowState.DRAFT)
    feature_name = models.CharField("特色名称", max_length=30, blank=True)
    feature_intro = models.TextField("特色简介", max_length=200, blank=True, help_text="不超过 200 字")
    carriers = models.TextField("主要载体/举措", max_length=500, blank=True)
    expected_results = models.TextField("预期成果", max_length=500, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    remarks = models.CharField("备注", max_length=200, blank=True)
    self_assessment = models.JSONField("\"七个有力\"自评", default=dict, blank=True)
    skip_reason = models.CharField("不参加原因", max_length=200, blank=True)
    college_comment = models.TextField("院级退回意见", max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField("最后保存", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="最后保存人"
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="沿用的上一年度信息")
    carried_forward = models.BooleanField("沿用上一年度（尚未修改）", default=False)

    class Meta:
        verbose_name = "一支部一特色（附件2 行）"
        verbose_name_plural = "一支部一特色（附件2 行）"
        ordering = ["branch__sort_order", "branch__code"]
        constraints = [models.UniqueConstraint(fields=["form", "branch"], name="unique_form2_row")]

    def __str__(self):
        return f"{self.branch} · 一支部一特色（{self.form.campaign.year}）"


# ====================================================================== phases 2 and 3


class AttachmentKind(models.TextChoices):
    PDF = "pdf", "PDF 文档"
    DOCX = "docx", "Word 文档"
    JPEG = "jpeg", "JPG 图片"
    PNG = "png", "PNG 图片"
    MP4 = "mp4", "MP4 视频"


class Attachment(models.Model):
    """An uploaded file, stored under a generated name; the user's file name is kept as data."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="attachments", verbose_name="所属党组织"
    )
    file = models.FileField("文件", upload_to="attachments/", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=AttachmentKind.choices)
    original_name = models.CharField("原文件名", max_length=160)
    size = models.BigIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64, blank=True)
    caption = models.CharField("说明", max_length=60, blank=True)
    duration_seconds = models.FloatField("时长（秒）", null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    video_codec = models.CharField(max_length=30, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name

    @property
    def is_video(self):
        return self.kind == AttachmentKind.MP4

    @property
    def is_image(self):
        return self.kind in {AttachmentKind.JPEG, AttachmentKind.PNG}

    @property
    def duration_label(self):
        if self.duration_seconds is None:
            return ""
        total = int(round(self.duration_seconds))
        return f"{total // 60}分{total % 60:02d}秒"


class OutcomeType(models.TextChoices):
    SYSTEM = "system", "工作体系/机制办法"
    METHOD = "method", "优秀基层党建工作法"
    CASE = "case", "党建促业务典型案例"
    DEMONSTRATION = "demonstration", "经验推广示范"
    ACTIVITY = "activity", "活动记录（三会一课/主题党日等）"


class Outcome(models.Model):
    """A phase-2 创建成果 recorded as it happens, by a 院级 org or a branch."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="outcomes", verbose_name="年度活动")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="outcomes", verbose_name="党组织"
    )
    outcome_type = models.CharField("成果类型", max_length=20, choices=OutcomeType.choices)
    title = models.CharField("标题", max_length=80)
    date = models.DateField("日期")
    description = models.TextField("内容简介", max_length=3000, blank=True)
    attachments = models.ManyToManyField(Attachment, blank=True, related_name="outcomes", verbose_name="附件")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "创建成果"
        verbose_name_plural = "创建成果"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["campaign", "organization", "date"])]

    def __str__(self):
        return self.title


class Track(models.TextChoices):
    BRAND = "brand", "十佳党建品牌"
    BRANCH = "branch", "十佳特色支部"


class EntryState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交（待形式审查）"
    RETURNED = "returned", "形式审查退回"
    PASSED = "passed", "形式审查通过"


class Entry(models.Model):
    """附件3 "十佳党建品牌"/"十佳特色支部"申报表 with its "三个一" and evidence."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="entries", verbose_name="年度活动")
    track = models.CharField("申报类别", max_length=10, choices=Track.choices)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="entries", verbose_name="申报党组织"
    )
    college = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="recommended_entries", verbose_name="申报单位(院级)"
    )
    rank = models.PositiveSmallIntegerField("推荐排序", null=True, blank=True)
    state = models.CharField("状态", max_length=12, choices=EntryState.choices, default=EntryState.DRAFT)
    title = models.CharField("品牌/支部特色名称", max_length=40, blank=True)
    leader = models.CharField("负责人", max_length=30, blank=True)
    members = models.PositiveIntegerField("党员数", null=True, blank=True)
    started_on = models.DateField("创建起始时间", null=True, blank=True)
    honours = models.TextField("近三年荣誉", max_length=1000, blank=True)
    negative_list_declared = models.BooleanField(
        "负面清单声明：近三年在党建和意识形态领域未出现重大问题", default=False
    )
    overview = models.TextField("创建情况概述（背景/做法/成效/经验）", max_length=3000, blank=True)
    college_opinion = models.TextField("院(处)级党组织推荐意见", max_length=500, blank=True)
    experience_doc = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                       verbose_name="典型经验（1套）")
    case_doc = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name="党建促业务典型案例（1个）")
    video = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name="示范点建设微视频（1个）")
    summary_report = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                       verbose_name="创建总结报告")
    evidence = models.ManyToManyField(Attachment, blank=True, related_name="evidence_for", verbose_name="成果佐证")
    check_comment = models.TextField("形式审查意见", max_length=1000, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "十佳申报（附件3）"
        verbose_name_plural = "十佳申报（附件3）"
        ordering = ["track", "college__sort_order", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "track", "organization"], name="unique_entry"),
            models.UniqueConstraint(fields=["campaign", "college", "rank"], condition=models.Q(track="branch"),
                                    name="unique_branch_rank"),
            models.CheckConstraint(condition=models.Q(rank__isnull=True) | models.Q(rank__in=[1, 2]), name="rank_1_or_2"),
        ]

    def __str__(self):
        return f"{self.get_track_display()} · {self.organization}（{self.campaign.year}）"

    @property
    def is_editable_state(self):
        return self.state in {EntryState.DRAFT, EntryState.RETURNED}
