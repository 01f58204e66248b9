"""Receivers for a moved deadline, registered by higher apps instead of this app importing them.

reviews registers "the judging tracks follow the campaign's 评审打分 deadline": the track's closing time
and the campaign's deadline are one date, whichever screen 组织部 changes it on. fn(deadline, old, new,
*, by) is called inside the transaction that moves the deadline; raising ValidationError (with a Chinese
message) refuses the move."""

_moved = []


def on_deadline_moved(fn):
    if fn not in _moved:
        _moved.append(fn)
    return fn


def unregister(fn):
    if fn in _moved:
        _moved.remove(fn)


def deadline_moved(deadline, old, new, *, by):
    for fn in list(_moved):
        fn(deadline, old, new, by=by)
