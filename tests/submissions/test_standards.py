from django.urls import reverse

from audit.log import history_for
from submissions.models import StandardItem


def post_data(items, **changes):
    data = {"form-TOTAL_FORMS": len(items), "form-INITIAL_FORMS": len(items), "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000}
    for i, item in enumerate(items):
        values = {"id": item.pk, "name": item.name, "description": item.description, "sort_order": item.sort_order,
                  "is_active": "on" if item.is_active else ""}
        values.update(changes.get(item.code, {}))
        for k, v in values.items():
            if k == "is_active" and not v:
                continue
            data[f"form-{i}-{k}"] = v
    return data


def test_admin_renames_and_deactivates_an_item_and_the_form_follows(world, client_for):
    items = list(StandardItem.objects.order_by("kind", "sort_order"))
    c = client_for(world.users.admin)
    response = c.post(reverse("submissions:standards"),
                      post_data(items, team={"name": "思想教育到位"}, serve={"is_active": ""}))
    assert response.status_code == 302
    team = StandardItem.objects.get(kind="five", code="team")
    assert team.name == "思想教育到位"
    assert not StandardItem.objects.get(kind="seven", code="serve").is_active
    assert history_for(team).first().changes["name"] == ["班子建设到位", "思想教育到位"]
    from submissions import services

    assert "服务师生有力" not in [i.name for i in services.standard_items("seven")]
    assert "思想教育到位" in [i.name for i in services.standard_items("five")]


def test_only_admin_may_edit_standards(world, client_for):
    items = list(StandardItem.objects.order_by("kind", "sort_order"))
    response = client_for(world.users.college).post(reverse("submissions:standards"), post_data(items, team={"name": "改"}))
    assert response.status_code == 403
    assert StandardItem.objects.get(kind="five", code="team").name == "班子建设到位"
