from django import template

from audit.display import present

register = template.Library()


@register.simple_tag
def present_audit(entries):
    """The entries with .display_changes and .action_display (see audit.display)."""
    return present(entries)


@register.filter
def is_lines(value):
    return isinstance(value, list)


@register.filter
def model_verbose_name(content_type):
    """A ContentType as its model's Chinese name (操作记录's 对象类型 filter), never a class path."""
    model = content_type.model_class()
    return str(model._meta.verbose_name) if model is not None else "已删除的类型"
