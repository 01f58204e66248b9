"""The audit history as a person reads it: a ledger, not a dump of program internals.

The stored entries keep what they store (field names, raw values, ids, storage paths); this module
only presents them: each field under its Chinese label (verbose_name), a choice under its label,
a person under their name, a file under its file name, a date in Beijing time, a dict as
"item：text" lines, a long text as a diff of sentences. Apps register what core cannot know
(StandardItem names for a self-assessment, criterion names for points) with register_value().

present(entries) resolves every referenced person and organisation in two queries for the page."""

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .log import ACTION_LABELS

# Keys that services record but that are not model fields (or not of the recorded model).
EXTRA_LABELS = {
    "password": "密码", "attachments": "附件", "evidence": "成果佐证", "added": "新增分配数", "judge": "评审专家",
    "entry": "申报", "points": "各项评分", "total": "总分", "reason": "原因", "votes": "票数", "totals": "各项目总分",
    "rubric": "评分细则", "judges": "评审专家", "proposal": "拟表彰名单", "tie_break": "同分处理规则",
    "college_comment": "院级意见", "handling": "处理意见", "due_at": "截止时间", "recipients": "提醒对象",
    "sent": "已发送", "count": "数量", "comment": "意见", "scan": "盖章扫描件",
}
EXTRA_ACTIONS = {
    "score": "打分", "propose": "提出拟表彰名单", "approve": "记录党委审定", "publicity": "开始公示",
    "grant_extension": "批准延期", "revoke_extension": "撤销延期", "activate": "激活账号", "import": "批量导入",
}
EMPTY = "（空）"
LONG_TEXT = 60
_SENTENCE = re.compile(r"(?<=[。！？；;!?\n])")
_SNAKE = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")

_value_formatters = {}  # (app_label.model_name, field name) → callable(value, cache) -> str | list[str]


def register_value(model_label, field_name, formatter):
    """A higher app tells how to show one stored field, e.g. submissions' self_assessment codes.

    formatter(value, cache) gets a dict shared by one present() call, to load its names once a page."""
    _value_formatters[(model_label.lower(), field_name)] = formatter


def action_label(action):
    return ACTION_LABELS.get(action) or EXTRA_ACTIONS.get(action) or ("操作" if _SNAKE.match(action or "") else action)


@dataclass
class Change:
    label: str
    old: object = ""  # str, or a list of lines
    new: object = ""
    diff: list = field(default_factory=list)  # [(kind, text)] kind in equal/del/ins, for long texts
    single: bool = False  # a value that is not an old → new pair (e.g. 新增分配数 3)


def present(entries):
    """Attach `.display_changes` (a list of Change) and `.action_display` to each entry."""
    entries = list(entries)
    refs = _collect_refs(entries)
    names = _known(entries)
    names.update(_resolve(refs, names))
    names["cache"] = {}
    for entry in entries:
        model = _model(entry)
        entry.action_display = action_label(entry.action)
        entry.display_changes = [_change(model, key, value, names) for key, value in (entry.changes or {}).items()]
    return entries


# -- references (people, organisations, other rows) resolved for the whole page at once --------


def _model(entry):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_id(entry.content_type_id).model_class() if entry.content_type_id else None


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - an unknown key is shown with its extra label
        return None


def _collect_refs(entries):
    refs = {}
    for entry in entries:
        model = _model(entry)
        for key, value in (entry.changes or {}).items():
            f = _field(model, key)
            if f is None or not (f.many_to_one or f.many_to_many or f.one_to_one):
                continue
            related = f.related_model
            for v in value if isinstance(value, list) else [value]:
                for pk in v if isinstance(v, list) else [v]:
                    if isinstance(pk, int) or (isinstance(pk, str) and pk.isdigit()):
                        refs.setdefault(related, set()).add(int(pk))
    return refs


