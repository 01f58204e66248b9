"""The dashboard's two long tables as compact HTML, built in Python.

300 院级 orgs give ~1,500 matrix cells and ~400 overdue rows: through the template language that was
~13k variable lookups and ~1,300 |date calls per page (half the page's time) and ~590 KB of mostly
indentation. The markup here is the template's, without the whitespace between tags; every value goes
through core.tables.esc (conditional_escape)."""

from django.utils import timezone
from django.utils.safestring import mark_safe

from core.tables import esc


def _local(dt, fmt):
    return timezone.localtime(dt).strftime(fmt) if dt else ""


def matrix_rows(lines):
    out = []
    for line in lines:
        org = line.org
        out.append(f'<tr data-org="{esc(org.code)}"><th scope="row" class="fw-normal">{esc(org.name)}</th>'
                   f'<td class="small text-muted">{esc(org.get_org_type_display())}</td>')
        for c in line.cell_list:
            title = f' title="{esc(c.note)}"' if c.note else ""
            out.append(f'<td data-item="{c.key}" data-state="{esc(c.code)}"{title}><a href="{esc(c.url)}" '
                       f'class="text-decoration-none"><span class="badge badge-state-{esc(c.code)}">{esc(c.label)}</span></a>')
            if c.overdue:
                out.append(f' <span class="badge m-od" title="截止 {_local(c.due, "%Y-%m-%d %H:%M")}">逾期</span>')
            if c.key == "form2":
                out.append(f'<div class="m-sub">{esc(c.note)}</div>')
            elif c.submitted_at:
                out.append(f'<div class="m-sub">{_local(c.submitted_at, "%m-%d %H:%M")}</div>')
            out.append("</td>")
        out.append("</tr>\n")
    if not lines:
        out.append('<tr><td colspan="7" class="text-muted">没有符合条件的党组织。</td></tr>')
    return mark_safe("".join(out))


def overdue_rows(overdue):
    out = []
    shown = {}  # due time -> its text: most rows share the deadline's
    for o in overdue:
        note = f'<div class="small text-muted">{esc(o["note"])}</div>' if o["note"] and o["key"] == "recommend" else ""
        due = shown.get(o["due"])
        if due is None:
            due = shown[o["due"]] = _local(o["due"], "%Y-%m-%d %H:%M")
        out.append(f'<tr data-overdue="{esc(o["org"].code)}:{o["key"]}"><td>{esc(o["org"].name)}</td>'
                   f'<td><a href="{esc(o["url"])}">{esc(o["item"])}</a>{note}</td>'
                   f'<td class="small">{due}</td><td class="text-end text-danger">{o["days"]} 天</td>'
                   f'<td class="small">{esc(o["state"])}</td></tr>\n')
    if not overdue:
        out.append('<tr><td colspan="5" class="text-muted small p-3">暂无逾期事项。</td></tr>')
    return mark_safe("".join(out))
