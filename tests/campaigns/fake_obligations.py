"""A fake obligations provider for reminder tests: the test decides who owes what.

The real providers (submissions, reviews) are not needed: reminders read only the registry.
`FakeObligations.to_env()` / `install_from_env()` carry the same answers into a Celery worker
subprocess (see test_reminders_worker.py)."""

import json
import os
import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from campaigns import obligations
from campaigns.obligations import Obligation

ENV = "FAKE_OBLIGATIONS"


class FakeObligations:
    def __init__(self, entries=None):
        # each entry: {"org_id" or "user_id", "key", "label", "kind", "done", "url", "role"}
        self.entries = list(entries or [])

    def owe(self, org, key, label, kind="design", role=None, url=None):
        self.entries.append({"org_id": org.pk, "key": key, "label": label, "kind": kind, "done": False,
                             "role": role, "url": url or f"/forms/{key}/{org.pk}/"})
        return self

    def owe_user(self, user, key, label, kind="judging", url=None):
        self.entries.append({"user_id": user.pk, "key": key, "label": label, "kind": kind, "done": False,
                             "role": None, "url": url or f"/judging/{key}/"})
        return self

    def complete(self, key, org=None):
        for e in self.entries:
            if e["key"] == key and (org is None or e.get("org_id") == org.pk):
                e["done"] = True

    def __call__(self, campaign, user, assignment):
        from campaigns.queries import effective_due, extension_map

        # like a well-behaved provider: the campaign's deadlines and extensions are read once
        # per campaign object (one run), not once per call
        cache = getattr(campaign, "_fake_obligations_cache", None)
        if cache is None:
            cache = campaign._fake_obligations_cache = (
                {d.kind: d for d in campaign.deadlines.all()}, extension_map(campaign.pk))
        deadlines, extensions = cache
        out = []
        for e in self.entries:
            if "user_id" in e:
                if e["user_id"] != user.pk or assignment.role != "judge":
                    continue
                org = None
            else:
                if assignment.organization_id != e["org_id"] or (e.get("role") and assignment.role != e["role"]):
                    continue
                org = assignment.organization
            d = deadlines.get(e["kind"])
            out.append(Obligation(key=e["key"], label=e["label"], organization=org,
                                  due_at=effective_due(d, org, extensions), url=e["url"], done=e["done"],
                                  state="已提交" if e["done"] else "未开始", deadline_kind=e["kind"]))
        return out

    def to_env(self):
        return json.dumps(self.entries)


def install_from_env():
    """Called from a worker's settings module: register a provider built from $FAKE_OBLIGATIONS."""
    raw = os.environ.get(ENV)
    if raw:
        obligations.register(FakeObligations(json.loads(raw)))


class FlakySMTPBackend(LocmemBackend):
    """Fails the first `failures` sends with an SMTP error, then delivers to the locmem outbox."""

    failures = 0
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("连接被服务器关闭")
        return super().send_messages(messages)
