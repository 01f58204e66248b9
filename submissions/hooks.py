"""Receivers for an entry's events, registered by higher apps instead of this app importing them.

reviews registers "an entry that passes 形式审查 after the judges were assigned gets its judges":
`on_entry_passed(fn)` with fn(entry, *, by) called inside the pass transaction (a receiver that
fails rolls the pass back, so receivers must not refuse for reasons of their own: they return
quietly and leave a note in the audit log instead)."""

_passed = []


def on_entry_passed(fn):
    """Register fn(entry, *, by) (in the higher app's AppConfig.ready()). Idempotent."""
    if fn not in _passed:
        _passed.append(fn)
    return fn


def unregister(fn):
    if fn in _passed:
        _passed.remove(fn)


def entry_passed(entry, *, by):
    """Called by submissions.services.pass_entry once the entry is 通过形式审查."""
    return [fn(entry, by=by) for fn in list(_passed)]
