"""十佳 judging: per-track configuration, rubric, judges, conflicts, assignments and scores, decisions."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from submissions.models import Track


class Stage(models.TextChoices):
    SETUP = "setup", "准备中"
    SCORING = "scoring", "专家评审中"
    ROUND2 = "round2", "现场答辩评分中"
    CLOSED = "closed", "评分结束（集中审议）"
    PROPOSED = "proposed", "已提出拟表彰名单"
    APPROVED = "approved", "党委已审定"
    PUBLICITY = "publicity", "公示中"
    PUBLISHED = "published", "结果已公布"


STAGE_ORDER = [s.value for s in Stage]


class Round(models.IntegerChoices):
    MATERIALS = 1, "材料评审"
    DEFENCE = 2, "现场答辩"


class Aggregation(models.TextChoices):
    MEAN = "mean", "算术平均"
    TRIMMED = "trimmed", "去掉一个最高分和一个最低分后平均（≥5 位评委时）"


class TieBreak(models.TextChoices):
    TOP_SCORES = "top_scores", "获评委最高分次数"
    VOTE = "vote", "评审委员会表决票数"


DEFAULT_RUBRIC = [
    ("positioning", "品牌定位与内涵 / 特色鲜明", 15, "品牌定位准确，内涵丰富，特色鲜明，与本单位中心工作紧密结合。"),
    ("innovation", "举措与机制创新", 25, "举措具体可行，机制有创新，形成制度化、常态化的工作体系。"),
    ("effect", "创建成效 / 党建促业务", 30, "创建成效明显，党建与业务深度融合，有可量化的成果。"),
    ("demonstration", "示范推广 / 可复制", 20, "经验可复制、可推广，具有示范引领作用。"),
    ("materials", "材料规范，\"三个一\"齐全", 10, "申报材料规范完整，典型经验、典型案例、微视频齐全。"),
]

# 现场答辩 (round 2) has its own rubric: what is judged on site is the presentation and the answers.
DEFAULT_RUBRIC_ROUND2 = [
    ("d_presentation", "汇报展示", 30, "汇报内容完整、重点突出，PPT/视频清晰，表达流畅，在规定时间内完成。"),
    ("d_effect", "创建成效与特色", 40, "成效可量化、有说服力，特色鲜明，党建与业务融合的实例充分。"),
    ("d_answers", "答辩问答", 30, "回答准确、切题，对评委提问有充分准备。"),
]


class ApprovalMethod(models.TextChoices):
    ONLINE = "online", "校领导在线审定"
    PAPER = "paper", "党委会审定（纸质，组织部登记）"


class JudgingTrack(models.Model):
    """One 十佳 track of one campaign, with everything fixed before judging starts."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="judging_tracks",
                                 verbose_name="年度活动")
    track = models.CharField("评审类别", max_length=10, choices=Track.choices)
    stage = models.CharField("阶段", max_length=12, choices=Stage.choices, default=Stage.SETUP)
    opens_at = models.DateTimeField("评审开始时间")
    closes_at = models.DateTimeField("评审截止时间")
    blind = models.BooleanField("匿名评审（对评委隐藏申报单位和人员）", default=False)
    aggregation = models.CharField("计分规则", max_length=10, choices=Aggregation.choices, default=Aggregation.TRIMMED)
    normalise = models.BooleanField("按评委标准化（z 分数，折算回分值区间）", default=False)
    tie_break = models.JSONField("同分排序规则", default=list, blank=True,
                                 help_text="依次比较：总分 → 指定指标 → 获最高分次数 → 委员会表决")
    disagree_sd = models.DecimalField("评委分歧提示阈值（标准差）", max_digits=5, decimal_places=1, default=8)
    judges = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="judging_tracks",
                                    verbose_name="评审专家")
    judges_per_entry = models.PositiveSmallIntegerField("每项评委人数（0 = 全部评委评全部项目）", default=0)
    min_valid_scores = models.PositiveSmallIntegerField(
        "每项最少有效评分数", default=3, validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="有效评分 = 已评完且未弃权的评分（去高去低之前计数）。有项目少于此数时，不能结束评分或提出拟表彰名单，"
                  "除非党委组织部记录原因后继续。超过每项评委人数时按每项评委人数计。")
    score_overrides = models.JSONField("有效评分不足时继续的记录", default=list, blank=True)
    award_count = models.PositiveSmallIntegerField("表彰名额", default=10)
    award_amount = models.DecimalField("建设经费（元/项）", max_digits=10, decimal_places=2, default=0)
    second_round = models.BooleanField("设现场答辩（第二轮）", default=False)
    shortlist_size = models.PositiveSmallIntegerField("入围答辩数", default=15)
    round1_weight = models.PositiveSmallIntegerField("材料评审权重（%）", default=60)
    round2_weight = models.PositiveSmallIntegerField("现场答辩权重（%）", default=40)
    defence_minutes = models.PositiveSmallIntegerField("现场答辩汇报时长（分钟）", default=8,
                                                       help_text="答辩室投屏倒计时的时长，一般 6–8 分钟。")
    reveal_names = models.BooleanField("答辩揭晓时显示评委姓名（否则显示“评委1、评委2……”）", default=False)
    shortlist = models.ManyToManyField("submissions.Entry", blank=True, related_name="+", verbose_name="入围答辩名单")
    rubric_frozen_at = models.DateTimeField("评分标准冻结时间", null=True, blank=True)
    proposal = models.JSONField("拟表彰名单（提出时的排名快照）", default=list, blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.CharField("党委审定记录（会议/文号）", max_length=200, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="审定人")
    approval_method = models.CharField("审定方式", max_length=10, choices=ApprovalMethod.choices, blank=True)
    approval_minutes = models.FileField("党委会会议纪要", upload_to="minutes/", max_length=200, blank=True)
    approval_minutes_name = models.CharField("会议纪要原文件名", max_length=160, blank=True)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="退回人")
    return_comment = models.CharField("退回意见", max_length=500, blank=True)
    withdrawn = models.JSONField("公示期间撤销的拟表彰项目", default=list, blank=True,
                                 help_text="[{entry, name, reason, objection, at, by}]：采纳异议后撤销，名单依次递补")
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示结束", null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "十佳评审"
        verbose_name_plural = "十佳评审"
        ordering = ["campaign", "-track"]
        constraints = [models.UniqueConstraint(fields=["campaign", "track"], name="unique_judging_track")]

    def __str__(self):
        return f"{self.campaign.year}年度{self.get_track_display()}评审"

    def stage_at_least(self, stage):
        return STAGE_ORDER.index(self.stage) >= STAGE_ORDER.index(stage)

    @property
    def rubric_editable(self):
        return self.stage == Stage.SETUP and self.rubric_frozen_at is None

    @property
    def inputs_frozen(self):
        """Ranking inputs (scores, votes, shortlist) cannot change from the 公示 on."""
        return self.stage_at_least(Stage.PUBLICITY)


