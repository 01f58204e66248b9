"""Reads for judging: constant query counts, conflicts computed in bulk."""

import contextvars
import hashlib
import logging
import time
from contextlib import contextmanager
from dataclasses import fields
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, Subquery

from campaigns.queries import remember
from core.sql import PreparedModels, PreparedQuery
from organizations import roles
from organizations.models import Level, Role, RoleAssignment
from submissions.models import Entry, EntryState

from . import aggregation
from .models import Assignment, CommitteeVote, Criterion, DeclaredConflict, JudgingTrack, Round, ScoreSheet, Stage
from .policy import SHEET_SUBMITTED_AT, known_judges

SCORING_STAGES = {Stage.SCORING, Stage.ROUND2}
logger = logging.getLogger(__name__)


def tracks_for(campaign):
    if campaign is None:
        return []
    return list(JudgingTrack.objects.filter(campaign=campaign).select_related("campaign").order_by("-track"))


def entries_for(track):
    """Entries that passed the formal check: the only ones that go to judging."""
    return list(
        Entry.objects.filter(campaign_id=track.campaign_id, track=track.track, state=EntryState.PASSED)
        .select_related("organization", "organization__parent", "college")
        .order_by("college__sort_order", "rank", "pk")
    )


def _rubric(load, round_):
    """load(round_), or round 1's for a round 2 that has no rubric of its own."""
    rows = load(round_)
    if not rows and round_ == Round.DEFENCE:
        rows = load(Round.MATERIALS)
    return rows


def criteria_for(track, round_=Round.MATERIALS):
    """The rubric of one round. A track whose 现场答辩 rubric was never set (created before round 2 had
    its own rubric) scores round 2 on the round-1 rubric, as it always did."""
    return _rubric(lambda r: list(Criterion.objects.filter(track=track, round=r).order_by("sort_order", "id")), round_)


class CriterionRow(NamedTuple):
    """A criterion as the scoring page shows it (criteria_rows)."""
    pk: int
    name: str
    description: str
    max_points: int


_CRITERIA = PreparedQuery(lambda track, round: Criterion.objects.filter(track_id=track, round=round)
                          .order_by("sort_order", "id").values_list("pk", "name", "description", "max_points"),
                          "track", "round")


def criteria_rows(track, round_=Round.MATERIALS):
    """criteria_for() as CriterionRow tuples, for the scoring page (every view asks it; one query compiled once)."""
    return [CriterionRow(*row) for row in _rubric(lambda r: _CRITERIA.rows(track=track.pk, round=r), round_)]


def has_own_round2_rubric(track):
    return Criterion.objects.filter(track=track, round=Round.DEFENCE).exists()


def judges_for(track):
    return list(track.judges.order_by("username"))


def entry_code(entry):
    """The anonymous label judges see in blind mode."""
    prefix = "P" if entry.track == "brand" else "Z"
    return f"{prefix}-{entry.pk:04d}"


# ---------------------------------------------------------------- conflicts (回避)


def home_orgs(judge_ids):
    """{judge_id: [(org_id, parent_id, level)]} from active JUDGE role assignments."""
    homes = {}
    rows = RoleAssignment.objects.active().filter(
        user_id__in=list(judge_ids), role=Role.JUDGE, organization__isnull=False
    ).values_list("user_id", "organization_id", "organization__parent_id", "organization__level")
    for user_id, org_id, parent_id, level in rows:
        homes.setdefault(user_id, []).append((org_id, parent_id, level))
    return homes


def auto_conflict(homes, entry_org_id, entry_parent_id):
    """回避 reason if any home org is the entry's org, its parent or one of its children.

    A home org at school level (校党委) is the parent of every 院级 org, so it does not by itself
    make a judge conflicted with every entry."""
    for org_id, parent_id, level in homes:
        if level == Level.SCHOOL:
            continue
        if org_id == entry_org_id:
            return "评委所在党组织即申报单位"
        if org_id == entry_parent_id:
            return "评委所在党组织是申报单位的上级党组织"
        if parent_id == entry_org_id:
            return "评委所在党组织是申报单位的下级党组织"
    return ""


