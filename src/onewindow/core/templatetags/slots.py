"""``{% slot %}``: a place on a page where higher apps show their fragments (registered in
``core.registry``), so the page's own app never names their URLs (docs/decisions/0022).

    {% load slots %}
    {% slot "catalog.item_guide.apply" item=item %}

Each fragment registered for the slot is rendered, in order, with the page's context plus
the slot's arguments plus what the fragment's ``context`` callable adds; a callable that
answers None leaves its fragment out. An empty slot renders nothing.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from onewindow.core import registry

register = template.Library()


@register.simple_tag(takes_context=True)
def slot(context, name: str, **arguments) -> str:
    parts = []
    for entry in registry.fragments(name):
        values = dict(arguments)
        if entry.context is not None:
            extra = entry.context(context, **arguments)
            if extra is None:
                continue
            values.update(extra)
        fragment = context.template.engine.get_template(entry.template)
        with context.push(values):
            parts.append(fragment.render(context))
    return mark_safe("".join(parts))  # the fragments' templates escape their own values
