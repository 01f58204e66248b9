"""core.tables' fast helpers give what the Django functions they stand in for give."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.tables import esc, local_format

HOSTILE = ["", "党委", "<script>alert(1)</script>", "a & b", "\"quoted\" 'single'", "&amp;", "</td><td>",
           "x\u2028y", "\x00", "名称<b>粗</b>", "javascript:alert('x')"]


@pytest.mark.parametrize("value", [*HOSTILE, mark_safe("<b>已安全</b>"), gettext_lazy("未开始"), 42, 3.5, None,
                                   dt.date(2026, 5, 15)])
def test_esc_is_conditional_escape(value):
    assert esc(value) == conditional_escape(value)


def test_esc_leaves_a_safe_string_alone_and_escapes_a_plain_one():
    assert esc(mark_safe("<b>x</b>")) == "<b>x</b>"
    assert esc("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"


@pytest.mark.parametrize("moment", [dt.datetime(2026, 5, 14, 16, 30, tzinfo=dt.timezone.utc),  # 05-15 00:30 in Shanghai
                                    dt.datetime(2026, 11, 10, 23, 59, 59, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
                                    dt.datetime(2026, 1, 1, 0, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))])
def test_local_format_is_localtime_strftime_in_the_active_zone(moment):
    for fmt in ("%m-%d %H:%M", "%Y-%m-%d %H:%M"):
        assert local_format(fmt)(moment) == timezone.localtime(moment).strftime(fmt)
    with timezone.override("Europe/Berlin"):
        assert local_format("%H:%M")(moment) == timezone.localtime(moment).strftime("%H:%M")
    assert local_format("%H:%M")(None) == ""


def test_local_format_shows_shanghai_time():
    assert local_format("%m-%d %H:%M")(dt.datetime(2026, 5, 14, 16, 30, tzinfo=dt.timezone.utc)) == "05-15 00:30"
