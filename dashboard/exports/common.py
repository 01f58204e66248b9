"""What every dashboard export shares: columns, the row-1 title, sheet names, and a Writer that counts rows."""

from django.utils import timezone

from core import xlsx
from core.xlsx import Col  # noqa: F401  (re-exported: the exports' column type)

XLSX_CONTENT_TYPE = xlsx.CONTENT_TYPE
DATETIME_FORMAT = xlsx.DATETIME_FORMAT
DATE_FORMAT = xlsx.DATE_FORMAT
PROGRESS_EVERY = 500


def local_naive(value):
    """An aware datetime as Shanghai wall-clock time (Excel has no time zones)."""
    return None if value is None else xlsx.beijing(value)


def export_time_text(now=None):
    return xlsx.export_time_text(now or timezone.now())


def yes_no(value):
    return "是" if value else "否"


class Writer:
    """Streams sheets into one .xlsx (core.xlsx); counts rows written and reports progress every few hundred."""

    def __init__(self, progress=None):
        self.wb = xlsx.Workbook(on_row=self._tick)
        self.rows = 0
        self.progress = progress

    def _tick(self):
        self.rows += 1
        if self.progress and self.rows % PROGRESS_EVERY == 0:
            self.progress(self.rows)

    def sheet(self, title, heading, columns, rows):
        return self.wb.add_sheet(title, heading, columns, rows)

    def save(self):
        if self.progress:
            self.progress(self.rows)  # the final count, so a job shows what was really written
        return self.wb.to_bytes()


def heading(filters, what, now):
    return xlsx.title(what, year=filters.campaign.year, details=[f"筛选：{filters.describe()}"],
                      now=now or timezone.now())


def sheet_names(orgs, reserved=("汇总",)):
    """A unique, valid (<= 31 chars, no []:*?/\\ or quotes) sheet title per org."""
    used, names = list(reserved), {}
    for org in orgs:
        name = xlsx.legal_sheet_name(org.short_name or org.name, used, fallback=org.code[:31])
        used.append(name)
        names[org.pk] = name
    return names
