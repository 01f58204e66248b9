"""The ranking page's cached aggregation (reviews.queries._cached_aggregate): every write the ranking reads
shows on the page right after it, the cache is really used, and a broken cache (Redis down) means
computing, never a 500. Tests run with the locmem cache (settings_test), so the cache is on here.

Each write test: the page before (which fills the cache), the write, the page after; the page after must
differ from the page before (the write is visible) and equal the page computed without the cache."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from reviews import aggregation, queries, services
from reviews.models import Assignment, CommitteeVote, Criterion, JudgingTrack, Round, Stage
from submissions.models import Entry, EntryState

from ..factories import CollegeFactory
from .helpers import SCORING_DAY, brand_track, make_entry, make_judge, open_track, points_for, score


@pytest.fixture
def scored(world, at):
    """4 entries, 5 judges, all scored (two equal totals); award_count 2."""
    w = world
    at(*SCORING_DAY)
    cache.clear()
    w.entries = [make_entry(w.campaign, CollegeFactory(parent=w.school, name=f"学院{i}")) for i in range(4)]
    w.judges = [make_judge(f"jr{i}") for i in range(5)]
    w.track = open_track(brand_track(w, w.judges, award_count=2, aggregation="trimmed",
                                     tie_break=["criterion:innovation", "top_scores", "vote"]), w.users.admin)
    table = {
        0: [(15, 25, 30, 20, 10), (10, 20, 25, 15, 8), (12, 22, 28, 18, 9), (11, 21, 27, 17, 9), (5, 10, 10, 10, 5)],
        1: [(12, 20, 25, 15, 8)] * 5,
        2: [(8, 15, 20, 10, 5)] * 5,
        3: [(9, 14, 20, 10, 5)] * 5,  # entry 2's total: the tie-break (举措与机制创新) puts entry 2 first
    }
    for ei, rows in table.items():
        for j, vals in zip(w.judges, rows):
            score(w.track, j, w.entries[ei], *vals)
    w.admin = w.users.admin
    return w


def _rows(html):
    """The ranking table's rows, as HTML (the form's CSRF token masked: it changes with every request)."""
    body = html.split('data-testid="ranking"', 1)[1].split("</tbody>", 1)[0]
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)
    return [row.split("</tr>", 1)[0] for row in body.split("\n<tr ")[1:]]


def _text(row):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()


def page(client, track):
    response = client.get(reverse("reviews:ranking", args=[track.pk]))
    assert response.status_code == 200
    return _rows(response.content.decode())


def uncached_page(client, track, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(queries, "_cache_get", lambda key: None)
        m.setattr(queries, "_cache_set", lambda key, value: None)
        return page(client, track)


def track_of(w):
    return JudgingTrack.objects.get(pk=w.track.pk)


def check_write(w, client_for, monkeypatch, write, changes=True):
    c = client_for(w.admin)
    before = page(c, track_of(w))
    assert page(c, track_of(w)) == before  # second view: from the cache
    write()
    after = page(c, track_of(w))
    if changes:
        assert after != before
    assert after == uncached_page(c, track_of(w), monkeypatch)
    return before, after


def assignment(w, judge, entry, round_=Round.MATERIALS):
    return Assignment.objects.get(track=w.track, judge=judge, entry=entry, round=round_)


# ---------------------------------------------------------------- the cache is used, and harmless


def test_second_view_does_not_aggregate_again(scored, client_for, monkeypatch):
    w = scored
    c = client_for(w.admin)
    first = page(c, w.track)
    calls = []
    real = aggregation.rank
    monkeypatch.setattr(aggregation, "rank", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert page(c, w.track) == first
    assert calls == []  # neither the page's rule nor the stability rules were ranked again
    score(w.track, w.judges[0], w.entries[1], 1, 1, 1, 1, 1)
    page(c, w.track)
    assert len(calls) == 4  # the page's rule + the three other rules of the stability column


def test_cached_value_is_small_plain_data(scored, client_for):
    import pickle

    w = scored
    page(client_for(w.admin), w.track)
    value = cache.get(f"reviews:ranking:{w.track.pk}:1")
    digest, results, stability = value
    assert isinstance(digest, str) and len(results) == 4
    assert all(type(r) is tuple for r in results)  # no model or dataclass instances: safe across deploys
    assert len(pickle.dumps(value)) < 5000


def test_cache_down_means_computing_not_a_500(scored, client_for, monkeypatch, caplog):
    w = scored
    c = client_for(w.admin)
    expected = uncached_page(c, w.track, monkeypatch)
    calls = []

    def down(*args, **kwargs):
        calls.append(1)
        raise ConnectionError("Redis down")

    monkeypatch.setattr(queries, "_cache_down_until", 0.0)
    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert page(c, w.track) == expected
    assert "ranking cache read failed" in caplog.text
    assert len(calls) == 1  # the write after the failed read is not tried: the cache is left alone for a while
    assert page(c, w.track) == expected
    assert len(calls) == 1  # nor on the next view (a hanging Redis would cost its timeouts on every view)
    monkeypatch.setattr(queries, "_cache_down_until", 0.0)  # the pause is over
    assert page(c, w.track) == expected and len(calls) == 2


def test_cache_write_failure_alone(scored, client_for, monkeypatch, caplog):
    w = scored
    c = client_for(w.admin)
    expected = uncached_page(c, w.track, monkeypatch)

    def full(*args, **kwargs):
        raise ConnectionError("OOM command not allowed when used memory > 'maxmemory'")

    monkeypatch.setattr(queries, "_cache_down_until", 0.0)
    monkeypatch.setattr(cache, "set", full)
    assert page(c, w.track) == expected
    assert "ranking cache write failed" in caplog.text


def test_an_unreadable_cached_value_is_recomputed(scored, client_for, monkeypatch):
    w = scored
    c = client_for(w.admin)
    expected = page(c, w.track)
    key = f"reviews:ranking:{w.track.pk}:1"
    digest = cache.get(key)[0]
    for junk in [(digest, [("not", "a result")], {}), (digest, None, None), "junk", (1, 2)]:
        cache.set(key, junk)
        assert page(c, w.track) == expected


def test_decisions_do_not_read_the_cache(scored, monkeypatch):
    """propose/close/publish compute the ranking themselves (cached=False)."""
    w = scored
    monkeypatch.setattr(queries, "_cache_get", lambda key: pytest.fail("a decision read the ranking cache"))
    track = services.close_scoring(track_of(w), by=w.admin)
    services.propose(track, by=w.admin)


# ---------------------------------------------------------------- every write path shows right after


def test_score_save(scored, client_for, monkeypatch):
    w = scored
    check_write(w, client_for, monkeypatch, lambda: score(w.track, w.judges[1], w.entries[2], 15, 25, 30, 20, 10))


def test_abstain(scored, client_for, monkeypatch):
    w = scored

    def write():
        a = assignment(w, w.judges[0], w.entries[0])
        services.save_score(a, {}, by=w.judges[0], expected_version=a.version, abstain=True, abstain_reason="有事")

    _, after = check_write(w, client_for, monkeypatch, write)
    assert any("弃权 1" in _text(row) for row in after)


def test_declared_conflict_withdraws_the_score(scored, client_for, monkeypatch):
    w = scored
    _, after = check_write(w, client_for, monkeypatch, lambda: services.declare_conflict(
        track_of(w), w.judges[4], w.entries[0], "同一单位", by=w.admin))
    assert any(" 4/4 " in f" {_text(row)} " for row in after)


def test_assignment_removed_and_added(scored, client_for, monkeypatch):
    w = scored
    extra = make_judge("jr9")
    track_of(w).judges.add(extra)
    check_write(w, client_for, monkeypatch,
                lambda: services.add_assignment(track_of(w), extra, w.entries[1], by=w.admin))
    check_write(w, client_for, monkeypatch,
                lambda: services.remove_assignment(assignment(w, extra, w.entries[1]), by=w.admin))


def test_assignment_rows_changed_behind_the_services(scored, client_for, monkeypatch):
    """.update() (admin, shell, a data fix) bypasses every service: the cache key still sees it."""
    w = scored
    a = assignment(w, w.judges[0], w.entries[3])
    check_write(w, client_for, monkeypatch, lambda: Assignment.objects.filter(pk=a.pk).update(
        total=90, points=points_for(w.track, 15, 25, 30, 15, 5)))
    check_write(w, client_for, monkeypatch, lambda: Assignment.objects.filter(pk=a.pk).update(complete=False))


def test_committee_vote(scored, client_for, monkeypatch):
    w = scored
    services.close_scoring(track_of(w), by=w.admin)
    _, after = check_write(w, client_for, monkeypatch,
                           lambda: services.record_vote(track_of(w), w.entries[3], 7, by=w.admin))
    assert any('name="votes" class="form-control form-control-sm w-4em" value="7"' in row for row in after)
    check_write(w, client_for, monkeypatch, lambda: CommitteeVote.objects.filter(track=w.track).update(votes=0),)


def test_track_settings_through_the_service(scored, client_for, monkeypatch):
    w = scored
    check_write(w, client_for, monkeypatch, lambda: services.update_track(
        track_of(w), {"disagree_sd": "25.0"}, by=w.admin, expected_version=track_of(w).version))


@pytest.mark.parametrize("change", [{"aggregation": "mean"}, {"normalise": True}, {"award_count": 3},
                                    {"tie_break": []}, {"disagree_sd": 30}])
def test_track_settings_changed_directly(scored, client_for, monkeypatch, change):
    """The setup-only settings (only changeable before scoring through the services), as the admin could."""
    w = scored
    check_write(w, client_for, monkeypatch, lambda: JudgingTrack.objects.filter(pk=w.track.pk).update(**change))


def test_rubric_changes(scored, client_for, monkeypatch):
    w = scored
    first = Criterion.objects.filter(track=w.track, round=Round.MATERIALS).order_by("sort_order").first()
    # a renamed code shows the same means (they follow the code), but a stale value would show none
    check_write(w, client_for, monkeypatch, lambda: Criterion.objects.filter(pk=first.pk).update(code="renamed"),
                changes=False)
    # 50 full marks instead of 15: the normalised totals are clamped to the full marks of the rubric
    JudgingTrack.objects.filter(pk=w.track.pk).update(normalise=True)
    check_write(w, client_for, monkeypatch, lambda: Criterion.objects.filter(pk=first.pk).update(max_points=50),
                changes=False)
    check_write(w, client_for, monkeypatch, lambda: Criterion.objects.filter(pk=first.pk).delete())


def test_entry_leaves_and_joins_the_judging(scored, client_for, monkeypatch):
    w = scored
    _, after = check_write(w, client_for, monkeypatch, lambda: Entry.objects.filter(pk=w.entries[1].pk).update(
        state=EntryState.RETURNED))
    assert len(after) == 3
    late = make_entry(w.campaign, CollegeFactory(parent=w.school, name="迟到学院"))
    Entry.objects.filter(pk=late.pk).update(state=EntryState.SUBMITTED)
    _, after = check_write(w, client_for, monkeypatch, lambda: Entry.objects.filter(pk=late.pk).update(
        state=EntryState.PASSED))
    assert len(after) == 4


def test_names_shown_are_read_fresh(scored, client_for, monkeypatch):
    w = scored
    org = w.entries[0].organization
    _, after = check_write(w, client_for, monkeypatch, lambda: type(org).objects.filter(pk=org.pk).update(name="新名字党委"))
    assert any("新名字党委" in row for row in after)
    check_write(w, client_for, monkeypatch, lambda: Entry.objects.filter(pk=w.entries[0].pk).update(title="新标题"))


def test_override_of_the_minimum_leaves_the_ranking_right(scored, client_for, monkeypatch):
    """The minimum-scores override is no input of the ranking: the page stays what it computes."""
    w = scored
    for j in w.judges[:3]:  # entry 0 keeps 2 valid scores of the 3 required
        a = assignment(w, j, w.entries[0])
        services.save_score(a, {}, by=j, expected_version=a.version, abstain=True, abstain_reason="回避")
    check_write(w, client_for, monkeypatch, lambda: services.override_min_scores(
        track_of(w), by=w.admin, reason="评委临时缺席，经评审委员会同意继续"), changes=False)


# ---------------------------------------------------------------- round 2: room scores and paper scores


@pytest.fixture
def round2(world, at):
    w = world
    at(*SCORING_DAY)
    cache.clear()
    w.entries = [make_entry(w.campaign, CollegeFactory(parent=w.school, name=f"学院{i}党委")) for i in range(3)]
    w.judges = [make_judge(f"jq{i}") for i in range(1, 6)]
    w.track = open_track(brand_track(w, w.judges, second_round=True, shortlist_size=2, round1_weight=40,
                                     round2_weight=60), w.users.admin)
    for j in w.judges:
        score(w.track, j, w.entries[0], 12, 20, 24, 16, 8)
        score(w.track, j, w.entries[1], 15, 25, 30, 20, 5)
        score(w.track, j, w.entries[2], 5, 5, 5, 5, 5)
    w.track = services.close_scoring(w.track, by=w.users.admin)
    assert w.track.stage == Stage.ROUND2
    services.open_room(w.track, by=w.users.admin)
    w.admin = w.users.admin
    return w


def test_room_and_paper_scores(round2, client_for, monkeypatch):
    from reviews.models import DefenceRoom

    w = round2
    entry_id = DefenceRoom.objects.get(track=w.track).entry_id
    start = page(client_for(w.admin), w.track)
    for j in w.judges[:4]:
        check_write(w, client_for, monkeypatch, lambda j=j: services.room_score(
            track_of(w), j, points_for(w.track, 20 + j.pk % 7, 30, 20, round_=2), by=j), changes=False)
    assert page(client_for(w.admin), w.track) != start
    paper = assignment(w, w.judges[4], entry_id, Round.DEFENCE)
    _, after = check_write(w, client_for, monkeypatch, lambda: services.enter_paper_score(
        paper, points_for(w.track, 10, 10, 10, round_=2), by=w.admin))
    assert any("代录" in row for row in after)
    # the 代录 name is read fresh
    check_write(w, client_for, monkeypatch, lambda: type(w.admin).objects.filter(pk=w.admin.pk).update(full_name="新姓名"))


# ---------------------------------------------------------------- the rows' HTML is the template's

# The loop reviews/ranking.html had before the rows were built in Python (reviews/render.py), verbatim.
OLD_LOOP = """<tbody>{% if can_vote %}{% url 'reviews:action' track.pk 'vote' as vote_url %}{% endif %}
{% for row in rows %}{% with r=row.r s=row.show %}
<tr class="{% if s.top %}table-danger{% endif %}" data-testid="rank-row">
  <td class="fw-bold">{{ r.place|default:"—" }}{% if r.tied %} <span class="badge text-bg-warning" title="同分且同分排序规则无法区分">并列</span>{% endif %}</td>
  <td>{{ row.entry.organization }}{% if row.entry.title %}<div class="text-muted">{{ row.entry.title }}</div>{% endif %}</td>
  <td class="text-end fw-bold">{{ s.final|default:"—" }}</td>
  {% if track.second_round %}<td class="text-end">{{ s.round1 }}</td><td class="text-end">{% if r.round2 is not None %}{{ s.round2 }}{% endif %}</td>{% endif %}
  <td class="text-end">{{ r.n_judges }}/{{ row.assigned }}{% if row.abstained %}<div class="text-muted">弃权 {{ row.abstained }}</div>{% endif %}{% if row.entered_by %}<div class="text-warning-emphasis small" title="现场答辩纸质评分由党委组织部代录">由 {{ row.entered_by|join:"、" }} 代录</div>{% endif %}</td>
  <td class="text-end">{{ s.sd }}{% if r.disagree %} <span class="badge text-bg-warning" title="评委打分差异较大">分歧</span>{% endif %}</td>
  {% for m in s.means %}<td class="text-end">{{ m }}</td>{% endfor %}
  <td class="text-center text-nowrap">{% if row.stability %}{% for p, top in s.places %}<span class="badge {% if top %}text-bg-danger{% else %}text-bg-light{% endif %}">{{ p|default:"—" }}</span>{% endfor %}
    {% if s.top %}{% if row.stability.holds %}<i class="bi bi-check-lg text-success" title="在各计分规则下均进入前{{ track.award_count }}名"></i>{% else %}<i class="bi bi-exclamation-triangle text-warning" title="在部分计分规则下未进入前{{ track.award_count }}名"></i>{% endif %}{% endif %}{% endif %}</td>
  {% if can_vote %}<td class="text-nowrap"><form method="post" action="{{ vote_url }}" class="d-flex gap-1">{% csrf_token %}<input type="hidden" name="next" value="ranking"><input type="hidden" name="entry" value="{{ row.entry.pk }}">
    <input name="votes" class="form-control form-control-sm w-4em" value="{{ r.votes }}" inputmode="numeric"><button class="btn btn-outline-secondary btn-sm text-nowrap">记录</button></form></td>{% endif %}