def auto_conflict_test(homes):
    """auto_conflict(homes, org, parent) as a yes/no test for many entries of one judge: the home orgs become two
    sets once, so each entry costs three set lookups (the scoring page and the queue ask it for every row)."""
    own = {org_id for org_id, _parent, level in homes if level != Level.SCHOOL}
    parents = {parent_id for _org, parent_id, level in homes if level != Level.SCHOOL and parent_id is not None}
    return lambda entry_org_id, entry_parent_id: (
        entry_org_id in own or entry_parent_id in own or entry_org_id in parents)


def conflict_map(track, judge_ids, entries, homes=None):
    """{(judge_id, entry_id): reason} for automatic and declared conflicts (homes: home_orgs(judge_ids))."""
    homes = home_orgs(judge_ids) if homes is None else homes
    out = {}
    for j in judge_ids:
        for e in entries:
            reason = auto_conflict(homes.get(j, []), e.organization_id, e.organization.parent_id)
            if reason:
                out[(j, e.pk)] = reason
    for d in DeclaredConflict.objects.filter(track=track, judge_id__in=list(judge_ids)):
        out[(d.judge_id, d.entry_id)] = f"本人申报回避：{d.reason}"
    return out


def home_orgs_of(user):
    """home_orgs([user.pk])[user.pk] from the role assignments cached on the user object (organizations.roles):
    no query of its own when the request has already read the user's roles (the navigation does)."""
    return [(a.organization_id, a.organization.parent_id, a.organization.level)
            for a in roles.assignments(user) if a.role == Role.JUDGE and a.organization_id]


def declared_conflicts(judge, track):
    """{entry_id: reason} of the 回避 the judge declared in this track; read once per GET request."""
    return remember(("declared_conflicts", judge.pk, track.pk),
                    lambda: dict(_DECLARED.rows(track=track.pk, judge=judge.pk)))


_DECLARED = PreparedQuery(lambda track, judge: DeclaredConflict.objects.filter(track_id=track, judge_id=judge)
                          .values_list("entry_id", "reason"), "track", "judge")


def conflict_reason(track, judge, entry):
    """Why the judge must not judge the entry ("" if nothing). track: the entry's JudgingTrack (its declared
    回避 are read once per GET request), or None to look the declared 回避 up by the entry alone."""
    reason = auto_conflict(home_orgs_of(judge), entry.organization_id, entry.organization.parent_id)
    if reason:
        return reason
    declared = (declared_conflicts(judge, track) if track is not None else
                dict(DeclaredConflict.objects.filter(judge=judge, entry=entry).values_list("entry_id", "reason")))
    return f"本人申报回避：{declared[entry.pk]}" if entry.pk in declared else ""


def all_conflicts(track):
    judges = judges_for(track)
    entries = entries_for(track)
    by_id = {e.pk: e for e in entries}
    jmap = {j.pk: j for j in judges}
    cmap = conflict_map(track, list(jmap), entries)
    declared = {(d.judge_id, d.entry_id): d for d in DeclaredConflict.objects.filter(track=track).select_related("declared_by")}
    rows = []
    for (j, e), reason in sorted(cmap.items()):
        rows.append({"judge": jmap[j], "entry": by_id[e], "reason": reason, "declared": declared.get((j, e))})
    return rows


# ---------------------------------------------------------------- judges' queues


QUEUE_ORDER = ("round", "entry__college__sort_order", "entry__rank", "entry__pk")
_STATE_ICON = {"abstained": "bi-slash-circle text-secondary", "complete": "bi-check-circle-fill text-success",
               "open": "bi-circle text-danger"}


def judge_queue(user, track):
    """The judge's own assignments in this track (both rounds), conflicted ones left out: the models, for the
    services, the score sheet PDF and the to-do list (the queue page reads judge_queue_rows)."""
    assignments = list(Assignment.objects.filter(track=track, judge=user).order_by(*QUEUE_ORDER).select_related(
        "entry", "entry__organization", "entry__organization__parent", "entry__college", "entered_by"))
    conflicts = conflict_map(track, [user.pk], [a.entry for a in assignments],
                             homes={user.pk: home_orgs_of(user)})
    return [a for a in assignments if (user.pk, a.entry_id) not in conflicts]


# (pk, entry_id, complete, abstained, org_id, parent_id) of a judge's round, in queue order: compiled once
# (core.sql; complete/abstained are 0/1 on SQLite, read as truthy)
_QUEUE_NAV = PreparedQuery(lambda track, judge, round: (
    Assignment.objects.filter(track_id=track, judge_id=judge, round=round).order_by(*QUEUE_ORDER)
    .values_list("pk", "entry_id", "complete", "abstained", "entry__organization_id",
                 "entry__organization__parent_id")), "track", "judge", "round")


