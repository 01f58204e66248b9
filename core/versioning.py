"""Optimistic locking for records with concurrent editors (model-free: works on any model with `version`).

Every editor form carries the version it was loaded at. A save or a state change locks the row,
compares, and refuses with `StaleEdit` when someone else saved in between. A missing, empty or
non-numeric version is refused the same way: never skipped, never a 500."""

from .concurrency import StaleEdit


class _Unchecked:
    """Marker for actions that are not edits of a loaded version (e.g. a reviewer's button)."""

    def __repr__(self):
        return "UNCHECKED"


UNCHECKED = _Unchecked()


def parse(raw):
    """The version an editor loaded, as an int; StaleEdit when it is missing or malformed."""
    if raw is UNCHECKED:
        return raw
    if isinstance(raw, bool):
        raise StaleEdit()
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw if raw is not None else "").strip()
        if not text.isdecimal() or not text.isascii() or len(text) > 12:
            raise StaleEdit()
        value = int(text)
    if value < 0:
        raise StaleEdit()
    return value


def check(obj, expected_version):
    """StaleEdit unless the saved `obj` is still at `expected_version` (new objects always pass)."""
    expected = parse(expected_version)
    if expected is UNCHECKED or obj.pk is None:
        return
    if obj.version != expected:
        raise StaleEdit()


def lock(queryset, pk, expected_version=UNCHECKED):
    """select_for_update the row; StaleEdit when someone saved it after the editor loaded it."""
    expected = parse(expected_version)  # malformed input is refused before touching the database
    obj = queryset.select_for_update().get(pk=pk)
    check(obj, expected)
    return obj


def bump(obj):
    """The next version (a new object keeps its initial version)."""
    if obj.pk is not None:
        obj.version += 1


def insert_once(obj):
    """Insert a new row in a savepoint. When a concurrent request inserted the same row first (the
    unique constraint answers), refuse like a stale edit instead of a 500: the other save won."""
    from django.db import IntegrityError, transaction

    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError as exc:
        obj.pk = None
        raise StaleEdit() from exc
    return obj


def atomic(func=None, *, retries=1):
    """`transaction.atomic` for a service function, plus one retry when the database is busy.

    A deadlock, serialization failure or "database is locked" rolls the whole transaction back, so
    running the function again is safe when this is the outermost transaction (nothing of it was
    committed). Inside an outer transaction there is nothing to retry: the error becomes `Busy` at
    once, the same Chinese refusal, and the outer transaction rolls back with it."""
    import functools

    from django.db import OperationalError, transaction

    from .concurrency import Busy, is_busy, pause_before_retry

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            outermost = not transaction.get_connection().in_atomic_block
            attempt = 0
            while True:
                try:
                    with transaction.atomic():
                        return fn(*args, **kwargs)
                except OperationalError as exc:
                    if not is_busy(exc):
                        raise
                    if not outermost or attempt >= retries:
                        raise Busy() from exc
                attempt += 1
                pause_before_retry()

        return wrapper

    return decorate(func) if func is not None else decorate
