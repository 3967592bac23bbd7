"""``{% main_menu %}`` and ``{% sub_menu %}``: the navigation of ``xinzhi.web.menu`` for the signed-in user."""

from django import template

from xinzhi.web import menu

register = template.Library()


@register.inclusion_tag("web/_mainmenu.html", takes_context=True)
def main_menu(context) -> dict:
    """The bar: entries and sub-menus (``<details>`` dropdowns: keyboard-operable without script;
    ``web/menu.js`` closes the others and collapses the bar behind a button on small screens)."""
    request = context["request"]
    return {"entries": menu.grouped(menu.MAIN_MENU, request.user, request.path)}


@register.inclusion_tag("web/_menu.html", takes_context=True)
def sub_menu(context) -> dict:
    request = context["request"]
    return {"entries": menu.entries(menu.sub_menu(request.path), request.user, request.path), "css": "subnav"}
