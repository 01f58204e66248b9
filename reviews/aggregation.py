"""Pure aggregation and ranking: no database, so every rule can be checked on hand-worked examples.

Inputs are plain values (see `Sheet` and `rank`). Conventions, stated once:
- only complete, non-abstained scores count; an abstention is not a zero;
- trimmed mean drops one highest and one lowest total only with >= 5 counted judges;
- normalisation (optional): each judge's totals become z-scores over that judge's own scored
  entries, rescaled to the pool's mean and standard deviation and clamped to [0, max total];
  a judge whose totals are all equal (or who scored one entry) contributes the pool mean;
- spread is the population standard deviation of the raw totals;
- with a second round, final = (w1 * round-1 + w2 * round-2') / 100 for entries scored in round 2,
  and those entries rank above the rest, which keep their round-1 score; round 2 has its own rubric,
  so round-2' is the round-2 score put on round 1's scale (× max_total / round2_max) before weighting
  (材料 40% + 答辩 60%: an entry with 80/100 in round 1 and 45/50 on site ends at 0.4·80 + 0.6·90 = 86);
- scores compare at two decimals (what people see); the tie-break chain then applies in order;
  entries still equal share a place and are flagged.
"""

import math
import statistics
from dataclasses import dataclass, field

MEAN = "mean"
TRIMMED = "trimmed"
RULES = [(MEAN, False), (TRIMMED, False), (MEAN, True), (TRIMMED, True)]
RULE_LABELS = {
    (MEAN, False): "算术平均",
    (TRIMMED, False): "去高去低平均",
    (MEAN, True): "标准化后平均",
    (TRIMMED, True): "标准化后去高去低",
}


@dataclass
class Score:
    entry_id: int
    judge_id: int
    total: float
    points: dict = field(default_factory=dict)  # {criterion_code: int}
    round: int = 1


@dataclass
class Result:
    entry_id: int
    final: float | None = None
    round1: float | None = None
    round2: float | None = None
    n_judges: int = 0
    sd: float | None = None
    disagree: bool = False
    criterion_means: dict = field(default_factory=dict)
    top_count: int = 0
    votes: int = 0
    in_round2: bool = False
    place: int | None = None
    tied: bool = False
    raw_totals: list = field(default_factory=list)


def pstdev(values):
    """Population standard deviation in float arithmetic (statistics.pstdev works in exact fractions,
    ~25x slower, and the ranking needs it ~1,500 times per page); math.fsum keeps the sums exact
    enough for the two decimals shown."""
    n = len(values)
    if n == 0:
        raise statistics.StatisticsError("pstdev requires at least one data point")
    if min(values) == max(values):  # exactly 0, never a rounding residue (normalised() tests sd > 0)
        return 0.0
    mu = math.fsum(values) / n
    return math.sqrt(math.fsum((x - mu) * (x - mu) for x in values) / n)


def trimmed(values, rule):
    values = sorted(values)
    if rule == TRIMMED and len(values) >= 5:
        values = values[1:-1]
    return values


def combine(values, rule):
    if not values:
        return None
    return statistics.fmean(trimmed(values, rule))


def normalised(scores, max_total):
    """New Score objects whose totals are z-scores per judge rescaled to the pool's mean and sd."""
    if not scores:
        return []
    pool = [s.total for s in scores]
    mu, sigma = statistics.fmean(pool), pstdev(pool)
    by_judge = {}
    for s in scores:
        by_judge.setdefault(s.judge_id, []).append(s.total)
    stats = {j: (statistics.fmean(v), pstdev(v)) for j, v in by_judge.items()}
    out = []
    for s in scores:
        mj, sj = stats[s.judge_id]
        z = (s.total - mj) / sj if sj > 0 else 0.0
        value = min(max(mu + z * sigma, 0.0), float(max_total))
        out.append(Score(s.entry_id, s.judge_id, value, s.points, s.round))
    return out


def _round_scores(scores, rule, normalise, max_total, memo=None, key=None):
    if normalise:
        if memo is not None and key in memo:
            scores = memo[key]
        else:
            scores = normalised(scores, max_total)
            if memo is not None:
                memo[key] = scores
    per_entry = {}
    for s in scores:
        per_entry.setdefault(s.entry_id, []).append(s.total)
    return {e: combine(v, rule) for e, v in per_entry.items()}


def _top_counts(scores):
    """How many judges gave each entry their own highest total (ties at the top all count)."""
    best = {}
    for s in scores:
        best[s.judge_id] = max(best.get(s.judge_id, s.total), s.total)
    counts = {}
    for s in scores:
        if s.total == best[s.judge_id]:
            counts[s.entry_id] = counts.get(s.entry_id, 0) + 1
    return counts


