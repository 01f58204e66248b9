"""Track setup: rubric editable until scoring starts, rules fixed before judging, all audited."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from reviews import services
from reviews.models import JudgingTrack
from submissions.models import Track

from .helpers import SCORING_DAY, brand_track, make_entry, open_track


def rubric_rows(track):
    return [{"code": c.code, "name": c.name, "description": c.description, "max_points": c.max_points}
            for c in track.criteria.filter(round=1).order_by("sort_order")]


def test_new_track_has_the_default_rubric_totalling_100(world):
    track = services.create_track(world.campaign, Track.BRAND, by=world.users.admin)
    assert [(c.name, c.max_points) for c in track.criteria.filter(round=1).order_by("sort_order")] == [
        ("品牌定位与内涵 / 特色鲜明", 15), ("举措与机制创新", 25), ("创建成效 / 党建促业务", 30),
        ("示范推广 / 可复制", 20), ("材料规范，\"三个一\"齐全", 10),
    ]
    assert track.closes_at == world.campaign.deadlines.get(kind="judging").due_at
    assert AuditEntry.objects.filter(action="judging_create").count() == 1


def test_rubric_is_editable_before_scoring_and_frozen_after(world, at):
    w = world
    at(*SCORING_DAY)
    make_entry(w.campaign, w.college_b)
    track = brand_track(w, [w.users.judge])
    rows = rubric_rows(track)
    rows[0]["max_points"] = 20
    rows.append({"code": "extra", "name": "加分项", "description": "", "max_points": 5})
    track = services.save_rubric(track, rows, by=w.users.admin, expected_version=track.version)
    assert track.criteria.get(code="positioning").max_points == 20
    assert AuditEntry.objects.filter(action="rubric_update").count() == 1
    track = open_track(track, w.users.admin)
    assert track.rubric_frozen_at is not None
    with pytest.raises(services.JudgingError, match="冻结"):
        services.save_rubric(track, rows[:2], by=w.users.admin, expected_version=track.version)
    assert track.criteria.filter(round=1).count() == 6


def test_ranking_rules_are_fixed_once_scoring_starts(world, at):
    w = world
    at(*SCORING_DAY)
    make_entry(w.campaign, w.college_b)
    track = open_track(brand_track(w, [w.users.judge]), w.users.admin)
    for change in ({"aggregation": "mean"}, {"tie_break": ["vote"]}, {"normalise": True}, {"blind": True}):
        with pytest.raises(services.JudgingError, match="评审开始前确定"):
            services.update_track(track, change, by=w.users.admin, expected_version=track.version)
    track = services.update_track(track, {"award_amount": 20000}, by=w.users.admin, expected_version=track.version)
    assert track.award_amount == 20000


def test_tie_break_chain_must_name_existing_criteria(world):
    track = services.create_track(world.campaign, Track.BRAND, by=world.users.admin)
    with pytest.raises(services.JudgingError):
        services.update_track(track, {"tie_break": ["criterion:nope"]}, by=world.users.admin, expected_version=track.version)
    with pytest.raises(services.JudgingError):
        services.update_track(track, {"tie_break": ["vote", "vote"]}, by=world.users.admin, expected_version=track.version)


def test_round_weights_must_add_up_to_100(world):
    track = services.create_track(world.campaign, Track.BRAND, by=world.users.admin)
    with pytest.raises(services.JudgingError):
        services.update_track(track, {"second_round": True, "round1_weight": 60, "round2_weight": 30},
                              by=world.users.admin, expected_version=track.version)


def test_settings_page_saves_the_tie_break_chain(world, client_for):
    track = services.create_track(world.campaign, Track.BRAND, by=world.users.admin)
    c = client_for(world.users.admin)
    post = {
        "version": track.version, "opens_at": "2026-11-11T08:00", "closes_at": "2026-12-05T18:00", "aggregation": "mean",
        "disagree_sd": "6", "judges_per_entry": 3, "shortlist_size": 12, "round1_weight": 60, "round2_weight": 40,
        "award_count": 10, "award_amount": "30000", "blind": "on",
        "tie_break_1": "criterion:innovation", "tie_break_2": "vote", "tie_break_3": "",
    }
    response = c.post(reverse("reviews:settings", args=[track.pk]), post)
    assert response.status_code == 302, response.content.decode()[:2000]
    track = JudgingTrack.objects.get(pk=track.pk)
    assert track.tie_break == ["criterion:innovation", "vote"]
    assert track.blind and track.judges_per_entry == 3 and track.aggregation == "mean"
    assert AuditEntry.objects.filter(action="track_update").exists()


def test_rubric_page_saves_a_formset(world, client_for):
    track = services.create_track(world.campaign, Track.BRAND, by=world.users.admin)
    post = {"version": track.version, "c-TOTAL_FORMS": 2, "c-INITIAL_FORMS": 0,
            "c-0-code": "a", "c-0-name": "甲", "c-0-max_points": 60, "c-1-code": "effect", "c-1-name": "成效", "c-1-max_points": 40}
    response = client_for(world.users.admin).post(reverse("reviews:rubric", args=[track.pk]), post)
    assert response.status_code == 302
    assert list(track.criteria.filter(round=1).order_by("sort_order").values_list("code", "max_points")) == [("a", 60), ("effect", 40)]


def test_after_scoring_starts_the_settings_page_still_saves_the_later_fields(world, at, client_for):
    w = world
    at(*SCORING_DAY)
    make_entry(w.campaign, w.college_b)
    track = open_track(brand_track(w, [w.users.judge]), w.users.admin)
    post = {"version": track.version, "opens_at": "2020-01-01T00:00", "aggregation": "mean", "closes_at": "2026-12-12T18:00",
            "disagree_sd": "5", "shortlist_size": 15, "award_amount": "40000", "tie_break_1": "vote"}
    response = client_for(w.users.admin).post(reverse("reviews:settings", args=[track.pk]), post)
    assert response.status_code == 302
    track = JudgingTrack.objects.get(pk=track.pk)
    assert track.award_amount == 40000 and track.closes_at.day == 12
    assert track.aggregation == "trimmed" and track.opens_at.year == 2026  # disabled fields keep their values
    assert track.tie_break == ["criterion:effect", "top_scores", "vote"]


def test_support_staff_admin_pages_render_read_only(world, client_for):
    from organizations.models import User

    track = services.create_track(world.campaign, Track.BRAND, by=world.users.admin)
    su = User.objects.create_superuser("su", "su@example.edu.cn", "pw-123456")
    c = client_for(su)
    for url in (reverse("admin:reviews_judgingtrack_changelist"), reverse("admin:reviews_judgingtrack_change", args=[track.pk]),
                reverse("admin:reviews_assignment_changelist"), reverse("admin:reviews_scoresheet_changelist")):
        assert c.get(url).status_code == 200, url
    c.post(reverse("admin:reviews_judgingtrack_change", args=[track.pk]), {"criteria-TOTAL_FORMS": 0})
    assert JudgingTrack.objects.get(pk=track.pk).version == track.version
    assert track.criteria.filter(round=1).count() == 5


def test_approver_reads_rankings_but_cannot_manage(world, client_for):
    from organizations.models import Role

    from ..factories import UserFactory, give_role

    approver = give_role(UserFactory(username="leader"), Role.APPROVER)
    track = services.create_track(world.campaign, Track.BRAND, by=world.users.admin)
    c = client_for(approver)
    index = c.get(reverse("reviews:index"))
    assert index.status_code == 200 and "十佳排名" in index.content.decode()
    assert 'name="track"' not in index.content.decode()  # no "create track" form
    assert c.get(reverse("reviews:ranking", args=[track.pk])).status_code == 200
    assert c.get(reverse("reviews:ranking_xlsx", args=[track.pk])).status_code == 200
    for name in ("reviews:track", "reviews:decision", "reviews:matrix_xlsx", "reviews:judges"):
        assert c.get(reverse(name, args=[track.pk])).status_code == 403, name
    assert c.post(reverse("reviews:index"), {"campaign": world.campaign.pk, "track": "branch"}).status_code == 403
    assert c.post(reverse("reviews:action", args=[track.pk, "open"])).status_code == 403
