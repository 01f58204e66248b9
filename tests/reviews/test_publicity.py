"""The public 公示 and its objections: the page without login, filing online (实名, size-limited, throttled,
refused outside the period), the receipt code, 组织部's answer, withdrawing an entry on an upheld objection
(the list is computed again and the next entry moves up), and the showcase badges that wait for 公布."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from audit.models import AuditEntry
from reviews import services
from reviews.models import Award, JudgingTrack, Objection, ObjectionSource, Stage

from ..factories import CollegeFactory
from .helpers import SCORING_DAY, brand_track, make_entry, make_judge, open_track, score

START, END = dt.date(2026, 12, 14), dt.date(2026, 12, 18)  # Mon–Fri
DURING = (2026, 12, 15, 10, 0)
BEFORE = (2026, 12, 11, 10, 0)
AFTER = (2026, 12, 21, 10, 0)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def publicity(world, at):
    """4 entries with clearly different scores (学院0 best), 3 judges, award_count 2; 公示 Dec 14–18."""
    w = world
    at(*SCORING_DAY)
    w.entries = [make_entry(w.campaign, CollegeFactory(parent=w.school, name=f"学院{i}党委"), title=f"品牌{i}")
                 for i in range(4)]
    w.judges = [make_judge(f"pj{i}") for i in range(3)]
    w.track = open_track(brand_track(w, w.judges, award_count=2, aggregation="mean"), w.users.admin)
    for i, e in enumerate(w.entries):
        for j in w.judges:
            score(w.track, j, e, 15 - i, 25 - i, 30 - i, 20 - i, 10 - i)
    admin = w.users.admin
    services.close_scoring(w.track, by=admin)
    services.propose(w.track, by=admin)
    services.approve(w.track, by=admin, note="党委常委会")
    w.track = services.open_publicity(w.track, by=admin, start=START, end=END)
    return w


def _post_objection(client, track, **data):
    body = {"name": "王老师", "unit": "机械学院", "contact": "13800000000", "content": "反映材料存在夸大。", "entry": ""}
    body.update(data)
    return client.post(reverse("reviews:objection", args=[track.pk]), body)


def _listed(track):
    return [(p["entry"], p["place"]) for p in JudgingTrack.objects.get(pk=track.pk).proposal]


# ---------------------------------------------------------------- the public page


def test_the_publicity_page_is_public_during_the_period(publicity, client, at):
    w = publicity
    at(*DURING)
    r = client.get(reverse("reviews:publicity"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "学院0党委" in html and "学院1党委" in html and "学院2党委" not in html  # the proposed 2, not the 3rd
    assert "2026年12月14日 至 2026年12月18日" in html
    assert "实名" in html and reverse("reviews:objection", args=[w.track.pk]) in html


def test_before_the_period_the_list_is_not_shown_and_after_it_no_form(publicity, client, at):
    w = publicity
    at(*BEFORE)
    html = client.get(reverse("reviews:publicity")).content.decode()
    assert "学院0党委" not in html and "公示将于 2026年12月14日 开始" in html
    assert reverse("reviews:objection", args=[w.track.pk]) not in html
    at(*AFTER)
    html = client.get(reverse("reviews:publicity")).content.decode()
    assert "学院0党委" in html  # still 公示中 (not yet published): the list stays up
    assert "公示期已于 2026年12月18日 结束" in html
    assert reverse("reviews:objection", args=[w.track.pk]) not in html


def test_no_publicity_no_list(world, client):
    html = client.get(reverse("reviews:publicity")).content.decode()
    assert "当前没有正在进行的“十佳”公示" in html


def test_results_page_is_public_after_publication(publicity, client, at):
    w = publicity
    at(*DURING)
    html = client.get(reverse("reviews:results")).content.decode()
    assert "评审结果尚未公布" in html and reverse("reviews:publicity") in html
    at(*AFTER)
    services.publish(w.track, by=w.users.admin)
    r = client.get(reverse("reviews:results"))
    assert r.status_code == 200 and "学院0党委" in r.content.decode()


# ---------------------------------------------------------------- filing online


def test_anyone_files_an_objection_and_gets_a_receipt_shown_once(publicity, client, at):
    w = publicity
    at(*DURING)
    r = _post_objection(client, w.track, entry=str(w.entries[1].pk), content="<script>alert(1)</script>材料不实")
    assert r.status_code == 302 and r["Location"] == reverse("reviews:receipt")
    o = Objection.objects.get()
    assert (o.source, o.name, o.unit, o.contact, o.entry_id, o.received_on) == (
        ObjectionSource.ONLINE, "王老师", "机械学院", "13800000000", w.entries[1].pk, dt.date(2026, 12, 15))
    assert o.recorded_by is None and len(o.receipt_hash) == 64
    page = client.get(reverse("reviews:receipt")).content.decode()
    import re

    code = re.search(r'data-testid="receipt-code">([A-Z0-9-]+)<', page).group(1)
    assert len(code) == 19 and services.receipt_digest(code) == o.receipt_hash
    assert code not in str(list(AuditEntry.objects.values_list("changes", flat=True)))  # not even in the history
    again = client.get(reverse("reviews:receipt")).content.decode()
    assert code not in again  # shown once
    entry = AuditEntry.objects.get(action="objection_filed")
    assert entry.actor is None and entry.changes["name"] == [None, "王老师"]
    # 组织部 sees it, the script as text
    html = client_admin(w).get(reverse("reviews:decision", args=[w.track.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;材料不实" in html and "<script>alert(1)" not in html
    assert "王老师（机械学院，13800000000）" in html


def client_admin(w):
    from django.test import Client

    c = Client()
    c.force_login(w.users.admin)
    return c


@pytest.mark.parametrize("missing", ["name", "unit", "contact", "content"])
def test_real_name_unit_contact_and_content_are_required(publicity, client, at, missing):
    at(*DURING)
    r = _post_objection(client, publicity.track, **{missing: "  "})
    assert r.status_code == 200 and not Objection.objects.exists()
    assert f'data-testid="error-{missing}"' in r.content.decode()


def test_oversized_content_and_an_entry_not_on_the_list_are_refused(publicity, client, at):
    w = publicity
    at(*DURING)
    r = _post_objection(client, w.track, content="字" * 2001)
    assert r.status_code == 200 and not Objection.objects.exists()
    assert "2000" in r.content.decode()
    r = _post_objection(client, w.track, entry=str(w.entries[3].pk))  # 4th place: not proposed
    assert not Objection.objects.exists()
    with pytest.raises(services.JudgingError, match="不在本次公示"):
        services.file_objection(w.track, name="甲", unit="乙", contact="1", content="x", entry_id=w.entries[3].pk)
    with pytest.raises(services.JudgingError, match="不能超过 2000"):
        services.file_objection(w.track, name="甲", unit="乙", contact="1", content="字" * 2001)


def test_filing_is_throttled_per_client_address(publicity, client, at, settings):
    settings.OBJECTIONS_PER_HOUR = 3
    w = publicity
    at(*DURING)
    for _ in range(3):
        assert _post_objection(client, w.track).status_code == 302
    r = _post_objection(client, w.track)
    assert r.status_code == 429 and "过于频繁" in r.content.decode()
    assert Objection.objects.count() == 3
    # another address is not affected
    from django.test import Client

    other = Client(REMOTE_ADDR="192.0.2.7")
    assert _post_objection(other, w.track).status_code == 302
    assert Objection.objects.count() == 4


@pytest.mark.parametrize("when, reason", [(BEFORE, "公示期自 2026年12月14日 开始"), (AFTER, "公示期已于 2026年12月18日 结束")])
def test_outside_the_period_the_form_is_refused_and_nothing_is_stored(publicity, client, at, when, reason):
    at(*when)
    audit_before = AuditEntry.objects.count()
    r = _post_objection(client, publicity.track)
    assert r.status_code == 403 and reason in r.content.decode()
    assert not Objection.objects.exists() and AuditEntry.objects.count() == audit_before
    get = client.get(reverse("reviews:objection", args=[publicity.track.pk]))
    assert get.status_code == 200 and reason in get.content.decode() and "objection-form" not in get.content.decode()


def test_a_track_not_in_publicity_refuses_filing(world, client, at):
    at(*SCORING_DAY)
    track = brand_track(world, [make_judge("x1")])
    r = _post_objection(client, track)
    assert r.status_code == 403 and "当前不在公示期" in r.content.decode()
    assert not Objection.objects.exists()


# ---------------------------------------------------------------- receipt lookup and 组织部's answer


def test_receipt_lookup_shows_status_then_the_answer(publicity, client, at):
    w = publicity
    at(*DURING)
    o, code = services.file_objection(w.track, name="李", unit="化学院", contact="li@example.edu", content="有异议",
                                      entry_id=w.entries[0].pk)
    lookup = reverse("reviews:receipt")
    html = client.post(lookup, {"code": code.lower().replace("-", " ")}).content.decode()
    assert 'data-testid="lookup-status">待处理' in html
    assert "li@example.edu" not in html  # the lookup shows the answer, not who filed
    services.handle_objection(o, by=w.users.admin, outcome="rejected", handling="经核实，材料属实。")
    html = client.post(lookup, {"code": code}).content.decode()
    assert "已答复" in html and "驳回" in html and "经核实，材料属实。" in html
    html = client.post(lookup, {"code": "AAAA-BBBB-CCCC-DDDD"}).content.decode()
    assert "未找到该回执码" in html and "lookup-result" not in html
    assert client.post(lookup, {"code": "x" * 500}).status_code == 200


def test_lookups_are_throttled(publicity, client, at, settings):
    settings.RECEIPT_LOOKUPS_PER_HOUR = 2
    at(*DURING)
    for _ in range(2):
        assert client.post(reverse("reviews:receipt"), {"code": "AAAA-BBBB-CCCC-DDDD"}).status_code == 200
    r = client.post(reverse("reviews:receipt"), {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert r.status_code == 429 and "查询过于频繁" in r.content.decode()


def test_an_answer_needs_an_outcome_and_is_audited(publicity, at):
    w = publicity
    at(*DURING)
    o, _code = services.file_objection(w.track, name="李", unit="化学院", contact="1", content="有异议")
    with pytest.raises(services.JudgingError, match="处理结果"):
        services.handle_objection(o, by=w.users.admin, handling="已核实")
    with pytest.raises(services.JudgingError, match="组织部"):
        services.handle_objection(o, by=w.users.college, outcome="upheld", handling="已核实")
    o = services.handle_objection(o, by=w.users.admin, outcome="partial", handling="部分属实，已提醒")
    assert (o.outcome, o.handled_by) == ("partial", w.users.admin)
    entry = AuditEntry.objects.get(action="objection_handled")
    assert entry.changes["outcome"] == ["", "partial"] and entry.actor == w.users.admin


def test_admin_answers_through_the_decision_page(publicity, at):
    w = publicity
    at(*DURING)
    o, _code = services.file_objection(w.track, name="李", unit="化学院", contact="1", content="有异议")
    c = client_admin(w)
    url = reverse("reviews:action", args=[w.track.pk, "handle"])
    c.post(url, {"objection": o.pk, "version": o.version, "outcome": "", "handling": "x"})
    assert Objection.objects.get().handled_at is None
    c.post(url, {"objection": o.pk, "version": o.version, "outcome": "rejected", "handling": "不属实"})
    assert Objection.objects.get().outcome == "rejected"


# ---------------------------------------------------------------- upheld: withdraw the entry, the next moves up


def test_an_upheld_objection_withdraws_the_entry_and_the_next_moves_up(publicity, at):
    w = publicity
    admin = w.users.admin
    at(*DURING)
    e0, e1, e2, e3 = (e.pk for e in w.entries)
    assert _listed(w.track) == [(e0, 1), (e1, 2)]
    o, _code = services.file_objection(w.track, name="李", unit="化学院", contact="1", content="学院0材料抄袭",
                                       entry_id=e0)
    with pytest.raises(services.JudgingError, match="采纳"):  # not answered yet
        services.withdraw_entry(o, by=admin, reason="抄袭属实")
    services.handle_objection(o, by=admin, outcome="upheld", handling="经核实属实，撤销其拟表彰资格")
    with pytest.raises(services.JudgingError, match="撤销原因"):
        services.withdraw_entry(o, by=admin, reason=" ")
    with pytest.raises(services.JudgingError, match="组织部"):
        services.withdraw_entry(o, by=w.users.college, reason="抄袭属实")
    track, moved_in = services.withdraw_entry(o, by=admin, reason="抄袭属实")
    assert _listed(track) == [(e1, 1), (e2, 2)]  # 学院1 moves to 1st, 学院2 enters the list
    assert [p["entry"] for p in moved_in] == [e2]
    assert track.withdrawn[0]["entry"] == e0 and track.withdrawn[0]["reason"] == "抄袭属实"
    # once acted on, neither the answer nor a second withdrawal
    with pytest.raises(services.JudgingError, match="已根据该异议撤销"):
        services.withdraw_entry(o, by=admin, reason="再次")
    with pytest.raises(services.JudgingError, match="不能再修改"):
        services.handle_objection(o, by=admin, outcome="rejected", handling="改判")
    # a second upheld objection against 学院1: 学院3 moves in, 学院0 stays out
    o2, _code = services.file_objection(track, name="赵", unit="物理学院", contact="2", content="学院1也有问题",
                                        entry_id=e1)
    services.handle_objection(o2, by=admin, outcome="upheld", handling="属实")
    track, moved_in = services.withdraw_entry(o2, by=admin, reason="数据造假")
    assert _listed(track) == [(e2, 1), (e3, 2)]
    # the audit log holds both lists
    from django.contrib.contenttypes.models import ContentType

    entries = AuditEntry.objects.filter(action="withdraw_entry", object_id=str(track.pk),
                                        content_type=ContentType.objects.get_for_model(JudgingTrack)).order_by("id")
    assert [x.note for x in entries] == ["抄袭属实", "数据造假"]
    first = entries[0].changes["proposal"]
    assert [p["entry"] for p in first[0]] == [e0, e1] and [p["entry"] for p in first[1]] == [e1, e2]
    assert AuditEntry.objects.filter(action="withdraw_entry", object_id=str(o.pk),
                                     content_type=ContentType.objects.get_for_model(Objection)).exists()
    # the public page and the published results follow the new list
    at(*AFTER)
    services.publish(track, by=admin)
    assert list(Award.objects.order_by("place").values_list("entry_id", "place")) == [(e2, 1), (e3, 2)]


def test_withdrawal_through_the_decision_page_and_the_public_list(publicity, client, at):
    w = publicity
    at(*DURING)
    o, _code = services.file_objection(w.track, name="李", unit="化学院", contact="1", content="x", entry_id=w.entries[1].pk)
    services.handle_objection(o, by=w.users.admin, outcome="upheld", handling="属实")
    c = client_admin(w)
    page = c.get(reverse("reviews:decision", args=[w.track.pk])).content.decode()
    assert reverse("reviews:action", args=[w.track.pk, "withdraw"]) in page
    c.post(reverse("reviews:action", args=[w.track.pk, "withdraw"]), {"objection": o.pk, "reason": ""})
    assert _listed(w.track) == [(w.entries[0].pk, 1), (w.entries[1].pk, 2)]  # no reason: refused
    r = c.post(reverse("reviews:action", args=[w.track.pk, "withdraw"]), {"objection": o.pk, "reason": "属实"},
               follow=True)
    assert "递补：学院2党委" in r.content.decode()
    html = client.get(reverse("reviews:publicity")).content.decode()
    assert "学院2党委" in html and "学院1党委" not in html


def test_a_rejected_or_entry_less_objection_cannot_withdraw(publicity, at):
    w = publicity
    at(*DURING)
    o, _ = services.file_objection(w.track, name="李", unit="化学院", contact="1", content="x", entry_id=w.entries[0].pk)
    services.handle_objection(o, by=w.users.admin, outcome="rejected", handling="不属实")
    with pytest.raises(services.JudgingError, match="采纳"):
        services.withdraw_entry(o, by=w.users.admin, reason="r")
    o2, _ = services.file_objection(w.track, name="李", unit="化学院", contact="1", content="x")
    services.handle_objection(o2, by=w.users.admin, outcome="upheld", handling="属实")
    with pytest.raises(services.JudgingError, match="未指明"):
        services.withdraw_entry(o2, by=w.users.admin, reason="r")
    assert _listed(w.track) == [(w.entries[0].pk, 1), (w.entries[1].pk, 2)]


# ---------------------------------------------------------------- showcase badges wait for 公布


def test_showcase_badges_appear_only_once_the_results_are_published(publicity, client, at):
    from showcase import services as showcase
    from showcase.models import ShowcaseItem

    w = publicity
    at(*DURING)
    item = showcase.pick(w.campaign, w.entries[0].organization, "brand", by=w.users.admin)
    showcase.publish(item, by=w.users.admin, award="brand_top10")
    detail = reverse("showcase:detail", args=[item.pk])
    assert 'data-testid="award"' not in client.get(detail).content.decode()
    listing = client.get(reverse("showcase:list")).content.decode()
    assert "十佳党建品牌</span>" not in listing
    assert "学院0党委" not in client.get(reverse("showcase:list"), {"award": "any"}).content.decode()
    manage = client_admin(w).get(reverse("showcase:manage")).content.decode()
    assert "评审结果公布后显示" in manage
    at(*AFTER)
    services.publish(w.track, by=w.users.admin)
    assert "十佳党建品牌" in client.get(detail).content.decode()
    assert "十佳党建品牌</span>" in client.get(reverse("showcase:list")).content.decode()
    assert ShowcaseItem.objects.with_badge().get(pk=item.pk).badge == "brand_top10"


def test_a_public_action_is_open_to_anonymous_visitors_and_others_are_not():
    from django.contrib.auth.models import AnonymousUser

    from core.policy import Action, Policy

    table = Policy("test_public", {"look": Action("看", lambda u, o: True, public=True),
                                   "edit": Action("改", lambda u, o: True)})
    obj = object()
    assert table.allows("look", AnonymousUser(), obj) and table.allows("look", None, obj)
    assert not table.allows("edit", AnonymousUser(), obj)
    from core.policy import REGISTRY

    REGISTRY.pop("test_public")  # not a real machine: keep it out of docs/policy-tables.md


def test_the_decision_page_shows_the_buttons_the_policy_allows(publicity, at):
    w = publicity
    at(*DURING)
    services.file_objection(w.track, name="李", unit="化学院", contact="1", content="x", entry_id=w.entries[0].pk)
    c = client_admin(w)
    url = reverse("reviews:decision", args=[w.track.pk])
    html = c.get(url).content.decode()
    action = lambda name: reverse("reviews:action", args=[w.track.pk, name])  # noqa: E731
    assert action("handle") in html and action("objection") in html
    assert action("propose") not in html and action("publicity") not in html and action("approve") not in html
    assert action("publish") not in html and "公示期至 2026年12月18日 结束" in html  # why 公布 is not offered yet
    assert action("withdraw") not in html  # not answered (采纳) yet
    o = Objection.objects.get()
    services.handle_objection(o, by=w.users.admin, outcome="upheld", handling="属实")
    assert action("withdraw") in c.get(url).content.decode()
    services.handle_objection(o, by=w.users.admin, outcome="partial", handling="部分属实")
    at(*AFTER)
    c = client_admin(w)  # a new day, a new session
    html = c.get(url).content.decode()
    assert action("publish") in html and action("withdraw") not in html
    services.publish(w.track, by=w.users.admin)
    html = c.get(url).content.decode()
    assert not any(action(a) in html for a in ("handle", "objection", "publish", "withdraw", "propose"))
