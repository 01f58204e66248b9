from django import template

from audit.log import ACTION_LABELS

register = template.Library()


@register.filter
def action_label(action):
    return ACTION_LABELS.get(action, action)


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def short(value, length=40):
    text = "" if value is None else str(value)
    return text if len(text) <= length else text[: length - 1] + "…"


@register.filter
def has_role(user, role):
    from organizations import roles

    return roles.has_role(user, role)