</tr>{% endwith %}
{% empty %}<tr><td colspan="12" class="text-muted">暂无参评项目。</td></tr>{% endfor %}
</tbody>"""


def _both(track, board, can_vote):
    from django.template import Context, Template

    from reviews import render

    render.add_shown_numbers(board, track.award_count)
    old = Template("{% load portal %}" + OLD_LOOP).render(Context(
        {"rows": board["rows"], "track": track, "can_vote": can_vote, "csrf_token": "tok<en>"}))
    vote_url = reverse("reviews:action", args=[track.pk, "vote"])
    new = ("<tbody>\n" + render.ranking_rows(board["rows"], track, second_round=track.second_round, can_vote=can_vote,
                                              vote_url=vote_url, csrf_token="tok<en>") + "\n</tbody>")
    return old, new


@pytest.mark.parametrize("light", [True, False])
@pytest.mark.parametrize("can_vote", [True, False])
def test_rows_html_is_the_templates_round1(scored, can_vote, light):
    w = scored
    JudgingTrack.objects.filter(pk=w.track.pk).update(tie_break=[])  # entries 2 and 3: 并列
    org = w.entries[1].organization
    type(org).objects.filter(pk=org.pk).update(name='<b>"甲&乙"</b>')
    Entry.objects.filter(pk=w.entries[2].pk).update(title="")
    a = assignment(w, w.judges[0], w.entries[0])
    services.save_score(a, {}, by=w.judges[0], expected_version=a.version, abstain=True, abstain_reason="有事")
    track = track_of(w)
    old, new = _both(track, queries.ranking(track, light=light, cached=light), can_vote)
    assert "并列" in new and "弃权 1" in new and "&lt;b&gt;&quot;甲&amp;乙&quot;" in new and "分歧" in new
    assert new == old


def test_rows_html_is_the_templates_round2(round2):
    w = round2
    from reviews.models import DefenceRoom

    entry_id = DefenceRoom.objects.get(track=w.track).entry_id
    for j in w.judges[:4]:
        services.room_score(track_of(w), j, points_for(w.track, 20 + j.pk % 7, 30, 20, round_=2), by=j)
    services.enter_paper_score(assignment(w, w.judges[4], entry_id, Round.DEFENCE),
                               points_for(w.track, 10, 10, 10, round_=2), by=w.admin)
    track = track_of(w)
    for can_vote in (True, False):
        old, new = _both(track, queries.ranking(track, light=True, cached=True), can_vote)
        assert "代录" in new and new.count("<td") > 30
        assert new == old


def test_rows_html_without_entries(world):
    track = brand_track(world, [make_judge("jz1")])
    old, new = _both(track, queries.ranking(track, light=True, cached=True), True)
    assert "暂无参评项目" in new and new == old
