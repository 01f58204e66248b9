import datetime as dt

from django.urls import reverse

from campaigns.models import DeadlineExtension, DeadlineKind
from audit.models import AuditEntry


def test_admin_grants_and_revokes_an_extension_in_the_browser_flow(world, client_for):
    c = client_for(world.users.admin)
    deadline = world.campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    url = reverse("campaigns:detail", args=[world.campaign.pk])
    response = c.post(url, {"deadline": deadline.pk, "organization": world.college_b.pk,
                            "due_at": "2026-05-22T18:00", "reason": "书记出差"})
    assert response.status_code == 302
    ext = DeadlineExtension.objects.get()
    assert ext.organization == world.college_b
    response = c.post(reverse("campaigns:revoke_extension", args=[world.campaign.pk, ext.pk]))
    assert response.status_code == 302
    assert not DeadlineExtension.objects.exists()
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {"grant_extension", "revoke_extension"}


def test_non_admin_cannot_revoke_extension(world, client_for):
    from campaigns.services import grant_extension

    deadline = world.campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    ext = grant_extension(deadline, world.college_a, deadline.due_at + dt.timedelta(days=3), "原因", by=world.users.admin)
    response = client_for(world.users.college).post(reverse("campaigns:revoke_extension", args=[world.campaign.pk, ext.pk]))
    assert response.status_code == 403
    assert DeadlineExtension.objects.filter(pk=ext.pk).exists()


def test_admin_edits_dates_and_the_change_is_audited(world, client_for):
    c = client_for(world.users.admin)
    url = reverse("campaigns:edit", args=[world.campaign.pk])
    form = c.get(url).context["form"]
    data = {k: (v.strftime("%Y-%m-%d") if hasattr(v, "strftime") and not hasattr(v, "hour") else v)
            for k, v in form.initial.items() if k in form.fields}
    data.update(version=1, design_end="2026-05-20", due_design="2026-05-20T23:59",
                due_review="2026-11-10T23:59", due_judging="2026-12-10T23:59")
    response = c.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    world.campaign.refresh_from_db()
    assert world.campaign.design_end == dt.date(2026, 5, 20)
    entry = AuditEntry.objects.filter(action="update").latest("at")
    assert "design_end" in entry.changes and "deadline:design" in entry.changes


def test_home_shows_phase_and_campaign(world, client_for, at):
    at(2026, 5, 8, 10, 0)
    body = client_for(world.users.branch).get(reverse("home")).content.decode()
    assert "特色品牌设计" in body and "进行中" in body
