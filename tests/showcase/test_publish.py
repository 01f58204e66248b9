"""Publish/unpublish rules: visitors only ever reach published items and their files."""

import pytest
from django.urls import reverse

from audit.log import history_for
from showcase import services
from showcase.models import ShowcaseItem


def test_picking_takes_a_snapshot_that_later_draft_edits_do_not_change(picked):
    item = picked.item_a
    assert item.title == "红色引擎" and item.slogan == "党建强引擎 发展增动能"
    assert item.measure_list() == ["举措一", "举措二"]
    assert [o.title for o in item.outcomes.all() if o.outcome_type == "case"] == ["党建引领科研攻关典型案例"]
    form1 = item.form1
    form1.slogan = "改过的口号"
    form1.save()
    item.refresh_from_db()
    assert item.slogan == "党建强引擎 发展增动能"
    services.refresh(item, by=picked.users.admin)
    item.refresh_from_db()
    assert item.slogan == "改过的口号"


def test_unpublished_item_is_404_for_visitors_and_other_orgs(picked, client_for):
    url = reverse("showcase:detail", args=[picked.item_a.pk])
    for user in (None, picked.users.norole, picked.users.college_b, picked.users.branch_b, picked.users.judge):
        assert client_for(user).get(url).status_code == 404, user


def test_unpublished_item_is_previewable_by_its_org_and_admin(picked, client_for):
    url = reverse("showcase:detail", args=[picked.item_a.pk])
    for user in (picked.users.college, picked.users.admin):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert "尚未发布" in response.content.decode()
    # a branch item: its branch secretary and its college secretary may preview
    url = reverse("showcase:detail", args=[picked.item_a1.pk])
    assert client_for(picked.users.branch).get(url).status_code == 200
    assert client_for(picked.users.college).get(url).status_code == 200
    assert client_for(picked.users.college_b).get(url).status_code == 404


