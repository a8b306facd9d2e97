"""{% pbx_glance %} (the administrators' overview) and {% my_glance %} (a user's home page): the summaries of
apps.dashboard.glance, rendered where a page's template puts them."""

from django import template

from apps.dashboard import glance

register = template.Library()


@register.inclusion_tag("dashboard/pbx_glance.html")
def pbx_glance():
    return glance.pbx()


@register.inclusion_tag("dashboard/my_glance.html", takes_context=True)
def my_glance(context):
    # the switches on the home page are forms: they need the page's CSRF token
    return {**glance.personal(context["request"].user), "csrf_token": context.get("csrf_token")}
