"""``{% load permissions %}{% if user|can:"imports.run" %}…{% endif %}`` — the capability table in templates,
so a button is offered only to those who may press it."""

from django import template

from xinzhi.accounts import permissions

register = template.Library()


@register.filter(name="can")
def can(user, key: str) -> bool:
    return bool(permissions.can(user, key))
