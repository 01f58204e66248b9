"""Workflow policies: "may this user do this action on this object, now?" answered in one place.

A `Policy` is a table of `Action`s for one state machine. Each action says

- who: a predicate `(user, obj) -> bool` (usually a django-rules predicate),
- from which states (`states`, None = any), read through the policy's `state_of(obj)`,
- in which time window (`window(obj, now) -> reason or None`: phase window, deadline with the
  org's extension, judging window, decision stage...),
- extra conditions (`when`: more `(user, obj, now) -> reason or None` checks),
- and the Chinese reason given for each refusal.

Everything asks the same table:

- services call `POLICY.require(action, user, obj)` first (raises `Refused` with the reason),
- `rules.py` registers `POLICY.permission(action)` (a django-rules predicate) as the permission,
- views pick the permission per HTTP method and pass `POLICY.actions(user, obj)` to templates,
- templates show or hide buttons from that answer (`{% if actions.submit %}`), never from state
  literals of their own.

An action marked `public` is open to anonymous visitors too (its `who` still decides).

Model-free: objects are duck-typed. The first refusal found is reported, checked in the order
who → state → window → extra conditions (a user without the role learns nothing about the state).
"""

from dataclasses import dataclass, field

import rules
from django.core.exceptions import ValidationError
from django.utils import timezone

NOT_YOURS = "您没有权限进行此操作。"
REGISTRY = {}  # name → Policy, filled as the apps' policy modules are imported (docs: manage.py policy_tables)


class Refused(ValidationError):
    """A refused workflow action, with the reason for the user (Chinese)."""

    def __init__(self, message, action=None):
        super().__init__(message)
        self.action = action


@dataclass(frozen=True)
class Action:
    label: str
    who: object  # predicate(user, obj) -> bool
    states: frozenset | None = None
    window: object = None  # (obj, now) -> reason | None
    when: tuple = ()  # ((user, obj, now) -> reason | None, ...)
    denied: str = NOT_YOURS
    wrong_state: str = "当前状态为“{state}”，不能{label}。"
    public: bool = False  # open to visitors who are not signed in (e.g. filing an objection during the 公示)
    name: str = field(default="", compare=False)

    def __post_init__(self):
        if self.states is not None and not isinstance(self.states, frozenset):
            object.__setattr__(self, "states", frozenset(self.states))


class Policy:
    """The actions of one state machine."""

    def __init__(self, name, actions, *, state_of=None, state_label=None):
        self.name = name
        self.table = {}
        for key, action in actions.items():
            object.__setattr__(action, "name", key)
            self.table[key] = action
        self.state_of = state_of or (lambda obj: getattr(obj, "state", None))
        self.state_label = state_label or _display_state
        REGISTRY[name] = self

    def __getitem__(self, action):
        return self.table[action]

    def __iter__(self):
        return iter(self.table)

    def reason(self, action, user, obj, now=None):
        """Why `user` may not do `action` on `obj` now (Chinese), or None when allowed."""
        rule = self.table[action]
        if obj is None or not (rule.public or getattr(user, "is_authenticated", False)) or not rule.who(user, obj):
            return rule.denied
        if rule.states is not None and self.state_of(obj) not in rule.states:
            return rule.wrong_state.format(state=self.state_label(obj), label=rule.label)
        now = now or timezone.now()
        if rule.window is not None:
            why = rule.window(obj, now)
            if why:
                return why
        for check in rule.when:
            why = check(user, obj, now)
            if why:
                return why
        return None

    def allows(self, action, user, obj, now=None):
        return self.reason(action, user, obj, now) is None

    def require(self, action, user, obj, now=None):
        """Raise `Refused` with the reason unless the action is allowed."""
        why = self.reason(action, user, obj, now)
        if why:
            raise Refused(why, action=f"{self.name}.{action}")

    def window_reason(self, action, user, obj, now=None):
        """The reason when only the time window stands in the way (who and state would allow it), else None:
        for the "closed since …" notice on a page the user could otherwise edit."""
        rule = self.table[action]
        if rule.window is None or obj is None or not (rule.public or getattr(user, "is_authenticated", False)):
            return None
        if not rule.who(user, obj) or (rule.states is not None and self.state_of(obj) not in rule.states):
            return None
        return rule.window(obj, now or timezone.now())

    def actions(self, user, obj, now=None):
        """{action: True/False} for templates (`{% if actions.submit %}`)."""
        now = now or timezone.now()
        return {key: self.reason(key, user, obj, now) is None for key in self.table}

    def reasons(self, user, obj, now=None):
        """{action: reason or None}, for pages that explain why a button is missing."""
        now = now or timezone.now()
        return {key: self.reason(key, user, obj, now) for key in self.table}

    def permission(self, action, adapt=None):
        """A django-rules predicate for `rules.add_perm`. `adapt(obj)` maps the permission object
        (e.g. the org a URL names) to the policy's object when they differ."""
        self.table[action]  # KeyError early for a typo

        def allowed(user, obj):
            target = adapt(obj) if adapt is not None else obj
            return self.allows(action, user, target)

        return rules.predicate(allowed, name=f"{self.name}.{action}")


def describe(fn):
    """A readable name of a predicate or check for the generated tables (its docstring's first line, or its name)."""
    if fn is None:
        return "—"
    doc = (getattr(fn, "__doc__", None) or "").strip().splitlines()
    name = getattr(fn, "__name__", repr(fn)).strip("_")
    return f"{name}: {doc[0]}" if doc and not doc[0].startswith("Built-in") else name


def state_names(states):
    if states is None:
        return "任何状态"
    return "、".join(sorted(getattr(s, "label", str(s)) for s in states))


def markdown_tables():
    """Every registered policy as a Markdown table (docs/policy-tables.md is this, checked by a test)."""
    out = ["# 工作流规则表（由 `manage.py policy_tables` 生成，请勿手改）", ""]
    for name in sorted(REGISTRY):
        policy = REGISTRY[name]
        out += [f"## {name}", "", "| 操作 | 名称 | 谁（who） | 从哪些状态 | 时间窗口 | 其他条件 | 无权限时的提示 |",
                "|---|---|---|---|---|---|---|"]
        for key, a in policy.table.items():
            when = "；".join(describe(w) for w in a.when) or "—"
            out.append(f"| `{key}` | {a.label} | {describe(a.who)} | {state_names(a.states)} | {describe(a.window)} "
                       f"| {when} | {a.denied} |")
        out.append("")
    return "\n".join(out)


def _display_state(obj):
    display = getattr(obj, "get_state_display", None)
    return display() if display else str(getattr(obj, "state", ""))


def any_of(*predicates):
    """Predicate: any of these (user, obj) predicates."""

    def check(user, obj):
        return any(p(user, obj) for p in predicates)

    return check
