"""The whole journey through the pages (test client): set up a track → two judges score → ranking → 公示 → publish."""

import datetime as dt

from django.urls import reverse

from audit.models import AuditEntry
from reviews.models import Assignment, Award, JudgingTrack, Stage

from ..factories import CollegeFactory
from .helpers import make_entry, make_judge


def test_setup_score_rank_publicity_publish_through_the_pages(world, at, client_for):
    w = world
    at(2026, 11, 12, 9, 0)
    e1 = make_entry(w.campaign, CollegeFactory(parent=w.school, name="丙学院党委"), title="丙品牌")
    e2 = make_entry(w.campaign, CollegeFactory(parent=w.school, name="丁学院党委"), title="丁品牌")
    j1, j2 = make_judge("jy1"), make_judge("jy2")
    admin = client_for(w.users.admin)

    # 1. set up
    r = admin.post(reverse("reviews:index"), {"campaign": w.campaign.pk, "track": "brand"})
    track = JudgingTrack.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("reviews:track", args=[track.pk])
    s = {"version": track.version, "opens_at": "2026-11-11T08:00", "closes_at": "2026-11-30T18:00", "aggregation": "mean",
         "disagree_sd": "8", "judges_per_entry": 0, "shortlist_size": 15, "round1_weight": 60, "round2_weight": 40,
         "defence_minutes": 8, "award_count": 1, "award_amount": "20000", "tie_break_1": "criterion:effect"}
    assert admin.post(reverse("reviews:settings", args=[track.pk]), s).status_code == 302
    admin.post(reverse("reviews:judges", args=[track.pk]), {"judges": [j1.pk, j2.pk]})
    admin.post(reverse("reviews:action", args=[track.pk, "assign"]), {"next": "judges"})
    assert Assignment.objects.filter(track=track).count() == 4
    admin.post(reverse("reviews:action", args=[track.pk, "open"]))
    track.refresh_from_db()
    assert track.stage == Stage.SCORING

    # 2. two judges score through the scoring screen and submit
    crit = list(track.criteria.filter(round=1).order_by("sort_order"))
    for judge, values in ((j1, {e1: [15, 25, 30, 20, 10], e2: [10, 20, 20, 15, 5]}),
                          (j2, {e1: [12, 22, 26, 18, 9], e2: [13, 23, 27, 19, 9]})):
        c = client_for(judge)
        assert c.get(reverse("reviews:queue")).status_code == 200
        for entry, pts in values.items():
            a = Assignment.objects.get(track=track, judge=judge, entry=entry)
            post = {f"c_{cr.pk}": v for cr, v in zip(crit, pts)} | {"version": a.version, "action": "save_next"}
            assert c.post(reverse("reviews:score", args=[a.pk]), post).status_code == 302
        assert c.post(reverse("reviews:submit_sheet", args=[track.pk, 1])).status_code == 302
    assert track.sheets.filter(submitted_at__isnull=False).count() == 2

    # 3. close and rank: e1 = (100 + 87) / 2 = 93.5, e2 = (70 + 91) / 2 = 80.5
    admin.post(reverse("reviews:action", args=[track.pk, "close"]))
    body = admin.get(reverse("reviews:ranking", args=[track.pk])).content.decode()
    assert body.index("丙学院党委") < body.index("丁学院党委") and "93.50" in body and "80.50" in body

    # 4. propose → approve → 公示 → objection handled → publish
    admin.post(reverse("reviews:action", args=[track.pk, "propose"]), {"next": "decision"})
    from django.core.files.uploadedfile import SimpleUploadedFile

    minutes = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4\n%%EOF\n")
    admin.post(reverse("reviews:action", args=[track.pk, "approve"]), {"note": "2026年第30次党委常委会", "minutes": minutes})
    admin.post(reverse("reviews:action", args=[track.pk, "publicity"]), {"start": "2026-12-01"})
    track.refresh_from_db()
    assert track.stage == Stage.PUBLICITY and track.publicity_end == dt.date(2026, 12, 7)
    admin.post(reverse("reviews:action", args=[track.pk, "objection"]),
               {"received_on": "2026-12-02", "entry": e1.pk, "content": "反映申报材料数据有误"})
    o = track.objections.get()
    admin.post(reverse("reviews:action", args=[track.pk, "publish"]))
    track.refresh_from_db()
    assert track.stage == Stage.PUBLICITY  # refused: 公示 not over, objection open
    admin.post(reverse("reviews:action", args=[track.pk, "handle"]), {"objection": o.pk, "version": o.version,
                                                                      "outcome": "rejected",
                                                                      "handling": "经核实数据无误，维持结果"})
    at(2026, 12, 8, 9, 0)
    admin = client_for(w.users.admin)  # a new day, a new session
    r = admin.post(reverse("reviews:action", args=[track.pk, "publish"]), follow=True)
    track.refresh_from_db()
    assert track.stage == Stage.PUBLISHED, [str(m) for m in r.context["messages"]]
    assert list(Award.objects.values_list("entry_id", "place", "amount")) == [(e1.pk, 1, 20000)]
    results = client_for(w.users.branch).get(reverse("reviews:results")).content.decode()
    assert "丙学院党委" in results and "丁学院党委" not in results
    assert AuditEntry.objects.filter(action__in=["propose", "approve", "publicity", "objection", "objection_handled",
                                                 "publish"]).count() == 6
