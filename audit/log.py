"""Writing and reading the audit history. Services call `record()` for every change."""

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db.models.fields.files import FieldFile

from .models import AuditEntry

ACTION_LABELS = {
    "create": "创建",
    "update": "修改",
    "submit": "提交",
    "return": "退回",
    "accept": "通过",
    "reopen": "重新开放",
    "deactivate": "停用",
    "grant_extension": "批准延期",
    "revoke_extension": "撤销延期",
    "upload": "上传",
    "delete": "删除",
    "publish": "发布",
    "unpublish": "撤回发布",
    "set_award": "设置十佳",
    "manual_reminder": "手动提醒",
    "retry": "重试",
}


def _plain(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "pk"):
        return str(value)
    return value


def snapshot(obj, fields=None):
    """A JSON-safe {field name: value} of the concrete, editable fields."""
    data = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key or (fields is not None and f.name not in fields):
            continue
        if f.name in {"version", "created_at", "updated_at"}:
            continue
        value = getattr(obj, f.attname)
        data[f.name] = _plain(value)
    return data


def diff(before, after):
    """{field: [old, new]} for the fields whose values differ."""
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def field_labels(model):
    return {f.name: str(f.verbose_name) for f in model._meta.get_fields() if hasattr(f, "verbose_name")}


# Listeners called with (entry, obj, context) after every record(): higher apps register here
# (campaigns.notices turns the entries that concern someone into notices). A listener must not raise.
_listeners = []


def add_listener(listener):
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def record(actor, obj, action, changes=None, organization=None, note="", context=None):
    """Write one audit entry. `context` is not stored: it is handed to the listeners (e.g. which
    judges a bulk assignment added), for the facts an entry's summary does not carry."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    entry = AuditEntry.objects.create(
        actor=actor,
        action=action,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        organization=organization,
        changes=changes or {},
        note=note,
    )
    for listener in list(_listeners):
        listener(entry, obj, context or {})
    return entry


def history_for(obj):
    return history_for_many(type(obj), [obj.pk])


def history_for_many(model, pks):
    """The audit entries of several objects of one model, newest first, in one query."""
    return (
        AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in pks])
        .select_related("actor")
        .order_by("-at", "-id")
    )


plain = _plain  # public: audit.changes records attribute values the same way
