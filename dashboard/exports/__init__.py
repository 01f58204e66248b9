"""组织部's spreadsheets, one module per export kind; all written by core.xlsx (XlsxWriter, constant memory).

Every sheet: row 1 a title (campaign year, what, filters, export time in 北京时间), row 2 the Chinese
headers (frozen, auto-filter), data from row 3; long text wrapped; dates as real Excel dates in Shanghai
time. No merged cells, no formulas. Each kind declares a cheap row count so the view can decide between
an immediate download and a background ExportJob (settings.EXPORT_ASYNC_ROW_THRESHOLD).

    common.py          Col, Writer (row counting, progress), heading, sheet_names
    form2.py           (a) 附件2 汇总表 (combined + one sheet per 院级 org)
    status.py          (b) 上报状态 (org × item)
    form1.py           (c) 附件1 品牌清单
    entries.py         (d) 十佳申报及形式审查结果
    review_summary.py  (e) 述职评议考核汇总
"""

from dataclasses import dataclass
from typing import Callable

from django.utils import timezone

from .common import (  # noqa: F401  (the package's public names)
    DATE_FORMAT,
    DATETIME_FORMAT,
    PROGRESS_EVERY,
    XLSX_CONTENT_TYPE,
    Col,
    Writer,
    export_time_text,
    heading,
    local_naive,
    sheet_names,
    yes_no,
)
from .entries import CHECK_RESULT, ENTRY_COLUMNS, ENTRY_STATES, entries_count, entries_workbook  # noqa: F401
from .form1 import FORM1_COLUMNS, college_count, form1_workbook  # noqa: F401
from .form2 import COMBINED_COLUMNS, FORM2_COLUMNS, form2_count, form2_workbook  # noqa: F401
from .review_summary import REVIEW_COLUMNS, review_summary_workbook  # noqa: F401
from .status import STATUS_COLUMNS, status_count, status_rows, status_workbook  # noqa: F401


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str
    build: Callable  # (filters, now=None, progress=None) -> bytes
    count: Callable  # (filters) -> estimated data rows, cheap


KINDS = {k.key: k for k in [
    ExportKind("form2", "附件2 一支部一特色汇总表（全校）", form2_workbook, form2_count),
    ExportKind("status", "上报状态（党组织 × 事项）", status_workbook, status_count),
    ExportKind("form1", "附件1 一院一品牌品牌清单", form1_workbook, college_count),
    ExportKind("entries", "十佳申报及形式审查结果", entries_workbook, entries_count),
    ExportKind("review_summary", "述职评议考核汇总（院级）", review_summary_workbook, college_count),
]}


def filename(kind, filters, now=None):
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M")
    return f"{filters.campaign.year}年度-{KINDS[kind].label}-{stamp}.xlsx"
