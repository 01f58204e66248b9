"""Every state change of the showcase: pick (snapshot), publish, unpublish, award, booklets.

Each change is transactional and leaves an audit entry (audit.log.record)."""

import os

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audit.log import record
from core import jobs
from core.tasks import enqueue_on_commit
from organizations.models import Level
from submissions.models import Entry, Form1, Form2Row, Outcome

from . import policy
from .models import Award, Booklet, BookletStatus, Bundle, ItemKind, ItemOutcome, ShowcaseItem

IMAGE_KINDS = {"jpeg", "png"}


def college_of(org):
    return org if org.level == Level.COLLEGE else org.parent


def _sources(item):
    """(form1, form2_row, entry) for the item's org/year, whatever their state."""
    form1 = row = None
    if item.kind == ItemKind.BRAND:
        form1 = Form1.objects.filter(campaign=item.campaign, organization=item.organization).first()
    else:
        row = (Form2Row.objects.filter(form__campaign=item.campaign, branch=item.organization)
               .select_related("form").first())
    entry = (Entry.objects.filter(campaign=item.campaign, organization=item.organization, track=item.kind)
             .select_related("video", "case_doc", "experience_doc").prefetch_related("evidence").first())
    return form1, row, entry


def _copy_logo(item, form1):
    if not (form1 and form1.logo):
        if item.logo:
            item.logo.delete(save=False)
        return
    try:
        with form1.logo.open("rb") as fh:
            data = fh.read()
    except OSError:
        return
    ext = os.path.splitext(form1.logo.name)[1].lower() or ".png"
    if item.logo:
        item.logo.delete(save=False)
    item.logo.save(f"logo-{item.pk}{ext}", ContentFile(data), save=False)


def take_snapshot(item):
    """Copy the current text and files of the item's sources onto the item (and its outcomes)."""
    form1, row, entry = _sources(item)
    org = item.organization
    item.form1, item.form2_row, item.entry = form1, row, entry
    item.org_name, item.org_type = org.name, org.org_type
    if form1 is not None:
        item.title = form1.brand_name or (entry.title if entry else "")
        item.slogan = form1.slogan
        item.connotation = form1.connotation
        item.measures = form1.measures
        item.results = form1.expected_results
        item.logo_meaning = form1.logo_meaning
    elif row is not None:
        item.title = row.feature_name or (entry.title if entry else "")
        item.slogan = ""
        item.connotation = row.feature_intro
        item.measures = row.carriers
        item.results = row.expected_results
    elif entry is not None:
        item.title = entry.title
    if not item.title:
        raise ValidationError("该党组织尚未填写品牌/特色名称，无法收录。")
    item.overview = entry.overview if entry else ""
    previous_video = item.video_id
    item.video = entry.video if entry and entry.video_id and entry.video.is_video else None
    if item.pk is None:
        item.save()
    _copy_logo(item, form1)
    item.snapshot_at = timezone.now()

    photos, documents = [], []
    if entry is not None:
        photos += [a for a in entry.evidence.all() if a.kind in IMAGE_KINDS]
        documents += [a for a in (entry.experience_doc, entry.case_doc) if a is not None]
    item.outcomes.all().delete()
    outcomes = (Outcome.objects.filter(campaign=item.campaign, organization=org)
                .prefetch_related("attachments").order_by("date", "id"))
    new = []
    for i, o in enumerate(outcomes):
        docs = [a for a in o.attachments.all() if a.kind not in IMAGE_KINDS and a.kind != "mp4"]
        photos += [a for a in o.attachments.all() if a.kind in IMAGE_KINDS]
        documents += docs
        new.append(ItemOutcome(item=item, outcome_type=o.outcome_type, title=o.title, date=o.date,
                               body=o.description, document=docs[0] if docs else None, sort_order=i))
    if entry is not None and entry.experience_doc_id:
        new.append(ItemOutcome(item=item, outcome_type=ItemOutcome.Type.EXPERIENCE, title=f"{item.title}：典型经验",
                               body=entry.overview, document=entry.experience_doc, sort_order=len(new)))
    ItemOutcome.objects.bulk_create(new)
    item.photos.set(photos[:12])
    item.documents.set(documents)
    item.search_text = build_search_text(item, new)
    if not item.video_id:
        if item.poster:
            item.poster.delete(save=False)
    item.save()
    if item.video_id and (item.video_id != previous_video or not item.poster):
        from .tasks import make_poster

        enqueue_on_commit(make_poster, item.pk)
    return item


def build_search_text(item, outcomes):
    parts = [item.org_name, item.title, item.slogan, item.connotation, item.measures, item.results, item.overview]
    for o in outcomes:
        parts += [o.title, o.body]
    return "\n".join(p for p in parts if p)


@transaction.atomic
def pick(campaign, organization, kind, by):
    """组织部 picks an org's brand (院级) or 特色 (支部) for the showcase: a snapshot, not yet published."""
    policy.YEAR.require("pick", by, campaign)
    if kind == ItemKind.BRAND and organization.level != Level.COLLEGE:
        raise ValidationError("党建品牌只能来自院(处)级党组织。")
    if kind == ItemKind.BRANCH and organization.level != Level.BRANCH:
        raise ValidationError("特色支部只能来自党支部。")
    item, created = ShowcaseItem.objects.select_for_update().get_or_create(
        campaign=campaign, organization=organization, kind=kind,
        defaults={"year": campaign.year, "college": college_of(organization), "org_name": organization.name,
                  "org_type": organization.org_type, "title": "-"},
    )
    take_snapshot(item)
    note = "收录到成果展示（采集申报材料快照）" if created else "从申报材料更新展示内容"
    if created:
        award = judged_award(item)
        if award:
            item.award = award
            item.save(update_fields=["award", "updated_at"])
            note += f"；按已公布的评审结果标注“{item.award_label}”"
    record(by, item, "create" if created else "update", organization=organization, note=note)
    return item


