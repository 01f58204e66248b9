"""Benchmark: a reminder run for 2,000 people with and without the 企业微信/钉钉 channels.

    .venv/bin/python bench/notify_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bc_notify_bench .venv/bin/python bench/notify_bench.py

Same world as reminders_bench.py (200 院级 orgs × 10 branches, 2,000 branch secretaries who owe 附件2).
Celery runs in-process (no broker), mail goes to the in-memory backend, the platforms are the local
receiver of tests/notify (a thread in this process, so its HTTP time is counted).
  baseline  run_due() at the 3-days-before slot: e-mail only
  channels  run_due() at the 1-day-before slot with 200 college robots (企业微信), 1 role robot (钉钉,
            all 支部书记) and 企业微信 application messages for everyone: + 201 group and 2,000 personal messages
  rerun     run_due() again at the same moment (must record and send nothing)
Prints numbers; asserts nothing about speed.
"""

import datetime as dt
import logging
import time

import reminders_bench as rb  # sets up Django and the database

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402

from campaigns import obligations, reminders  # noqa: E402
from notify import services  # noqa: E402
from notify.models import Delivery, Robot  # noqa: E402
from organizations.models import Level, Organization, Role, User  # noqa: E402
from tests.notify.receiver import Receiver  # noqa: E402


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:9s} {seconds:7.2f} s")
    return result, seconds


def main():
    logging.getLogger("celery").setLevel(logging.WARNING)
    logging.getLogger("notify").setLevel(logging.ERROR)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    campaign = rb.build()
    receiver = Receiver().start()
    settings.NOTIFY_WEBHOOK_HOSTS = ["127.0.0.1"]
    receiver.members.update(User.objects.values_list("username", flat=True))
    admin = User.objects.get(username="zzb")
    with obligations.registered(rb.provider_for(campaign)):
        _, base_s = timed("baseline", lambda: reminders.run_due(rb.NOW, campaign=campaign))
        mails_base = len(mail.outbox)
        settings.WECOM_API_BASE = receiver.base
        settings.WECOM_CORP_ID, settings.WECOM_APP_SECRET = receiver.corp_id, receiver.corp_secret
        settings.WECOM_AGENT_ID = str(receiver.agent_id)
        for college in Organization.objects.filter(level=Level.COLLEGE):
            _key, url = receiver.wecom_robot()
            services.create_robot({"name": f"{college.name}群", "platform": "wecom", "organization": college,
                                   "role": "", "webhook": url}, by=admin)
        token, secret, url = receiver.dingtalk_robot()
        services.create_robot({"name": "全校支部书记群", "platform": "dingtalk", "organization": None,
                               "role": Role.BRANCH_SECRETARY, "webhook": url, "secret": secret}, by=admin)
        later = rb.NOW + dt.timedelta(days=2)
        _, chan_s = timed("channels", lambda: reminders.run_due(later, campaign=campaign))
        received = len(receiver.received)
        again, _ = timed("rerun", lambda: reminders.run_due(later, campaign=campaign))
        after_rerun, rows = len(receiver.received), Delivery.objects.count()
    # The delivery step alone: 1,000 recorded messages to one robot, 50 per task as in production.
    from notify import delivery
    from notify.messages import Line, Message

    robot = Robot.objects.filter(platform="wecom").first()
    ids = []
    for n in range(1000):
        ids += services.publish(f"bench:{n}", Message(title=f"提醒{n}", lines=[Line("填写附件2", "支部")]),
                                robots=[robot], deliver=False)

    def deliver_all():
        return sum(delivery.deliver(ids[i : i + 50]).sent for i in range(0, len(ids), 50))

    n, d_s = timed("deliver", deliver_all)
    print(f"          {n} robot messages claimed, sent over HTTP and marked sent: {n / d_s:.0f} messages/s")
    big = len(receiver.messages_for(token)[0]["markdown"]["text"].encode())
    print(f"mails: baseline={mails_base} total={len(mail.outbox)}; deliveries={rows} "
          f"received={received} after_rerun={after_rerun} rerun_queued={again.queued}")
    print(f"钉钉 all-branches message: {big} bytes (cut to the limit with “另有 N 项”)")
    print(f"run_due with channels / without: {chan_s / base_s:.2f}x (machine load varies: compare on an idle machine)")
    receiver.stop()


if __name__ == "__main__":
    main()
