"""Every state of every model has a visible badge: a styled class whose text and background
colours differ enough to read (WCAG AA, 4.5:1), checked against the portal's own CSS."""

import inspect
import re
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.template.loader import render_to_string

CSS = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text()
BOOTSTRAP_BADGE_TEXT = "#ffffff"  # .badge's default colour in Bootstrap 5
DASHBOARD_CODES = [("complete", "齐全"), ("incomplete", "不齐")]  # dashboard.queries.Cell codes beyond the models'


def state_choices():
    """(enum, value, label) for every TextChoices named *State or *Status in every app's models."""
    found = []
    for app in apps.get_app_configs():
        try:
            module = import_module(f"{app.name}.models")
        except ImportError:
            continue
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, models.Choices) and obj.__module__ == module.__name__
                    and name.endswith(("State", "Status"))):
                found += [(name, c.value, c.label) for c in obj]
    return found


def css_colours(css_class):
    """(text, background) of a class from portal.css (rules may list several selectors)."""
    text = background = None
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", CSS):
        if re.search(rf"\.{re.escape(css_class)}(?![\w-])", selectors):
            bg = re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{3,6})", body)
            fg = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", body)
            background = bg.group(1) if bg else background
            text = fg.group(1) if fg else text
    return text or BOOTSTRAP_BADGE_TEXT, background


def luminance(hex_colour):
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_models_have_state_choices_to_check():
    names = {name for name, _, _ in state_choices()}
    assert {"FormState", "RowState", "EntryState", "ExportStatus", "BookletStatus", "ReminderStatus"} <= names


@pytest.mark.parametrize("enum, value, label", state_choices() + [("Dashboard", v, l) for v, l in DASHBOARD_CODES]
                         + [("NotStarted", "", "未开始")])
def test_every_state_badge_is_styled_and_readable(enum, value, label):
    html = render_to_string("submissions/_state_badge.html", {"code": value, "label": label})
    assert f">{label}<" in html
    css_class = re.search(r'class="badge (badge-state-[\w-]+)"', html).group(1)
    text, background = css_colours(css_class)
    assert background is not None, f"{enum}.{value}: .{css_class} has no background in portal.css (white on white)"
    assert text.lower() != background.lower()
    assert contrast(text, background) >= 4.5, f"{enum}.{value}: contrast {contrast(text, background):.2f}"


def test_templates_only_use_badge_state_classes_that_exist():
    """A badge-state-<code> written by hand in a template must name a styled code too."""
    codes = {value for _, value, _ in state_choices()} | {v for v, _ in DASHBOARD_CODES} | {"not_started"}
    for code in codes:
        assert css_colours(f"badge-state-{code}")[1], code
    literal = set()
    for path in (settings.BASE_DIR / "templates").rglob("*.html"):
        literal |= set(re.findall(r"badge-state-([a-z_]+)\b", path.read_text()))
    assert literal <= codes, literal - codes


def test_no_other_stylesheet_restyles_the_state_badges():
    """One palette: an app's stylesheet overriding .badge-state-* made 不齐 unreadable on the dashboard."""
    others = [p for p in settings.BASE_DIR.glob("*/static/**/*.css")] + list((settings.BASE_DIR / "static" / "css").glob("*.css"))
    for path in others:
        if path.name == "portal.css":
            continue
        assert "badge-state-" not in path.read_text(), path


@pytest.mark.parametrize("code,label", [("draft", "草稿"), ("submitted", "已提交"), (None, None), ("x<y", '"退回"&')])
def test_the_python_badge_is_the_template_badge(code, label):
    """core.tables.state_badge (the long tables) prints what submissions/_state_badge.html prints."""
    from core.tables import state_badge

    context = {k: v for k, v in (("code", code), ("label", label)) if v is not None}
    assert state_badge(code, label) == render_to_string("submissions/_state_badge.html", context).rstrip("\n")
