"""A busy database ("database is locked" on SQLite, a deadlock or serialization failure on PostgreSQL)
under concurrent requests: one retry where that is safe, then the Chinese refusal "系统繁忙", never a 500.

SQLite's lock is simulated with a statement hook (django's execute_wrapper) that answers
"database is locked" like sqlite3 does; the PostgreSQL deadlock is real (two threads locking two rows
in opposite order)."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.urls import reverse

from core import versioning
from core.concurrency import BUSY_MESSAGE, Busy, StaleEdit, is_busy
from showcase.models import ShowcaseItem
from submissions.models import Form1

from ..submissions.helpers import FORM1_COMPLETE, form1_post


class LockedFor:
    """Answer "database is locked" to the first `times` writes touching `table` (as SQLite does
    when another connection holds the write lock past the timeout)."""

    def __init__(self, table, times=1, verbs=("INSERT", "UPDATE")):
        self.table, self.left, self.verbs, self.refused = table, times, verbs, 0

    def __call__(self, execute, sql, params, many, context):
        if self.left and self.table in sql and sql.lstrip().upper().startswith(self.verbs):
            self.left -= 1
            self.refused += 1
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)


@pytest.fixture
def phase1(at):
    at(2026, 5, 8, 10, 0)


def form1_url(world):
    return reverse("submissions:form1", args=[world.campaign.pk, world.college_a.pk])


def test_busy_errors_are_recognised():
    assert is_busy(OperationalError("database is locked"))
    assert is_busy(Busy())
    assert not is_busy(OperationalError("no such table: x"))
    assert not is_busy(ValueError("database is locked"))

    class PgError(Exception):
        sqlstate = "40P01"

    exc = OperationalError("deadlock detected")
    exc.__cause__ = PgError()
    assert is_busy(exc)
    assert issubclass(Busy, StaleEdit) and "系统繁忙" in str(Busy())


@pytest.mark.django_db(transaction=True)
def test_a_locked_database_is_retried_once_and_the_save_goes_through(world, client_for, phase1):
    hook = LockedFor("submissions_form1", times=1)
    with connection.execute_wrapper(hook):
        r = client_for(world.users.college).post(form1_url(world), form1_post())
    assert r.status_code == 302 and hook.refused == 1
    assert Form1.objects.get().brand_name == FORM1_COMPLETE["brand_name"]


@pytest.mark.django_db(transaction=True)
def test_still_locked_after_the_retry_is_refused_in_chinese_with_the_input_kept(world, client_for, phase1):
    hook = LockedFor("submissions_form1", times=5)
    with connection.execute_wrapper(hook):
        r = client_for(world.users.college).post(form1_url(world), form1_post(dict(FORM1_COMPLETE, slogan="我刚输入的口号")))
    assert r.status_code == 409 and hook.refused == 2  # the first try and the one retry
    body = r.content.decode()
    assert "系统繁忙" in body and "我刚输入的口号" in body  # the stale-save path: the form comes back filled
    assert not Form1.objects.exists()


def test_inside_an_outer_transaction_there_is_no_retry_only_the_refusal(db):
    calls = []

    @versioning.atomic
    def work():
        calls.append(1)
        raise OperationalError("database is locked")

    with pytest.raises(Busy):
        work()  # the test's own transaction is the outer one: retrying inside it cannot help
    assert calls == [1]


@pytest.mark.django_db(transaction=True)
def test_other_database_errors_are_not_retried():
    calls = []

    @versioning.atomic
    def work():
        calls.append(1)
        raise OperationalError("no such column: x")

    with pytest.raises(OperationalError) as info:
        work()
    assert not isinstance(info.value, Busy) and calls == [1]


@pytest.fixture
def item(world):
    org = world.college_a
    return ShowcaseItem.objects.create(campaign=world.campaign, year=world.campaign.year, organization=org,
                                       college=org, kind="brand", org_name=org.name, org_type=org.org_type,
                                       title="品牌")


def test_a_busy_database_outside_a_service_is_a_chinese_409_not_a_500(world, item, client_for):
    """showcase.publish has no retry of its own: the edge answers the refusal (nothing saved)."""
    hook = LockedFor("showcase_showcaseitem", times=99, verbs=("UPDATE",))
    c = client_for(world.users.admin)
    c.raise_request_exception = False
    with connection.execute_wrapper(hook):
        r = c.post(reverse("showcase:publish", args=[item.pk]), HTTP_REFERER="http://testserver/showcase/manage/")
    assert r.status_code == 409 and r["Retry-After"]
    body = r.content.decode()
    assert "系统繁忙，请稍后重试" in body and BUSY_MESSAGE in body and "本次提交没有保存" in body
    assert 'href="http://testserver/showcase/manage/"' in body  # back to the page it came from
    assert not ShowcaseItem.objects.get(pk=item.pk).is_published


def test_a_busy_read_is_a_503_refusal_and_json_callers_get_json(world, item, client_for):
    c = client_for(world.users.admin)
    c.raise_request_exception = False
    hook = LockedFor("showcase_showcaseitem", times=99, verbs=("SELECT",))
    with connection.execute_wrapper(hook):
        r = c.get(reverse("showcase:manage"))
        j = c.post(reverse("showcase:publish", args=[item.pk]), HTTP_ACCEPT="application/json")
    assert r.status_code == 503 and "系统繁忙，请稍后重试" in r.content.decode()
    assert j.status_code == 409 and j.json() == {"ok": False, "error": BUSY_MESSAGE}


# ---------------------------------------------------------------- a real deadlock on PostgreSQL


def _two_forms(world):
    a = Form1.objects.create(campaign=world.campaign, organization=world.college_a)
    b = Form1.objects.create(campaign=world.campaign, organization=world.college_b)
    return a.pk, b.pk


def _opposite_order_lockers(first, second, retries):
    """Two service calls, each locking `first` then `second` (or the reverse) with both first locks
    held at the same moment: PostgreSQL must kill one of them as a deadlock."""
    barrier = threading.Barrier(2)
    attempts, outcomes = [], []

    def locker(one, two, slogan):
        @versioning.atomic(retries=retries)
        def work():
            attempts.append(slogan)
            Form1.objects.select_for_update().get(pk=one)
            if attempts.count(slogan) == 1:  # the first run of each meets the other one
                barrier.wait(10)
            Form1.objects.select_for_update().get(pk=two)
            Form1.objects.filter(pk__in=[one, two]).update(slogan=slogan)

        try:
            work()
            outcomes.append(("ok", slogan))
        except Busy as exc:
            outcomes.append(("busy", str(exc)))
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            outcomes.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=locker, args=(first, second, "甲先")),
               threading.Thread(target=locker, args=(second, first, "乙先"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return attempts, outcomes


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("a real deadlock needs PostgreSQL (run with DATABASE_URL=postgres://...)")


@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_is_retried_once_and_both_saves_go_through(world, postgres):
    a, b = _two_forms(world)
    attempts, outcomes = _opposite_order_lockers(a, b, retries=1)
    assert sorted(o[0] for o in outcomes) == ["ok", "ok"], outcomes
    assert len(attempts) == 3  # PostgreSQL chose one victim; it ran once more
    slogans = set(Form1.objects.values_list("slogan", flat=True))
    assert len(slogans) == 1  # each save wrote both rows whole: the later one won, nothing half-done


@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_without_retry_is_the_chinese_refusal(world, postgres):
    a, b = _two_forms(world)
    attempts, outcomes = _opposite_order_lockers(a, b, retries=0)
    assert sorted(o[0] for o in outcomes) == ["busy", "ok"], outcomes
    assert next(o[1] for o in outcomes if o[0] == "busy") == BUSY_MESSAGE
    winner = next(o[1] for o in outcomes if o[0] == "ok")
    assert set(Form1.objects.values_list("slogan", flat=True)) == {winner}  # the victim changed nothing