def _known(entries):
    """Names already loaded with the entries (the actor, the organisation): no query for them."""
    names = {}
    for entry in entries:
        for attr in ("actor", "organization"):
            obj = entry._state.fields_cache.get(attr)  # set only when select_related loaded it
            if obj is not None:
                names[(type(obj), obj.pk)] = getattr(obj, "display_name", None) or str(obj)
    return names


def _resolve(refs, known):
    names = {}
    for model, pks in refs.items():
        pks = {pk for pk in pks if (model, pk) not in known}
        if not pks:
            continue
        for obj in model._default_manager.filter(pk__in=pks):
            names[(model, obj.pk)] = getattr(obj, "display_name", None) or str(obj)
    return names


# -- values ------------------------------------------------------------------------------------


def _change(model, key, value, names):
    f = _field(model, key)
    label = str(f.verbose_name) if f is not None and hasattr(f, "verbose_name") else EXTRA_LABELS.get(key)
    if not label:
        label = "其他信息" if key.isascii() else key  # an internal key never shows as such
    fmt = _value_formatters.get((model._meta.label_lower, key)) if model is not None else None
    if not (isinstance(value, list) and len(value) == 2 and not _is_id_list(f, value)):
        return Change(label, new=_value(f, value, names, fmt), single=True)
    old, new = (_value(f, v, names, fmt) for v in value)
    change = Change(label, old, new)
    if isinstance(old, str) and isinstance(new, str) and old != EMPTY and new != EMPTY and (
            max(len(old), len(new)) > LONG_TEXT or len(_SENTENCE.split(new.strip())) > 2):
        change.diff = sentence_diff(old, new)
    return change


def _is_id_list(f, value):
    """[2, 3] of a many-to-many field is one value (a list of people), not an old → new pair."""
    return f is not None and f.many_to_many and not any(isinstance(v, list) for v in value)


def _value(f, value, names, fmt=None):
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if fmt is not None:
        return fmt(value, names["cache"])
    if f is not None:
        if getattr(f, "choices", None) and not isinstance(value, (list, dict)):
            return str(dict(f.flatchoices).get(value, value))
        if f.many_to_one or f.one_to_one or f.many_to_many:
            pks = value if isinstance(value, list) else [value]
            shown = [names.get((f.related_model, int(pk)), "（已删除）") if _is_pk(pk) else str(pk) for pk in pks]
            return "、".join(shown)
        if isinstance(f, models.FileField):
            return PurePosixPath(str(value)).name
        if isinstance(f, models.BooleanField):
            return "是" if value else "否"
        if isinstance(f, models.DateTimeField) and isinstance(value, str):
            return _datetime(value)
        if isinstance(f, models.DateField) and isinstance(value, str):
            parsed = parse_date(value)
            return f"{parsed.year}年{parsed.month}月{parsed.day}日" if parsed else value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT", value):
        return _datetime(value)
    if isinstance(value, dict):
        return [f"{k}：{_plain_text(v)}" for k, v in value.items()]
    if isinstance(value, list):
        return "、".join(_plain_text(v) for v in value)
    return str(value)


def _is_pk(value):
    return isinstance(value, int) and not isinstance(value, bool) or isinstance(value, str) and value.isdigit()


def _plain_text(value):
    if isinstance(value, list):
        return " ".join(_plain_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_plain_text(v)}" for k, v in value.items())
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _datetime(value):
    parsed = parse_datetime(value)
    if parsed is None:
        return value
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.timezone.utc)
    return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M")


def sentence_diff(old, new):
    """[(kind, sentence)] with kind "equal", "del" (only in old) or "ins" (only in new)."""
    a = [s for s in _SENTENCE.split(old) if s]
    b = [s for s in _SENTENCE.split(new) if s]
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(("equal", s) for s in a[i1:i2])
        else:
            out.extend(("del", s) for s in a[i1:i2])
            out.extend(("ins", s) for s in b[j1:j2])
    return out