def _entry_stats(entry_ids, r1, disagree_sd):
    """{entry: (sorted raw totals, sd, disagree, criterion means, top count)} from the round-1 scores."""
    tops = _top_counts(r1)
    raw = {}
    crit = {}
    for s in r1:
        raw.setdefault(s.entry_id, []).append(s.total)
        for code, p in s.points.items():
            crit.setdefault(s.entry_id, {}).setdefault(code, []).append(p)
    out = {}
    for e in entry_ids:
        totals = sorted(raw.get(e, []))
        sd = pstdev(totals) if totals else None
        out[e] = (totals, sd, sd is not None and sd > float(disagree_sd),
                  {c: statistics.fmean(v) for c, v in crit.get(e, {}).items()}, tops.get(e, 0))
    return out


def rank(entry_ids, scores, *, rule=TRIMMED, normalise=False, max_total=100, tie_break=(), votes=None,
         weights=(100, 0), disagree_sd=8.0, round2_max=None, _memo=None):
    """Rank `entry_ids` from `scores` (round 1 and round 2 Score objects). Returns [Result] in place order.

    tie_break: codes applied after the final score, in order: "criterion:<code>", "top_scores", "vote"."""
    votes = votes or {}
    r1 = [s for s in scores if s.round == 1]
    r2 = [s for s in scores if s.round == 2]
    r1_final = _round_scores(r1, rule, normalise, max_total, _memo, 1)
    round2_max = round2_max or max_total
    r2_final = _round_scores(r2, rule, normalise, round2_max, _memo, 2)
    stats = _memo.get("entries") if _memo is not None else None
    if stats is None:  # what does not depend on the rule: once per set of scores (stability ranks 4 times)
        stats = _entry_stats(entry_ids, r1, disagree_sd)
        if _memo is not None:
            _memo["entries"] = stats
    w1, w2 = weights
    results = []
    for e in entry_ids:
        raw_totals, sd, disagree, means, top_count = stats[e]
        res = Result(entry_id=e, round1=r1_final.get(e), round2=r2_final.get(e), votes=votes.get(e, 0),
                     top_count=top_count, raw_totals=raw_totals, n_judges=len(raw_totals), sd=sd, disagree=disagree,
                     criterion_means=means)
        if res.round2 is not None and res.round1 is not None and w2:
            res.in_round2 = True
            res.final = (w1 * res.round1 + w2 * res.round2 * max_total / round2_max) / 100
        else:
            res.final = res.round1
        results.append(res)

    def key(res):
        k = [0 if res.in_round2 else 1, 0 if res.final is not None else 1, -round(res.final or 0, 2)]
        for code in tie_break:
            if code.startswith("criterion:"):
                k.append(-round(res.criterion_means.get(code.split(":", 1)[1], 0), 2))
            elif code == "top_scores":
                k.append(-res.top_count)
            elif code == "vote":
                k.append(-res.votes)
        return tuple(k)

    keyed = sorted(((key(r), r.entry_id, r) for r in results), key=lambda t: (t[0], t[1]))
    results = [r for _, _, r in keyed]
    prev_key, place = None, 0
    for i, (k, _, res) in enumerate(keyed, start=1):
        if res.final is None:
            res.place = None
            continue
        if k == prev_key:
            res.tied = True
            results[i - 2].tied = True
        else:
            place = i
        res.place = place
        prev_key = k
    return results


def stability(entry_ids, scores, top_n, *, known=None, _memo=None, **kwargs):
    """For each entry: its place under every aggregation rule, and whether a top-N place holds under all.

    known: {(rule, normalise): [Result]} already ranked by the caller (the page's own rule), not
    ranked again. The normalised totals are computed once for both normalised rules."""
    places = {}
    memo = {} if _memo is None else _memo
    for rule, norm in RULES:
        ranked = (known or {}).get((rule, norm))
        if ranked is None:
            ranked = rank(entry_ids, scores, rule=rule, normalise=norm, _memo=memo, **kwargs)
        for res in ranked:
            places.setdefault(res.entry_id, {})[(rule, norm)] = res.place
    out = {}
    for e, by_rule in places.items():
        ps = [by_rule[r] for r in RULES]
        out[e] = {"places": ps, "holds": all(p is not None and p <= top_n for p in ps),
                  "never": all(p is None or p > top_n for p in ps)}
    return out