class Criterion(models.Model):
    track = models.ForeignKey(JudgingTrack, on_delete=models.CASCADE, related_name="criteria", verbose_name="评审")
    code = models.SlugField("编码", max_length=30)
    name = models.CharField("评审指标", max_length=50)
    description = models.CharField("评分要点", max_length=300, blank=True)
    max_points = models.PositiveSmallIntegerField("分值")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    round = models.PositiveSmallIntegerField("轮次", choices=Round.choices, default=Round.MATERIALS)

    class Meta:
        verbose_name = "评审指标"
        verbose_name_plural = "评审指标"
        ordering = ["track", "round", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["track", "round", "code"], name="unique_criterion_code_round")]

    def __str__(self):
        return f"{self.name}（{self.max_points}分）"


class DeclaredConflict(models.Model):
    """A conflict (回避) declared by the judge or recorded by 组织部, beyond the automatic org rule."""

    track = models.ForeignKey(JudgingTrack, on_delete=models.CASCADE, related_name="declared_conflicts")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="评委")
    entry = models.ForeignKey("submissions.Entry", on_delete=models.PROTECT, related_name="+", verbose_name="申报项目")
    reason = models.CharField("回避原因", max_length=200)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "申报回避"
        verbose_name_plural = "申报回避"
        constraints = [models.UniqueConstraint(fields=["judge", "entry"], name="unique_declared_conflict")]

    def __str__(self):
        return f"{self.judge} 回避 {self.entry}"


class Assignment(models.Model):
    """One judge × one entry × one round, and that judge's scores for it (only that judge sees them)."""

    track = models.ForeignKey(JudgingTrack, on_delete=models.CASCADE, related_name="assignments")
    round = models.PositiveSmallIntegerField("轮次", choices=Round.choices, default=Round.MATERIALS)
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="judging_assignments",
                              verbose_name="评委")
    entry = models.ForeignKey("submissions.Entry", on_delete=models.PROTECT, related_name="judging_assignments",
                              verbose_name="申报项目")
    points = models.JSONField("各指标得分", default=dict, blank=True)  # {criterion_id (str): int}
    total = models.PositiveSmallIntegerField("总分", null=True, blank=True)
    complete = models.BooleanField("已评完", default=False)
    abstained = models.BooleanField("弃权", default=False)
    abstain_reason = models.CharField("弃权原因", max_length=200, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="代录人",
                                   help_text="现场答辩纸质评分由党委组织部代为录入时，记录录入人。")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "评审分配"
        verbose_name_plural = "评审分配"
        ordering = ["track", "round", "judge", "entry"]
        constraints = [models.UniqueConstraint(fields=["round", "judge", "entry"], name="unique_assignment")]
        indexes = [models.Index(fields=["track", "round", "judge"])]

    def __str__(self):
        return f"{self.judge} · {self.entry}（{self.get_round_display()}）"

    @property
    def done(self):
        return self.complete or self.abstained


