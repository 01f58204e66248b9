"""{% formal_check_rows lines campaign simflags %}: the 形式审查 list's rows (submissions.render), with the
page's own CSRF token and the similarity flags the template already read (`{% similarity_flags %}`)."""

from django import template

from submissions import render

register = template.Library()


@register.simple_tag(takes_context=True)
def formal_check_rows(context, lines, campaign, flags):
    return render.formal_rows(lines, campaign, flags or {}, str(context.get("csrf_token", "")))
