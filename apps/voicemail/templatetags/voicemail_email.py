"""{% voicemail_email_section %}: the mailbox page's e-mail part (apps/voicemail/email_views.py), for the page's
`owner`; administrators (`admin_view`) also see the mails not delivered."""

from django import template
from django.urls import reverse

from apps.voicemail import email
from apps.voicemail.email_views import EmailModeForm

register = template.Library()
SHOWN = 10


@register.inclusion_tag("voicemail/email_section.html", takes_context=True)
def voicemail_email_section(context):
    owner, admin_view = context["owner"], context.get("admin_view", False)
    state = email.summary(owner)  # one query; the list below only when there is something to list
    if admin_view:
        urls = {name: reverse(f"voicemail:{name}", args=[owner.username]) for name in ("email", "email_retry")}
        contact_url = reverse("users:user_edit", args=[owner.pk])
        rows = email.troubled().filter(message__user=owner).select_related("message") if state["undelivered"] else []
        undelivered = list(rows[: SHOWN + 1])
    else:
        urls = {"email": reverse("portal-voicemail:email")}
        contact_url = reverse("portal:contact")
        undelivered = []
    return {
        "csrf_token": context.get("csrf_token"),
        "admin_view": admin_view,
        "owner": owner,
        "form": EmailModeForm(initial={"email_mode": state["mode"]}, auto_id="id_email_%s"),
        "address": state["address"],
        "problem": state["problem"],
        "contact_url": contact_url,
        "urls": urls,
        "undelivered": undelivered[:SHOWN],
        "more_undelivered": len(undelivered) > SHOWN,
        "retryable": any(d.status in (d.Status.FAILED, d.Status.UNSENDABLE) for d in undelivered),
    }
