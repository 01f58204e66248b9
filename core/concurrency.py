"""Refusals for concurrent requests: a stale edit, and a database too busy to answer now.

- `StaleEdit`: someone else saved the record after the editor loaded it (core.versioning).
- `Busy` (a StaleEdit, so every view that keeps the input on a stale save keeps it here too):
  SQLite's "database is locked", or PostgreSQL's deadlock / serialization failure / lock timeout,
  still there after the one retry `core.versioning.atomic` makes. Anything that escapes a view
  is answered by core.edge with the same Chinese refusal (409), never a 500.
"""

import random
import time

from django.db import OperationalError

BUSY_MESSAGE = "系统繁忙：同时提交的人较多，本次操作未能完成，也没有保存任何内容。您填写的内容仍保留在下方，请稍后再试一次。"
# PostgreSQL SQLSTATEs worth one retry: deadlock_detected, serialization_failure, lock_not_available.
BUSY_SQLSTATES = {"40P01", "40001", "55P03"}
BUSY_SQLITE_TEXT = ("database is locked", "database table is locked", "database schema is locked")


class StaleEdit(Exception):
    """Someone else saved this record after the editor loaded it."""

    message = "保存失败：在您编辑期间，其他人已修改并保存了此内容。您填写的内容仍保留在下方，请核对最新版本后再保存。"

    def __str__(self):
        return self.message


class Busy(StaleEdit):
    """The database could not serve this write now (locked / deadlock); nothing was saved."""

    message = BUSY_MESSAGE


def is_busy(exc):
    """True for an OperationalError that a retry a moment later may not meet again."""
    if isinstance(exc, Busy):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__ or exc
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if code in BUSY_SQLSTATES:
        return True
    text = str(exc).lower()
    return any(t in text for t in BUSY_SQLITE_TEXT)


def pause_before_retry():
    """A short random wait, so two requests that collided do not collide again at once."""
    time.sleep(random.uniform(0.05, 0.25))
