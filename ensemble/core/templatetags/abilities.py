from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: dict[str, Any], obj: Any, ability: str) -> bool:
    """``{% can document "update" as may_edit %}``: the same question the API asks."""
    request = context.get("request")
    if request is None or obj is None:
        return False
    return bool(obj.get_abilities(request.user).get(ability, False))
