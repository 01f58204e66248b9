"""Each judge's 评分表 as an A4 PDF for signature (WeasyPrint)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from submissions.pdf import render_html_to_pdf

from . import queries
from .models import Round


def sheet_html(track, judge, round_=Round.MATERIALS):
    criteria = queries.criteria_for(track, round_)
    items = [a for a in queries.judge_queue(judge, track) if a.round == round_]
    rows = [{"a": a, "code": queries.entry_code(a.entry),
             "points": [(a.points or {}).get(str(c.pk), "") for c in criteria]} for a in items]
    return render_to_string("reviews/pdf/sheet.html", {
        "track": track, "judge": judge, "round": Round(round_), "criteria": criteria, "rows": rows,
        "sheet": queries.sheet_for(track, judge, round_), "font": settings.PDF_FONT_FAMILY,
        "printed_at": timezone.localtime(), "max_total": sum(c.max_points for c in criteria),
    })


def sheet_pdf(track, judge, round_=Round.MATERIALS):
    return render_html_to_pdf(sheet_html(track, judge, round_))