class ScoreSheet(models.Model):
    """A judge's whole sheet for one round: submitting it locks every score on it."""

    track = models.ForeignKey(JudgingTrack, on_delete=models.CASCADE, related_name="sheets")
    round = models.PositiveSmallIntegerField("轮次", choices=Round.choices, default=Round.MATERIALS)
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="评委")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "评分表"
        verbose_name_plural = "评分表"
        constraints = [models.UniqueConstraint(fields=["track", "round", "judge"], name="unique_sheet")]

    def __str__(self):
        return f"{self.judge} · {self.track}（{self.get_round_display()}）评分表"

    @property
    def locked(self):
        return self.submitted_at is not None


class CommitteeVote(models.Model):
    """Votes of the review committee for an entry, recorded by 组织部 (last link of the tie-break chain)."""

    track = models.ForeignKey(JudgingTrack, on_delete=models.CASCADE, related_name="votes")
    entry = models.ForeignKey("submissions.Entry", on_delete=models.PROTECT, related_name="+")
    votes = models.PositiveSmallIntegerField("票数")

    class Meta:
        verbose_name = "委员会表决"
        verbose_name_plural = "委员会表决"
        constraints = [models.UniqueConstraint(fields=["track", "entry"], name="unique_vote")]

    def __str__(self):
        return f"{self.entry}：{self.votes}票"


class ObjectionSource(models.TextChoices):
    RECORDED = "recorded", "组织部登记（书面、来电等）"
    ONLINE = "online", "网上提交"


class ObjectionOutcome(models.TextChoices):
    REJECTED = "rejected", "驳回"
    PARTIAL = "partial", "部分采纳"
    UPHELD = "upheld", "采纳"


class Objection(models.Model):
    """An objection received during the 公示 (filed online by anyone, or recorded by 组织部) and its answer.

    Only 组织部 sees objections; the objector follows theirs with the receipt code shown once when filing
    (only its SHA-256 is stored)."""

    track = models.ForeignKey(JudgingTrack, on_delete=models.CASCADE, related_name="objections")
    entry = models.ForeignKey("submissions.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name="涉及项目")
    source = models.CharField("来源", max_length=10, choices=ObjectionSource.choices, default=ObjectionSource.RECORDED)
    name = models.CharField("姓名（实名）", max_length=30, blank=True)
    unit = models.CharField("所在单位", max_length=60, blank=True)
    contact = models.CharField("联系方式", max_length=60, blank=True)
    received_on = models.DateField("收到日期")
    content = models.TextField("异议内容", max_length=2000)
    receipt_hash = models.CharField("回执码摘要", max_length=64, blank=True, db_index=True, editable=False)
    outcome = models.CharField("处理结果", max_length=10, choices=ObjectionOutcome.choices, blank=True)
    handling = models.TextField("处理情况", max_length=2000, blank=True)
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="处理人")
    entry_withdrawn_at = models.DateTimeField("据此撤销拟表彰项目的时间", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["received_on", "id"]

    def __str__(self):
        return f"异议（{self.received_on:%Y-%m-%d}）"


class Award(models.Model):
    """A published result: one of the 十佳, with next year's 建设经费."""

    track = models.ForeignKey(JudgingTrack, on_delete=models.CASCADE, related_name="awards")
    entry = models.ForeignKey("submissions.Entry", on_delete=models.PROTECT, related_name="awards")
    place = models.PositiveSmallIntegerField("名次")
    final_score = models.DecimalField("最终得分", max_digits=7, decimal_places=2)
    amount = models.DecimalField("建设经费（元）", max_digits=10, decimal_places=2, default=0)

    class Meta:
        verbose_name = "评审结果"
        verbose_name_plural = "评审结果"
        ordering = ["track", "place"]
        constraints = [models.UniqueConstraint(fields=["track", "entry"], name="unique_award")]

    def __str__(self):
        return f"{self.track.get_track_display()} 第{self.place}名 · {self.entry.organization}"


class RoomState(models.TextChoices):
    SCORING = "scoring", "答辩评分中"
    REVEALED = "revealed", "已揭晓"
    FINISHED = "finished", "答辩结束"


class DefenceRoom(models.Model):
    """The live 现场答辩 room of a track's round 2: one entry at a time, judges score on their phones,
    the projector reveals the totals once every present judge has submitted. All state is here (the
    server), so a judge who reloads or loses the network resumes where the room is."""

    track = models.OneToOneField(JudgingTrack, on_delete=models.CASCADE, related_name="room", verbose_name="评审")
    state = models.CharField("状态", max_length=10, choices=RoomState.choices, default=RoomState.SCORING)
    order = models.JSONField("答辩顺序（项目 id）", default=list)
    position = models.PositiveSmallIntegerField("当前序号（从 0 起）", default=0)
    entry = models.ForeignKey("submissions.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name="当前答辩项目")
    timer_started_at = models.DateTimeField("汇报计时开始", null=True, blank=True)
    absent = models.JSONField("缺席评委（用户 id）", default=list, blank=True)
    revealed_at = models.DateTimeField("揭晓时间", null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "现场答辩室"
        verbose_name_plural = "现场答辩室"

    def __str__(self):
        return f"{self.track} · 现场答辩室"