class QueueNav(NamedTuple):
    position: int  # 1-based place of the assignment in the judge's queue of its round
    count: int
    prev: int | None  # pk of the assignment before it
    next: int | None  # pk of the next one not yet scored or abstained, after it and then from the top


def judge_queue_nav(user, assignment):
    """Where the assignment stands in its judge's queue of its round, for the scoring page's "第 n / m 项"
    and its prev/next links.

    Same order and the same conflicted entries left out as judge_queue, without building the
    assignments, their entries and organisations: one query of a few columns per row, no object per row."""
    rows = _QUEUE_NAV.rows(track=assignment.track_id, judge=user.pk, round=assignment.round)
    conflicted = auto_conflict_test(home_orgs_of(user))
    declared = declared_conflicts(user, assignment.track)
    ids, done = [], []
    for pk, entry_id, complete, abstained, org_id, parent_id in rows:
        if entry_id not in declared and not conflicted(org_id, parent_id):
            ids.append(pk)
            done.append(complete or abstained)
    idx = ids.index(assignment.pk) if assignment.pk in ids else 0
    order = [*range(idx + 1, len(ids)), *range(idx)]
    nxt = next((ids[i] for i in order if not done[i]), None)
    return QueueNav(position=idx + 1, count=len(ids), prev=ids[idx - 1] if idx > 0 else None, next=nxt)


# What the scoring page, its permission rule and the ASSIGNMENT policy read: the whole assignment, the track's
# stage and window, the entry as the judge sees it, the names of its org and college and the files' links.
# A tenth of the columns select_related() would load (221): compiling and reading those was a third of
# the page's time (docs/performance.md). A field read later that is not here costs one query, which the
# scoring page's query-count test would show.
_FILE = ("uuid", "original_name", "kind", "duration_seconds")
SCORE_PAGE_FIELDS = (
    *(f.name for f in Assignment._meta.concrete_fields),
    *(f"track__{f}" for f in ("campaign", "track", "stage", "opens_at", "closes_at", "blind", "version")),
    *(f"entry__{f}" for f in ("campaign", "track", "organization", "college", "rank", "state", "title", "leader",
                               "members", "started_on", "honours", "overview", "version", "experience_doc",
                               "case_doc", "video", "summary_report")),
    "entry__organization__name", "entry__organization__parent", "entry__organization__level",
    "entry__college__name",
    *(f"entry__{doc}__{f}" for doc in ("experience_doc", "case_doc", "video", "summary_report") for f in _FILE),
)

# Two facts the page's rules ask, read in the same query: is the assignment's judge still one of the track's
# judges (policy.judges_track), and the submitted_at of their score sheet for the round (policy._sheet_not_locked).
_SCORE_PAGE_FACTS = {
    "judge_on_track": Exists(JudgingTrack.judges.through.objects.filter(
        judgingtrack_id=OuterRef("track_id"), user_id=OuterRef("judge_id"))),
    SHEET_SUBMITTED_AT: Subquery(ScoreSheet.objects.filter(
        track_id=OuterRef("track_id"), judge_id=OuterRef("judge_id"), round=OuterRef("round")).values("submitted_at")[:1]),
}

# compiled once per process (core.sql): through the ORM this one query was 1.5 ms of the page's ~9
_SCORE_PAGE_ASSIGNMENT = PreparedModels(lambda pk: Assignment.objects.filter(pk=pk).select_related(
    "track", "entry", "entry__organization", "entry__college", "entry__experience_doc", "entry__case_doc",
    "entry__video", "entry__summary_report").only(*SCORE_PAGE_FIELDS).annotate(**_SCORE_PAGE_FACTS), "pk")


def score_page_assignment(pk):
    """The scoring page's assignment (SCORE_PAGE_FIELDS, with the two facts), or None. The facts are handed to
    the policy, so its permission rule and the ASSIGNMENT row ask no more queries for them."""
    found = _SCORE_PAGE_ASSIGNMENT.objects(pk=pk)
    if not found:
        return None
    a = found[0]
    known_judges(a.track, {a.judge_id: a.judge_on_track})
    return a


