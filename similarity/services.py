"""Every write of 材料查重: fingerprint texts (incrementally), compare, store matches, the threshold, runs."""

import logging
from datetime import timedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit import log as audit
from core.tasks import enqueue_on_commit

from . import engine, sources
from .models import CampaignSetting, Match, Run, RunStatus, Text

log = logging.getLogger(__name__)
POOL_BATCH = 500
STALE_RUN = timedelta(hours=2)  # a run still "queued/running" after this was lost (worker restarted)
MIN_PERCENT = 0.5  # below this a pair is not kept (one stock sentence in a long report)


# ---------------------------------------------------------------- fingerprints


SYNC_BATCH = 200


def sync(source_list):
    """Create or refresh the Text of each source. Only a changed source is re-read, only a changed
    text is re-hashed. Returns (texts, number hashed). Written in batches, one transaction each."""
    texts, hashed = [], 0
    for i in range(0, len(source_list), SYNC_BATCH):
        with transaction.atomic():
            batch_texts, batch_hashed = _sync_batch(source_list[i:i + SYNC_BATCH])
        texts += batch_texts
        hashed += batch_hashed
    return texts, hashed


def _sync_batch(source_list):
    existing = {(t.kind, t.object_id): t for t in
                Text.objects.filter(kind__in={s.kind for s in source_list},
                                    object_id__in={s.object_id for s in source_list})}
    texts, hashed = [], 0
    for s in source_list:
        t = existing.get(s.key)
        owner = dict(campaign_id=s.campaign_id, year=s.year, organization_id=s.organization_id,
                     college_id=s.college_id, entry_id=s.entry_id, label=s.label[:200])
        if t is not None and t.source_hash == s.source_hash:
            if any(getattr(t, k) != v for k, v in owner.items()):
                for k, v in owner.items():
                    setattr(t, k, v)
                t.save(update_fields=[*owner, "updated_at"])
            texts.append(t)
            continue
        body, note = s.produce()
        chash = engine.content_hash(body)
        if t is None:
            t = Text(kind=s.kind, object_id=s.object_id)
        for k, v in owner.items():
            setattr(t, k, v)
        t.source_hash, t.note = s.source_hash, note
        if t.content_hash != chash or t.pk is None:
            t.body, t.content_hash = body, chash
            t.length = len(engine.normalise(body))
            t.signatures = engine.pack(engine.signatures(body))
            hashed += 1
        t.save()
        texts.append(t)
    return texts, hashed


# ---------------------------------------------------------------- comparison


def allowed(a_year, a_college, b_year, b_college):
    """Same-year materials of one 院级 org (its 附件1, its branches' rows, its 附件3 and files) reuse
    each other by design; everything else is compared: other orgs this year, anyone in other years."""
    return not (a_year == b_year and a_college == b_college)


def compare(texts):
    """Compare `texts` with every stored text; replace all their matches. Returns the number of pairs
    measured exactly."""
    texts = [t for t in texts if t.pk]
    if not texts:
        return 0
    by_id = {t.pk: t for t in texts}
    index = engine.CandidateIndex()
    for t in texts:
        index.add(t.pk, engine.unpack(t.signatures))
    pairs = {(a, b) for a, b in index.internal_pairs()
             if allowed(by_id[a].year, by_id[a].college_id, by_id[b].year, by_id[b].college_id)}
    pool = (Text.objects.exclude(length=0).exclude(pk__in=list(by_id))
            .values_list("pk", "year", "college_id", "signatures"))
    for pk, year, college_id, sigs in pool.iterator(chunk_size=POOL_BATCH):
        for tid in index.candidates(engine.unpack(sigs)):
            t = by_id[tid]
            if tid != pk and allowed(t.year, t.college_id, year, college_id):
                pairs.add((min(tid, pk), max(tid, pk)))
    bodies = {t.pk: (t.body, t.content_hash) for t in texts}
    need = {pk for pair in pairs for pk in pair} - bodies.keys()
    for pk, body, chash in Text.objects.filter(pk__in=need).values_list("pk", "body", "content_hash"):
        bodies[pk] = (body, chash)
    sentence_cache = {}

    def sents(pk):
        if pk not in sentence_cache:
            sentence_cache[pk] = engine.sentences(bodies[pk][0])
        return sentence_cache[pk]

    rows = []
    for a, b in sorted(pairs):
        ov = engine.overlap(bodies[a][0], bodies[b][0], sents(a), sents(b))
        if ov.percent_a >= MIN_PERCENT:
            rows.append(Match(text_id=a, other_id=b, percent=ov.percent_a, passages=ov.passages,
                              text_hash=bodies[a][1], other_hash=bodies[b][1]))
        if ov.percent_b >= MIN_PERCENT:
            rows.append(Match(text_id=b, other_id=a, percent=ov.percent_b, passages=engine.swap(ov.passages),
                              text_hash=bodies[b][1], other_hash=bodies[a][1]))
    ids = list(by_id)
    with transaction.atomic():
        Match.objects.filter(text_id__in=ids).delete()
        Match.objects.filter(other_id__in=ids).delete()
        Match.objects.bulk_create(rows, batch_size=500, update_conflicts=True, unique_fields=["text", "other"],
                                  update_fields=["percent", "passages", "text_hash", "other_hash", "computed_at"])
        for t in texts:
            Text.objects.filter(pk=t.pk, content_hash=t.content_hash).update(checked_hash=t.content_hash)
    return len(pairs)


