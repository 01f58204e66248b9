"""Four workers given the same delivery ids at once, against PostgreSQL: each message goes out once."""

import pytest
from django.db import connection

from notify import delivery, services
from notify.messages import Line, Message
from notify.models import Delivery, DeliveryStatus

from ..campaigns.test_reminders_concurrency import in_threads
from .conftest import make_robot


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_the_same_rows_send_each_once(world, receiver):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    robots = []
    for i in range(4):
        key, url = receiver.wecom_robot()
        robots.append((key, make_robot(world.users.admin, url, role="branch_secretary", name=f"群{i}")))
    ids = []
    for n in range(10):
        m = Message(title=f"提醒{n}", lines=[Line("填写附件2", "甲一支部")])
        ids += services.publish(f"e{n}", m, robots=[r for _k, r in robots], deliver=False)
    results = in_threads(4, lambda: delivery.deliver(ids))
    assert sum(r.sent for r in results) == 40
    assert len(receiver.received) == 40
    for key, _robot in robots:
        assert sorted(p["markdown"]["content"].split("\n")[0] for p in receiver.messages_for(key)) == sorted(
            f"### 提醒{n}" for n in range(10))
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