def judge_queue_rows(user, track):
    """The judge's queue page of one track as light rows (both rounds; same order and the same conflicted
    entries left out as judge_queue): one values() query, no model instances. Each row carries what the
    page shows: the label (blind: the anonymous code), the title, the state's icon and wording."""
    from types import SimpleNamespace

    from django.utils.formats import localize

    rows = (Assignment.objects.filter(track=track, judge=user).order_by(*QUEUE_ORDER)
            .values_list("pk", "round", "complete", "abstained", "total", "points", "entry_id", "entry__track",
                         "entry__title", "entry__organization__name", "entry__organization_id",
                         "entry__organization__parent_id"))
    conflicted = auto_conflict_test(home_orgs_of(user))
    declared = declared_conflicts(user, track)
    out = []
    for pk, round_, complete, abstained, total, points, entry_id, kind, title, org_name, org_id, parent_id in rows:
        if entry_id in declared or conflicted(org_id, parent_id):
            continue
        state = "abstained" if abstained else "complete" if complete else "open"
        status = "弃权" if abstained else f"{localize(total)} 分" if complete else "部分评分" if points else "未评"
        code = f"{'P' if kind == 'brand' else 'Z'}-{entry_id:04d}"  # entry_code()
        out.append(SimpleNamespace(
            pk=pk, round=round_, complete=complete, abstained=abstained, done=complete or abstained,
            entry_id=entry_id, title=title, label=f"项目 {code}" if track.blind else org_name,
            icon=_STATE_ICON[state], status=status))
    return out


def judge_tracks(user):
    """Tracks where the user is a judge, with their sheets."""
    # 党建品牌 before 特色支部
    tracks = list(JudgingTrack.objects.filter(judges=user).select_related("campaign").order_by("-campaign__year", "-track"))
    sheets = {(s.track_id, s.round): s for s in ScoreSheet.objects.filter(judge=user, track__in=tracks)}
    return tracks, sheets


def sheet_for(track, judge, round_):
    return ScoreSheet.objects.filter(track=track, judge=judge, round=round_).first()


def progress(track):
    """Per judge and round: assigned, done, abstained, submitted."""
    rows = (
        Assignment.objects.filter(track=track)
        .values("judge_id", "round")
        .annotate(
            n=Count("id"),
            done=Count("id", filter=Q(complete=True) | Q(abstained=True)),
            abstained=Count("id", filter=Q(abstained=True)),
        )
    )
    sheets = {(s.judge_id, s.round): s for s in ScoreSheet.objects.filter(track=track)}
    judges = {j.pk: j for j in judges_for(track)}
    out = []
    for r in rows:
        judge = judges.get(r["judge_id"])
        if judge is None:
            continue
        out.append({**r, "judge": judge, "sheet": sheets.get((r["judge_id"], r["round"]))})
    out.sort(key=lambda r: (r["round"], r["judge"].username))
    return out


# ---------------------------------------------------------------- ranking


def _score_rows(track):
    """The counted assignments' (entry, judge, round, total, points), in a deterministic order without joins
    (the aggregation does not depend on the order: its sums are math.fsum, its lists are sorted)."""
    return list(Assignment.objects.filter(track=track, complete=True, abstained=False)
                .order_by("round", "judge_id", "entry_id")
                .values_list("entry_id", "judge_id", "round", "total", "points"))


def scores_for(track, criteria=None, rows=None):
    """Counted scores (complete, not abstained) as aggregation.Score objects (points keyed by criterion code;
    criterion means are taken from round 1 only, see aggregation.rank)."""
    criteria = criteria if criteria is not None else criteria_for(track)
    code = {str(c.pk): c.code for c in criteria}
    rows = _score_rows(track) if rows is None else rows
    return [
        aggregation.Score(e, j, float(t), {code[k]: v for k, v in (p or {}).items() if k in code}, r)
        for e, j, r, t, p in rows
    ]


def rank_kwargs(track, criteria, criteria2=None):
    """criteria: the round-1 rubric; criteria2: the round-2 one (its full marks put round 2 on round 1's scale)."""
    max1 = sum(c.max_points for c in criteria) or 100
    max2 = sum(c.max_points for c in criteria2) if criteria2 else max1
    return {
        "max_total": max1,
        "round2_max": max2 or max1,
        "tie_break": list(track.tie_break or []),
        "votes": dict(CommitteeVote.objects.filter(track=track).values_list("entry_id", "votes")),
        "weights": (track.round1_weight, track.round2_weight) if track.second_round else (100, 0),
        "disagree_sd": float(track.disagree_sd),
    }