def test_publish_makes_item_public_and_is_audited(picked, client_for):
    admin = picked.users.admin
    services.publish(picked.item_a, by=admin, award="brand_top10")
    response = client_for(None).get(reverse("showcase:detail", args=[picked.item_a.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "红色引擎" in body and "党建强引擎 发展增动能" in body and "十佳党建品牌" in body
    assert "党建引领科研攻关典型案例" in body and "举措二" in body
    assert "尚未发布" not in body
    actions = [e.action for e in history_for(picked.item_a)]
    assert actions[0] == "publish"
    services.unpublish(picked.item_a, by=admin)
    assert client_for(None).get(reverse("showcase:detail", args=[picked.item_a.pk])).status_code == 404
    assert [e.action for e in history_for(picked.item_a)][0] == "unpublish"


def test_publish_and_unpublish_through_the_manage_page(picked, client_for):
    admin = client_for(picked.users.admin)
    r = admin.post(reverse("showcase:publish", args=[picked.item_a1.pk]), {"award": "branch_top10"})
    assert r.status_code == 302
    item = ShowcaseItem.objects.get(pk=picked.item_a1.pk)
    assert item.is_published and item.award == "branch_top10"
    admin.post(reverse("showcase:unpublish", args=[item.pk]))
    assert not ShowcaseItem.objects.get(pk=item.pk).is_published
    # a brand cannot get the branch award
    admin.post(reverse("showcase:publish", args=[picked.item_a.pk]), {"award": "branch_top10"})
    assert not ShowcaseItem.objects.get(pk=picked.item_a.pk).is_published


@pytest.mark.parametrize("role", ["college", "branch", "judge", "norole"])
def test_only_zzb_admin_may_publish(picked, client_for, role):
    c = client_for(getattr(picked.users, role))
    assert c.post(reverse("showcase:publish", args=[picked.item_a.pk])).status_code == 403
    assert c.post(reverse("showcase:unpublish", args=[picked.item_b.pk])).status_code == 403
    assert c.post(reverse("showcase:pick", args=[2026]), {"organization": picked.college_a.pk, "kind": "brand"}).status_code == 403
    assert not ShowcaseItem.objects.get(pk=picked.item_a.pk).is_published
    assert ShowcaseItem.objects.get(pk=picked.item_b.pk).is_published


def test_anonymous_publish_goes_to_login(picked, client_for):
    r = client_for(None).post(reverse("showcase:publish", args=[picked.item_a.pk]))
    assert r.status_code == 302 and reverse("login") in r["Location"]
    assert not ShowcaseItem.objects.get(pk=picked.item_a.pk).is_published


def test_pick_through_the_manage_page(world, client_for):
    from .conftest import branch_sources

    branch_sources(world.campaign, world.branch_b2, "社区服务站")
    admin = client_for(world.users.admin)
    page = admin.get(reverse("showcase:manage") + "?year=2026").content.decode()
    assert "社区服务站" in page
    admin.post(reverse("showcase:pick", args=[2026]), {"organization": world.branch_b2.pk, "kind": "branch"})
    item = ShowcaseItem.objects.get(organization=world.branch_b2)
    assert item.title == "社区服务站" and not item.is_published and item.college == world.college_b


def test_files_of_unpublished_items_are_not_reachable(picked, client_for):
    anon = client_for(None)
    item = picked.item_a
    files = [item.video, *item.photos.all(), *item.documents.all()]
    assert item.video is not None and len(files) >= 3
    for a in files:
        assert anon.get(reverse("submissions:attachment", args=[a.uuid])).status_code == 404
    for name in ("showcase:logo", "showcase:poster"):
        assert anon.get(reverse(name, args=[item.pk])).status_code == 404
    services.publish(item, by=picked.users.admin)
    for a in files:
        assert anon.get(reverse("submissions:attachment", args=[a.uuid])).status_code == 200, a
    assert anon.get(reverse("showcase:logo", args=[item.pk])).status_code == 200
    assert anon.get(reverse("showcase:poster", args=[item.pk])).status_code == 200
    services.unpublish(item, by=picked.users.admin)
    for a in files:
        assert anon.get(reverse("submissions:attachment", args=[a.uuid])).status_code == 404


def test_published_video_streams_with_range_and_has_poster(picked, client_for):
    item = picked.item_a
    services.publish(item, by=picked.users.admin)
    item.refresh_from_db()
    assert item.poster, "ffmpeg poster frame was not extracted"
    anon = client_for(None)
    page = anon.get(reverse("showcase:detail", args=[item.pk])).content.decode()
    assert '<video controls preload="metadata"' in page
    assert f'poster="{reverse("showcase:poster", args=[item.pk])}"' in page
    r = anon.get(reverse("submissions:attachment", args=[item.video.uuid]), HTTP_RANGE="bytes=100-199")
    assert r.status_code == 206 and r["Content-Range"].startswith("bytes 100-199/")
    poster = anon.get(reverse("showcase:poster", args=[item.pk]))
    assert b"".join(poster.streaming_content)[:3] == b"\xff\xd8\xff"


def test_other_orgs_unrelated_files_stay_private(picked, client_for):
    from .conftest import attachment

    private = attachment(picked.college_b, "pdf", "内部.pdf", b"%PDF-1.4 x")
    assert client_for(None).get(reverse("submissions:attachment", args=[private.uuid])).status_code == 404


def test_without_ffmpeg_there_is_no_poster_but_the_video_still_plays(picked, client_for, monkeypatch):
    from showcase import media

    monkeypatch.setattr(media, "ffmpeg_path", lambda: None)
    item = picked.item_a
    item.refresh_from_db()
    assert item.poster  # made by the task when the item was picked
    item.poster.delete(save=True)
    assert media.save_poster(item) is False
    services.publish(item, by=picked.users.admin)
    page = client_for(None).get(reverse("showcase:detail", args=[item.pk])).content.decode()
    assert '<video controls preload="metadata"' in page and "poster=" not in page


def test_publish_redirects_only_to_local_next(picked, client_for):
    admin = client_for(picked.users.admin)
    r = admin.post(reverse("showcase:publish", args=[picked.item_a.pk]), {"next": "https://evil.example/"})
    assert r["Location"].startswith(reverse("showcase:manage"))
    r = admin.post(reverse("showcase:unpublish", args=[picked.item_a.pk]), {"next": "/showcase/items/1/"})
    assert r["Location"] == "/showcase/items/1/"


def test_picking_takes_the_badge_from_published_judging_results(world):
    import datetime as dt

    from django.utils import timezone

    from reviews.models import Award as JudgingAward
    from reviews.models import JudgingTrack

    from .conftest import brand_sources

    _f1, entry = brand_sources(world.campaign, world.college_a, "红色引擎", photo=False)
    brand_sources(world.campaign, world.college_b, "青春领航", photo=False)
    now = timezone.now()
    track = JudgingTrack.objects.create(campaign=world.campaign, track="brand", opens_at=now,
                                        closes_at=now + dt.timedelta(days=1), stage="publicity")
    JudgingAward.objects.create(track=track, entry=entry, place=1, final_score=95)
    # results not published yet: no badge
    assert services.pick(world.campaign, world.college_a, "brand", by=world.users.admin).award == ""
    ShowcaseItem.objects.all().delete()
    JudgingTrack.objects.filter(pk=track.pk).update(stage="published")
    a = services.pick(world.campaign, world.college_a, "brand", by=world.users.admin)
    b = services.pick(world.campaign, world.college_b, "brand", by=world.users.admin)
    assert (a.award, b.award) == ("brand_top10", "")
    assert "十佳党建品牌" in history_for(a)[0].note
