"""The rows of long 组织部 tables as HTML built in Python: the progress table (one row per 院级 org, ~300).

Through the template language each row was 10–25 variable lookups, `{% if %}`/`{% with %}` nodes
and filters: most of these pages' time once the queries were few. The markup here is exactly what
the templates' loops printed (same whitespace; tests/submissions/test_list_render.py compares both
with the template), every value goes through conditional_escape."""

from django.utils import timezone
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe

from core.tables import state_badge, url_maker


def _local(dt):
    return timezone.localtime(dt).strftime("%m-%d %H:%M")


def progress_rows(lines, campaign, type_labels):
    """The <tbody> content of templates/submissions/progress.html for `lines` (queries.progress)."""
    if not lines:
        return mark_safe('<tr><td colspan="7" class="text-muted">没有符合条件的党组织。</td></tr>\n  ')
    form1_url, form2_url = (url_maker(f"submissions:{k}", campaign.pk) for k in ("form1", "form2"))
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