# The ranking page's cache of the aggregation. The key is a digest of every input of the aggregation as
# read in this request (the counted score rows, the entry ids in order, both rubrics' ids/codes/full
# marks, the votes, the track's counting settings), so a cached value is only ever used for exactly
# the inputs it was computed from: no write path (service, admin, .update(), shell) can leave it stale.
# One cache key per track and stability flag holds (digest, value): a new score overwrites it, so
# the cache holds at most one ranking per track. The value is plain tuples (pickles small, does not
# depend on the Result class being unchanged across a deploy).
RANKING_CACHE_TIMEOUT = 6 * 3600
_RESULT_FIELDS = tuple(f.name for f in fields(aggregation.Result))
_RANKING_CACHE_FORMAT = "v1:" + ",".join(_RESULT_FIELDS)


def _ranking_digest(track, ids, rows, criteria, criteria2, kwargs, with_stability):
    rubric = [(c.pk, c.code, c.max_points) for c in criteria]
    rubric2 = [(c.pk, c.code, c.max_points) for c in criteria2]
    counting = (track.aggregation, track.normalise, track.award_count, with_stability, kwargs["max_total"],
                kwargs["round2_max"], kwargs["tie_break"], kwargs["weights"], kwargs["disagree_sd"],
                sorted(kwargs["votes"].items()))
    src = repr((_RANKING_CACHE_FORMAT, counting, rubric, rubric2, ids, rows))
    return hashlib.blake2b(src.encode(), digest_size=20).hexdigest()


# After a cache error the page leaves the cache alone for a while (per process): a Redis that hangs
# would otherwise cost its socket timeouts (settings.CACHES) on every view.
RANKING_CACHE_RETRY = 30.0
_cache_down_until = 0.0


def _cache_failed(what):
    global _cache_down_until
    _cache_down_until = time.monotonic() + RANKING_CACHE_RETRY
    logger.warning("ranking cache %s failed; computing without it for %.0f s", what, RANKING_CACHE_RETRY,
                   exc_info=True)


def _cache_get(key):
    if time.monotonic() < _cache_down_until:
        return None
    try:
        return cache.get(key)
    except Exception:  # the cache (Redis) is down or the value is unreadable: compute instead
        _cache_failed("read")
        return None


def _cache_set(key, value):
    if time.monotonic() < _cache_down_until:
        return
    try:
        cache.set(key, value, RANKING_CACHE_TIMEOUT)
    except Exception:
        _cache_failed("write")


def _aggregate(track, ids, scores, kwargs, with_stability):
    memo = {}  # shared with the stability view: the normalised totals and the per-entry statistics
    results = aggregation.rank(ids, scores, rule=track.aggregation, normalise=track.normalise, _memo=memo, **kwargs)
    stab = (aggregation.stability(ids, scores, track.award_count, known={(track.aggregation, track.normalise): results},
                                  _memo=memo, **kwargs) if with_stability else {})
    return results, stab


def _cached_aggregate(track, ids, criteria, criteria2, kwargs, with_stability):
    """(results, stability, scores or None): from the cache when the inputs are the ones it was computed from."""
    rows = _score_rows(track)
    digest = _ranking_digest(track, ids, rows, criteria, criteria2, kwargs, with_stability)
    key = f"reviews:ranking:{track.pk}:{int(with_stability)}"
    hit = _cache_get(key)
    if isinstance(hit, tuple) and len(hit) == 3 and hit[0] == digest:
        try:
            results = [aggregation.Result(*t) for t in hit[1]]
            if sorted(r.entry_id for r in results) == sorted(ids) and isinstance(hit[2], dict):
                return results, hit[2], None
        except Exception:
            pass
        logger.warning("ranking cache value unusable for track %s", track.pk)
    scores = scores_for(track, criteria, rows)
    results, stab = _aggregate(track, ids, scores, kwargs, with_stability)
    _cache_set(key, (digest, [tuple(getattr(r, f) for f in _RESULT_FIELDS) for r in results], stab))
    return results, stab, scores


class LightEntry(NamedTuple):
    """An entry as the ranking page shows it (`organization` is the organisation's name)."""

    pk: int
    title: str
    organization: str