def judged_award(item):
    """The 十佳 badge from the judging app's published results (reviews.Award), or ""."""
    from reviews.models import Award as JudgingAward
    from reviews.models import Stage

    if item.entry_id is None:
        return ""
    won = JudgingAward.objects.filter(entry_id=item.entry_id, track__stage=Stage.PUBLISHED).exists()
    if not won:
        return ""
    return Award.BRAND_TOP10 if item.kind == ItemKind.BRAND else Award.BRANCH_TOP10


@transaction.atomic
def refresh(item, by):
    item = ShowcaseItem.objects.select_for_update().get(pk=item.pk)
    policy.ITEM.require("refresh", by, item)
    take_snapshot(item)
    record(by, item, "update", organization=item.organization, note="从申报材料更新展示内容")
    return item


@transaction.atomic
def publish(item, by, award=None):
    item = ShowcaseItem.objects.select_for_update().get(pk=item.pk)
    policy.ITEM.require("publish", by, item)
    changes = {}
    if award is not None and award != item.award:
        _check_award(item, award)
        changes["award"] = [item.award, award]
        item.award = award
    if item.is_published and not changes:
        return item
    if not item.is_published:
        changes["is_published"] = [False, True]
    item.is_published = True
    item.published_at = timezone.now()
    item.published_by = by
    item.save()
    record(by, item, "publish", changes=changes, organization=item.organization)
    return item


@transaction.atomic
def unpublish(item, by, note=""):
    item = ShowcaseItem.objects.select_for_update().get(pk=item.pk)
    policy.ITEM.require("unpublish", by, item)
    if not item.is_published:
        return item
    item.is_published = False
    item.save(update_fields=["is_published", "updated_at"])
    record(by, item, "unpublish", changes={"is_published": [True, False]}, organization=item.organization, note=note)
    return item


def _check_award(item, award):
    allowed = {ItemKind.BRAND: {Award.NONE, Award.BRAND_TOP10}, ItemKind.BRANCH: {Award.NONE, Award.BRANCH_TOP10}}
    if award not in allowed[item.kind]:
        raise ValidationError("该类别不能授予此荣誉。")


@transaction.atomic
def set_award(item, award, by):
    """Set the 十佳 badge. The judging app (reviews) calls this when it publishes its results."""
    item = ShowcaseItem.objects.select_for_update().get(pk=item.pk)
    policy.ITEM.require("set_award", by, item)
    _check_award(item, award)
    if award == item.award:
        return item
    old, item.award = item.award, award
    item.save(update_fields=["award", "updated_at"])
    record(by, item, "set_award", changes={"award": [old, award]}, organization=item.organization)
    return item


@transaction.atomic
def create_booklet(campaign, items, by, title=""):
    policy.YEAR.require("create_booklet", by, campaign)
    items = list(items)
    if not items:
        raise ValidationError("请至少选择一个条目。")
    if any(i.campaign_id != campaign.pk for i in items):
        raise ValidationError("所选条目必须属于同一年度。")
    if any(not i.is_published for i in items):
        raise ValidationError("只能收录已发布的条目。")
    booklet = Booklet.objects.create(campaign=campaign, title=title or f"{campaign.year}年度党建特色品牌创建成果汇编",
                                     created_by=by)
    booklet.items.set(items)
    record(by, booklet, "create", organization=None, note=f"生成成果汇编（{len(items)} 个条目）")
    jobs.dispatch(jobs.BOOKLET, booklet.pk)  # after commit; a broker outage leaves it "排队中"
    return booklet


def retry_booklet(booklet, by):
    """重试 a failed booklet (core.jobs.retry: audited, queued after commit); the BOOKLET policy says who and when."""
    policy.BOOKLET.require("retry", by, booklet)
    if not jobs.retry(jobs.BOOKLET, booklet, by, record=record):
        raise ValidationError("只有生成失败的汇编可以重试。")


@transaction.atomic
def create_bundle(campaign, by):
    """导出静态网页包: a job row, built in the background (core.jobs; "排队中" while the broker is down)."""
    policy.YEAR.require("create_bundle", by, campaign)
    if not ShowcaseItem.objects.published().filter(campaign=campaign).exists():
        raise ValidationError("本年度尚无已发布的展示条目，无法导出静态网页包。")
    bundle = Bundle.objects.create(campaign=campaign, created_by=by)
    record(by, bundle, "create", organization=None, note=f"导出{campaign.year}年度静态网页包")
    jobs.dispatch(jobs.BUNDLE, bundle.pk)
    return bundle


def retry_bundle(bundle, by):
    """重试 a failed bundle (core.jobs.retry: audited, queued after commit); the BUNDLE policy says who and when."""
    policy.BUNDLE.require("retry", by, bundle)
    if not jobs.retry(jobs.BUNDLE, bundle, by, record=record):
        raise ValidationError("只有生成失败的网页包可以重试。")


def set_booklet_progress(booklet, progress, note="", status=BookletStatus.RUNNING):
    Booklet.objects.filter(pk=booklet.pk).update(progress=progress, progress_note=note, status=status,
                                                 heartbeat_at=timezone.now())
    booklet.progress, booklet.progress_note, booklet.status = progress, note, status
