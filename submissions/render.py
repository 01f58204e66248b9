"""The rows of two long 组织部 tables as HTML built in Python: the progress table (one row per 院级
org, ~300) and the 形式审查 list (one row per 十佳 entry, ~300).

Through the template language each row was 10–25 variable lookups, `{% if %}`/`{% with %}` nodes
and filters: most of these pages' time once the queries were few. The markup here is exactly what
the templates' loops printed (same whitespace; tests/submissions/test_list_render.py compares both
with the template), every value goes through core.tables.esc (conditional_escape)."""

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.tables import esc, local_format, state_badge, url_maker


def progress_rows(lines, campaign, type_labels):
    """The <tbody> content of templates/submissions/progress.html for `lines` (queries.progress)."""
    if not lines:
        return mark_safe('<tr><td colspan="7" class="text-muted">没有符合条件的党组织。</td></tr>\n  ')
    form1_url, form2_url = (url_maker(f"submissions:{k}", campaign.pk) for k in ("form1", "form2"))
    _local = local_format("%m-%d %H:%M")
    badges = {}  # one badge per distinct (state, label): a handful per page

    def badge(item):
        key = (item.code, item.label)
        if key not in badges:
            badges[key] = state_badge(item.code, item.label)
        return badges[key]

    types = {code: esc(label) for code, label in type_labels.items()}
    out = []
    for line in lines:
        org, f1, f2 = line["org"], line["form1"], line["form2"]
        submitted = []
        if f1 is not None and f1.submitted_at:
            submitted.append(f"附件1 {_local(f1.submitted_at)}")
        if f2 is not None and f2.submitted_at:
            submitted.append(f"<br>附件2 {_local(f2.submitted_at)}")
        org_type = types.get(org.org_type)
        if org_type is None:
            org_type = esc(org.org_type)
        out.append(
            f'\n  <tr data-org="{esc(org.code)}">\n    <td>{esc(org.name)}</td>\n'
            f'    <td class="small">{org_type}</td>\n'
            f'    <td><a href="{form1_url(org.pk)}">{badge(line["form1_item"])}</a></td>\n'
            f'    <td>{esc(f1.brand_name) if f1 is not None and f1.brand_name else ""}</td>\n'
            f'    <td><a href="{form2_url(org.pk)}">{badge(line["form2_item"])}</a></td>\n'
            f'    <td>{line["rows_ready"]} / {line["n_branches"]}</td>\n'
            f'    <td class="small text-muted">{"".join(submitted)}</td>\n  </tr>\n  ')
    return mark_safe("".join(out))


def formal_rows(lines, campaign, flags, csrf_token):
    """The <tbody> content of templates/submissions/formal_check.html for `lines`
    (queries.formal_check_lines plus the view's url / can_return / can_pass / check_url), with the
    similarity flags of similarity.queries.entry_flags."""
    if not lines:
        return mark_safe('<tr><td colspan="7" class="text-muted">暂无申报。</td></tr>')
    from .models import EntryState, Track

    tracks, states = dict(Track.choices), dict(EntryState.choices)
    text_url, campaign_url = url_maker("similarity:text"), reverse("similarity:campaign", args=[campaign.pk])
    pass_form = ('<form method="post" action="{}" class="d-inline"><input type="hidden" name="csrfmiddlewaretoken" '
                 f'value="{esc(csrf_token)}"><input type="hidden" name="next" value="list"><button class="btn btn-sm '
                 'btn-success" name="decision" value="pass">通过</button></form>')
    missing_cells = {}  # a few distinct lists (what is missing repeats from entry to entry)
    out = []
    for line in lines:
        e = line["entry"]
        rank = f"（{e.rank}）" if e.rank else ""
        flag = ""
        sf = flags.get(e.pk)
        if sf and sf.get("flagged"):
            href = text_url(sf["text"]) if sf.get("text") else campaign_url
            flag = (f' <a class="badge text-bg-danger text-decoration-none" data-testid="similarity-flag" href="{href}"'
                    f' title="与其他材料的最高相似度（阈值 {esc(sf["threshold"])}%）">查重 {floatformat(sf["percent"], 0)}%</a>')
        missing = tuple(line["missing"])
        cell = missing_cells.get(missing)
        if cell is None:
            cell = missing_cells[missing] = (
                f'<span class="text-danger">{"、".join(esc(m) for m in missing)}</span>' if missing
                else '<span class="text-success">齐全</span>')
        buttons = ""
        if line["can_return"]:
            form = pass_form.format(line["check_url"]) if line["can_pass"] else ""
            buttons = f'\n      {form}\n      <a class="btn btn-sm btn-outline-danger" href="{line["url"]}">退回…</a>'
        state = esc(e.state)
        out.append(
            f'\n  <tr data-entry="{e.pk}">\n    <td class="small">{esc(tracks.get(e.track, e.track))}{rank}</td>\n'
            f'    <td><a href="{line["url"]}">{esc(e.organization.name)}</a></td>\n'
            f'    <td class="small">{esc(e.college.name)}</td><td>{esc(e.title)}{flag}</td>\n'
            f'    <td><span class="badge badge-state-{state}">{esc(states.get(e.state, e.state))}</span></td>\n'
            f'    <td class="small">{cell}</td>\n'
            f'    <td class="text-end text-nowrap">{buttons}</td>\n  </tr>\n  ')
    return mark_safe("".join(out))