def ranking(track, with_stability=True, light=False, cached=False):
    """Everything the ranking page, the exports and the decision step need, in a fixed number of queries.

    light: the entries are LightEntry tuples with only what the ranking page shows (pk, title,
    organisation name), not model instances. cached: the aggregation may come from the cache (the ranking page; see
    _ranking_digest); the board's "scores" are then not loaded (None)."""
    if light:
        entries = [
            LightEntry(*row) for row in
            Entry.objects.filter(campaign_id=track.campaign_id, track=track.track, state=EntryState.PASSED)
            .order_by("college__sort_order", "rank", "pk").values_list("pk", "title", "organization__name")
        ]
    else:
        entries = entries_for(track)
    criteria = criteria_for(track)
    criteria2 = criteria_for(track, Round.DEFENCE) if track.second_round else []
    kwargs = rank_kwargs(track, criteria, criteria2)
    ids = [e.pk for e in entries]
    if cached:
        results, stab, scores = _cached_aggregate(track, ids, criteria, criteria2, kwargs, with_stability)
    else:
        scores = scores_for(track, criteria)
        results, stab = _aggregate(track, ids, scores, kwargs, with_stability)
    by_id = {e.pk: e for e in entries}
    counts = {  # entry: (materials-round assignments, abstentions of either round)
        e: (n, a) for e, n, a in Assignment.objects.filter(track=track).order_by().values("entry_id").annotate(
            n=Count("id", filter=Q(round=Round.MATERIALS)), a=Count("id", filter=Q(abstained=True))
        ).values_list("entry_id", "n", "a")
    }
    rows = [
        {"entry": by_id[r.entry_id], "r": r, "stability": stab.get(r.entry_id),
         "assigned": counts.get(r.entry_id, (0, 0))[0], "abstained": counts.get(r.entry_id, (0, 0))[1]}
        for r in results
    ]
    paper = {}
    for entry_id, name, username in (Assignment.objects.filter(track=track, entered_by__isnull=False).order_by()
                                     .values_list("entry_id", "entered_by__full_name", "entered_by__username")):
        paper.setdefault(entry_id, set()).add(name or username)
    for row in rows:
        row["entered_by"] = sorted(paper.get(row["entry"].pk, ()))
    return {"rows": rows, "criteria": criteria, "rule_labels": [aggregation.RULE_LABELS[k] for k in aggregation.RULES],
            "scores": scores, "criteria2": criteria2}


def score_matrix(track):
    """Every assignment with its judge, entry and points, for the XLSX (admins only)."""
    return list(
        Assignment.objects.filter(track=track)
        .select_related("judge", "entry", "entry__organization", "entry__college", "entered_by")
        .order_by("round", "entry__college__sort_order", "entry__rank", "entry__pk", "judge__username")
    )


def scores_from_history(track):
    """Replay the audit trail: {assignment_id: (points, abstained)} for the track's current assignments.

    Shows that the ranking inputs can be rebuilt from the history alone (score, abstain, unassign)."""
    from django.contrib.contenttypes.models import ContentType

    from audit.models import AuditEntry

    current = set(Assignment.objects.filter(track=track).values_list("pk", flat=True))
    state = {}
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Assignment), action__in=["score", "abstain", "unassign"]
    ).order_by("at", "id")
    for e in entries:
        pk = int(e.object_id)
        if pk not in current:
            continue
        points, abstained = state.get(pk, ({}, False))
        if "points" in e.changes:
            points = e.changes["points"][1] or {}
        if "abstained" in e.changes:
            abstained = e.changes["abstained"][1]
        state[pk] = (points, abstained)
    return state


# ---------------------------------------------------------------- 审定 (approval)


def awaiting_approval(campaign):
    """Tracks of a campaign whose proposed list waits for the 校领导's decision."""
    return [t for t in tracks_for(campaign) if t.stage == Stage.PROPOSED]