def check_object(kind, pk):
    """After a submit: fingerprint the object's texts (an entry: with its documents) and compare them."""
    texts, _ = sync(sources.object_sources(kind, pk))
    return compare([t for t in texts if not t.is_checked])


def check_campaign(campaign, *, full=False):
    """Bulk check of a year, incremental: texts whose content has not changed since their last check
    are neither re-hashed nor re-compared (`full` re-compares all). Texts whose source is gone
    (a withdrawn entry, a removed file) are deleted with their matches."""
    found = sources.campaign_sources(campaign)
    texts, hashed = sync(found)
    keep = {s.key for s in found}
    stale = [t.pk for t in Text.objects.filter(campaign=campaign).only("kind", "object_id")
             if (t.kind, t.object_id) not in keep]
    if stale:
        Text.objects.filter(pk__in=stale).delete()
    todo = texts if full else [t for t in texts if not t.is_checked]
    return {"texts": len(texts), "hashed": hashed, "checked": len(todo), "pairs": compare(todo)}


# ---------------------------------------------------------------- settings and runs


def setting_for(campaign):
    return CampaignSetting.objects.filter(campaign=campaign).first() or CampaignSetting(campaign=campaign)


@transaction.atomic
def set_threshold(campaign, value, *, by):
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationError("阈值请填写 1 到 100 之间的整数。") from None
    if not 1 <= value <= 100:
        raise ValidationError("阈值请填写 1 到 100 之间的整数。")
    setting, _ = CampaignSetting.objects.select_for_update().get_or_create(campaign=campaign)
    old = setting.threshold
    setting.threshold, setting.updated_by = value, by
    setting.save()
    audit.record(by, setting, "update", {"threshold": [old, value]})
    return setting


@transaction.atomic
def request_run(campaign, *, by, full=False):
    """The 组织部 button: queue a bulk check of the year (one at a time per campaign)."""
    from . import tasks

    since = timezone.now() - STALE_RUN
    busy = Run.objects.select_for_update().filter(campaign=campaign, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
    Run.objects.filter(pk__in=busy.filter(created_at__lt=since).values("pk")).update(
        status=RunStatus.FAILED, error="超时未完成（查重进程可能已中断），已允许重新发起。", finished_at=timezone.now())
    if busy.filter(created_at__gte=since).exists():
        raise ValidationError("本年度的查重正在进行，请等待完成后再发起。")
    run = Run.objects.create(campaign=campaign, full=bool(full), requested_by=by)
    audit.record(by, run, "create", {"status": ["", run.status]}, note="发起材料查重")
    enqueue_on_commit(tasks.run_campaign, run.pk, background=True, on_failure=lambda: _fail(run.pk, "无法排队"))
    return run


def _fail(run_pk, message):
    Run.objects.filter(pk=run_pk).update(status=RunStatus.FAILED, error=message, finished_at=timezone.now())


def execute_run(run_pk):
    """Body of the bulk task: idempotent (a finished run is left as it is)."""
    with transaction.atomic():
        run = Run.objects.select_for_update().select_related("campaign").filter(pk=run_pk).first()
        if run is None or run.status != RunStatus.QUEUED:
            return run
        run.status, run.started_at = RunStatus.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
    try:
        stats = check_campaign(run.campaign, full=run.full)
    except Exception as exc:  # noqa: BLE001 - recorded on the run, shown to 组织部
        log.exception("similarity run %s failed", run_pk)
        _fail(run_pk, f"{type(exc).__name__}: {exc}"[:500])
        return Run.objects.get(pk=run_pk)
    Run.objects.filter(pk=run_pk).update(status=RunStatus.DONE, finished_at=timezone.now(), **stats)
    run.refresh_from_db()
    return run
