"""The ranking table's rows as HTML, built in Python.

300 entries × ~20 cells through the template language were ~60 % of the ranking page's time
(~10,000 variable lookups, ~5,000 `{% if %}`, every integer through `localize`). The markup here is
exactly the template's (reviews/ranking.html rendered the same bytes; tests/reviews/test_ranking_render.py
compares both on the same board); every value goes through core.tables.esc (conditional_escape)."""

from django.utils.safestring import mark_safe

from core.numbers import fixed
from core.tables import esc


def add_shown_numbers(board, award):
    """row["show"]: the numbers as shown (~2,000 per page), formatted as |floatformat would (core.numbers)."""
    codes = [c.code for c in board["criteria"]]
    for row in board["rows"]:
        r = row["r"]
        means = r.criterion_means
        row["show"] = {
            "final": fixed(r.final, 2), "round1": fixed(r.round1, 2), "round2": fixed(r.round2, 2),
            "sd": fixed(r.sd, 1), "means": [fixed(means.get(code), 1) for code in codes],
            "top": bool(r.place and r.place <= award),
            "places": [(p, bool(p and p <= award)) for p in row["stability"]["places"]] if row["stability"] else [],
        }


def _opt(value):
    """{{ value|default:"—" }} for a place (int or None)."""
    return str(value) if value else "—"


def ranking_rows(rows, track, *, second_round, can_vote, vote_url="", csrf_token=""):
    """The <tbody> content of the ranking table. rows: the board's rows with their "show" strings."""
    award = track.award_count
    holds_icon = f'<i class="bi bi-check-lg text-success" title="在各计分规则下均进入前{award}名"></i>'
    fails_icon = f'<i class="bi bi-exclamation-triangle text-warning" title="在部分计分规则下未进入前{award}名"></i>'
    if can_vote:
        vote_head = (f'<td class="text-nowrap"><form method="post" action="{esc(vote_url)}" class="d-flex gap-1">'
                     f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(csrf_token)}">'
                     '<input type="hidden" name="next" value="ranking"><input type="hidden" name="entry" value="')
    out = []
    add = out.append
    for row in rows:
        r, s, entry = row["r"], row["show"], row["entry"]
        add(f'\n<tr class="{"table-danger" if s["top"] else ""}" data-testid="rank-row">\n'
            f'  <td class="fw-bold">{_opt(r.place)}')
        if r.tied:
            add(' <span class="badge text-bg-warning" title="同分且同分排序规则无法区分">并列</span>')
        add(f'</td>\n  <td>{esc(entry.organization)}')
        if entry.title:
            add(f'<div class="text-muted">{esc(entry.title)}</div>')
        add(f'</td>\n  <td class="text-end fw-bold">{s["final"] or "—"}</td>\n')
        if second_round:
            add(f'  <td class="text-end">{s["round1"]}</td><td class="text-end">'
                f'{s["round2"] if r.round2 is not None else ""}</td>\n')
        else:
            add("  \n")
        add(f'  <td class="text-end">{r.n_judges}/{row["assigned"]}')
        if row["abstained"]:
            add(f'<div class="text-muted">弃权 {row["abstained"]}</div>')
        if row["entered_by"]:
            add('<div class="text-warning-emphasis small" title="现场答辩纸质评分由党委组织部代录">由 '
                f'{"、".join(esc(n) for n in row["entered_by"])} 代录</div>')
        add(f'</td>\n  <td class="text-end">{s["sd"]}')
        if r.disagree:
            add(' <span class="badge text-bg-warning" title="评委打分差异较大">分歧</span>')
        add("</td>\n  ")
        for m in s["means"]:
            add(f'<td class="text-end">{m}</td>')
        add('\n  <td class="text-center text-nowrap">')
        stability = row["stability"]
        if stability:
            for p, top in s["places"]:
                add(f'<span class="badge {"text-bg-danger" if top else "text-bg-light"}">{_opt(p)}</span>')
            add("\n    ")
            if s["top"]:
                add(holds_icon if stability["holds"] else fails_icon)
        add("</td>\n  ")
        if can_vote:
            add(f'{vote_head}{entry.pk}">\n    <input name="votes" class="form-control form-control-sm w-4em" '
                f'value="{r.votes}" inputmode="numeric"><button class="btn btn-outline-secondary btn-sm text-nowrap">'
                '记录</button></form></td>')
        add("\n</tr>\n")
    if not rows:
        add('<tr><td colspan="12" class="text-muted">暂无参评项目。</td></tr>')
    return mark_safe("".join(out))