def approval_board(track, below=3):
    """What the approver decides on, in a fixed number of queries: each proposed entry with its place and
    score as proposed, its current spread (valid scores, standard deviation, disagreement), its place under
    the other counting rules (stability) and its formal-check result; then the next `below` entries.

    Returns {"rows": [...], "next": [...], "changed": bool} where `changed` says the live ranking no
    longer matches the proposal (scores or votes changed after it was proposed)."""
    from submissions.completeness import entry_missing

    board = ranking(track)
    live = {row["entry"].pk: row for row in board["rows"]}
    proposed = {p["entry"]: p for p in track.proposal or []}
    checks = {
        e.pk: e for e in Entry.objects.filter(pk__in=[*proposed, *live]).select_related("checked_by")
    }

    def line(entry_id, proposal=None):
        row = live.get(entry_id)
        entry = checks.get(entry_id)
        return {
            "proposal": proposal, "row": row, "entry": row["entry"] if row else entry,
            "check": entry, "missing": entry_missing(entry) if entry else [],
        }

    rows = [line(p["entry"], p) for p in track.proposal or []]
    rest = [r for r in board["rows"] if r["entry"].pk not in proposed and r["r"].place is not None]
    changed = any(
        x["row"] is None or x["row"]["r"].place != x["proposal"]["place"]
        or round(x["row"]["r"].final or 0, 2) != x["proposal"]["final"]
        for x in rows
    )
    return {"rows": rows, "next": [line(r["entry"].pk) for r in rest[:below]], "changed": changed,
            "criteria": board["criteria"], "rule_labels": board["rule_labels"]}


# ---------------------------------------------------------------- 公示 (public)


def public_tracks(campaign):
    """The campaign's tracks whose 公示 has been opened (公示中 or 结果已公布)."""
    return [t for t in tracks_for(campaign) if t.stage in {Stage.PUBLICITY, Stage.PUBLISHED}]


def proposal_rows(track):
    """The proposed list as shown in the 公示: [{place, final, entry}] with each entry's organization and college."""
    entries = Entry.objects.filter(pk__in=[p["entry"] for p in track.proposal or []]).select_related(
        "organization", "college", "organization__parent")
    by_id = {e.pk: e for e in entries}
    return [{"place": p["place"], "final": p["final"], "entry": by_id.get(p["entry"]), "name": p["name"]}
            for p in track.proposal or []]


# ---------------------------------------------------------------- guard rails: enough valid scores


def required_scores(track, n_judges=None):
    """The valid scores each eligible entry needs: the track's minimum, at most what the assignment plan gives
    an entry (judges per entry, or every judge). Counted before 去高去低 (which only drops scores from 5 on,
    so an entry never keeps fewer than min(minimum, 3) counted scores)."""
    planned = track.judges_per_entry or (n_judges if n_judges is not None else track.judges.count())
    return max(1, min(track.min_valid_scores or 1, planned or 1))


def rounds_checked(track):
    """The rounds whose scores must be complete for the track's next step: the round being closed, or at
    the 拟表彰名单 every round that counts."""
    if track.stage == Stage.SCORING:
        return [Round.MATERIALS]
    if track.stage == Stage.ROUND2:
        return [Round.DEFENCE]
    return [Round.MATERIALS, Round.DEFENCE] if track.second_round else [Round.MATERIALS]


def score_shortfall(track):
    """[{"entry", "round", "valid", "required"}] for eligible entries with fewer valid (complete, not abstained)
    scores than required, in the rounds the next step depends on. Round 2 concerns the shortlist only."""
    rounds = rounds_checked(track)
    required = required_scores(track)
    entries = entries_for(track)
    shortlisted = set(track.shortlist.values_list("pk", flat=True)) if Round.DEFENCE in rounds else set()
    counts = dict(
        ((e, r), n) for e, r, n in Assignment.objects.filter(track=track, round__in=rounds, complete=True, abstained=False)
        .values("entry_id", "round").annotate(n=Count("id")).values_list("entry_id", "round", "n")
    )
    short = []
    for r in rounds:
        for e in entries:
            if r == Round.DEFENCE and e.pk not in shortlisted:
                continue
            valid = counts.get((e.pk, r), 0)
            if valid < required:
                short.append({"entry": e, "round": r, "valid": valid, "required": required})
    return short


def overridden(track, item):
    """An override recorded by 组织部 covers this shortfall (same entry and round, no fewer scores than then)."""
    for record in track.score_overrides or []:
        for o in record.get("entries", []):
            if o.get("entry") == item["entry"].pk and o.get("round") == item["round"] and o.get("valid", 0) <= item["valid"]:
                return True
    return False


_shortfall_memo = contextvars.ContextVar("shortfall_memo", default=None)


@contextmanager
def shortfall_memoized():
    """Inside the block each track's shortfall is read once (a page asks for it per action). The block must
    not span writes to scores or assignments."""
    token = _shortfall_memo.set({})
    try:
        yield
    finally:
        _shortfall_memo.reset(token)


