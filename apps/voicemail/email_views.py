"""The mailbox pages' e-mail part (admin `/voicemail/<user>/email/...`, portal `/portal/voicemail/email/`): the
choice of what each new message sends by e-mail, and for administrators the mails not delivered and a button that
sends them again. The rules are apps/voicemail/email.py's; the section is templatetags/voicemail_email.py."""

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import View

from apps.voicemail import email
from apps.voicemail.models import EmailMode
from apps.voicemail.views import MailboxOwnerMixin


class EmailModeForm(forms.Form):
    email_mode = forms.ChoiceField(label=gettext_lazy("E-mail me"), choices=EmailMode.choices, widget=forms.RadioSelect)


# What a saved choice says, by choice (the English is the choice's label, lower-cased).
SENT_TO = {
    EmailMode.NOTIFY: gettext_lazy("New messages are sent to %(address)s: a notification."),
    EmailMode.ATTACH: gettext_lazy("New messages are sent to %(address)s: the message attached."),
    EmailMode.ATTACH_SAVE: gettext_lazy(
        "New messages are sent to %(address)s: the message attached, then moved to saved."
    ),
}


class EmailModeView(MailboxOwnerMixin, View):
    http_method_names = ["post"]

    def post(self, request, **kwargs):
        form = EmailModeForm(request.POST)
        if not form.is_valid():
            choices = ", ".join(str(label) for _value, label in EmailMode.choices)
            flash.error(request, _("Choose one of: %(choices)s.") % {"choices": choices})
            return self.back()
        mode = form.cleaned_data["email_mode"]
        try:
            email.set_email_mode(self.owner, mode)
        except ValidationError as exc:
            flash.error(request, " ".join(exc.messages))
            return self.back()
        if mode == EmailMode.OFF:
            flash.success(request, _("New messages are no longer sent by e-mail."))
        else:
            try:
                address = email.recipient(self.owner)
            except email.Unsendable as exc:
                flash.warning(request, _("Saved, but no mail can be sent yet: %(reason)s") % {"reason": exc})
            else:
                flash.success(request, SENT_TO[mode] % {"address": address})
        return self.back()


class EmailRetryView(MailboxOwnerMixin, View):
    """Administrators: the mailbox's given-up and unsendable mails are tried again now."""

    http_method_names = ["post"]

    def post(self, request, **kwargs):
        count = email.retry(self.owner)
        if count:
            again = ngettext(
                "%(count)s e-mail will be sent again now.", "%(count)s e-mails will be sent again now.", count
            )
            flash.success(request, again % {"count": count})
        else:
            flash.info(request, _("There is no e-mail to send again."))
        return self.back()


class MyEmailModeView(EmailModeView):
    """The portal's: the logged-in user's own mailbox."""

    own = True