def uncovered_shortfall(track):
    """The shortfall no recorded override covers: what stands in the way of 结束评分 / 提出拟表彰名单."""
    memo = _shortfall_memo.get()
    key = (track.pk, track.stage, track.version)
    if memo is not None and key in memo:
        return memo[key]
    short = [item for item in score_shortfall(track) if not overridden(track, item)]
    if memo is not None:
        memo[key] = short
    return short


def shortfall_label(item):
    return f"{item['entry'].organization}（{Round(item['round']).label} {item['valid']}/{item['required']}）"


# ---------------------------------------------------------------- 现场答辩 room


def room_for(track):
    from .models import DefenceRoom

    return DefenceRoom.objects.select_related("track", "entry", "entry__organization", "entry__college").filter(
        track=track).first()


def room_key(room, judge=None):
    """Changes whenever what a page shows changes: the room itself, and the scores of the entry on stage
    (only the judge's own score for a judge's phone, so other judges' submissions do not reload it)."""
    if room is None:
        return "none"
    rows = Assignment.objects.filter(track_id=room.track_id, round=Round.DEFENCE, entry_id=room.entry_id)
    if judge is not None:
        rows = rows.filter(judge=judge)
    return f"{room.version}-" + ".".join(f"{pk}:{v}" for pk, v in rows.order_by("pk").values_list("pk", "version"))


def room_board(room):
    """What the projector and 组织部's control page show for the entry on stage.

    Before the reveal: who has submitted (never the values). After it: each judge's total, the dropped
    highest and lowest (trimmed mean with >= 5 scores), the result, and the running ranking."""
    track = room.track
    judges = judges_for(track)
    absent = set(room.absent or [])
    criteria = criteria_for(track, Round.DEFENCE)
    mine = {a.judge_id: a for a in Assignment.objects.filter(track=track, round=Round.DEFENCE, entry_id=room.entry_id)
            .select_related("entered_by")} if room.entry_id else {}
    revealed = room.state == "revealed"
    rows = []
    for j in judges:
        a = mine.get(j.pk)
        status = ("absent" if j.pk in absent else "none" if a is None else "done" if a.done else "waiting")
        rows.append({"judge": j, "a": a, "status": status,
                     "entered_by": a.entered_by if a is not None and a.done else None})
    present = [r for r in rows if r["status"] in {"done", "waiting"}]
    out = {"room": room, "track": track, "rows": rows, "n_present": len(present),
           "n_done": sum(1 for r in present if r["status"] == "done"), "criteria": criteria,
           "max_total": sum(c.max_points for c in criteria), "revealed": revealed,
           "position": min(room.position + 1, len(room.order)), "count": len(room.order)}
    if room.timer_started_at and room.state == "scoring":
        from django.utils import timezone

        elapsed = (timezone.now() - room.timer_started_at).total_seconds()
        out["remaining"] = int(track.defence_minutes * 60 - elapsed)
    if revealed:
        counted = [r for r in present if r["a"].complete and not r["a"].abstained]
        counted.sort(key=lambda r: (-r["a"].total, r["judge"].username))
        values = [r["a"].total for r in counted]
        drop = track.aggregation == aggregation.TRIMMED and len(values) >= 5
        scores = []
        for i, r in enumerate(counted):
            label = r["judge"].display_name if track.reveal_names else f"评委{i + 1}"
            scores.append({"label": label, "total": r["a"].total, "dropped": "high" if drop and i == 0 else
                           "low" if drop and i == len(counted) - 1 else "", "entered_by": r["entered_by"]})
        out.update(scores=scores, result=aggregation.combine(values, track.aggregation), dropping=drop)
    out["standings"] = room_standings(room)
    return out


def room_standings(room):
    """The running ranking: entries already revealed in the room, by their final score (both rounds weighted)."""
    done = room.order[: room.position + (1 if room.state == "revealed" else 0)]
    if room.state == "finished":
        done = list(room.order)
    if not done:
        return []
    board = ranking(room.track, with_stability=False)
    rows = [row for row in board["rows"] if row["entry"].pk in set(done) and row["r"].round2 is not None]
    rows.sort(key=lambda row: (-(row["r"].final or 0), row["entry"].pk))
    return [{"place": i, "entry": row["entry"], "r": row["r"]} for i, row in enumerate(rows, start=1)]
