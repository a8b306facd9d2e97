"""The mailbox pages' e-mail part (admin `/voicemail/<user>/email/...`, portal `/portal/voicemail/email/`): the
choice of what each new message sends by e-mail, and for administrators the mails not delivered and a button that
sends them again. The rules are apps/voicemail/email.py's; the section is templatetags/voicemail_email.py."""

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.views.generic import View

from apps.voicemail import email
from apps.voicemail.models import EmailMode
from apps.voicemail.views import MailboxOwnerMixin


class EmailModeForm(forms.Form):
    email_mode = forms.ChoiceField(label="E-mail me", choices=EmailMode.choices, widget=forms.RadioSelect)


class EmailModeView(MailboxOwnerMixin, View):
    http_method_names = ["post"]

    def post(self, request, **kwargs):
        form = EmailModeForm(request.POST)
        if not form.is_valid():
            flash.error(request, f"Choose one of: {', '.join(str(label) for _, label in EmailMode.choices)}.")
            return self.back()
        mode = form.cleaned_data["email_mode"]
        try:
            email.set_email_mode(self.owner, mode)
        except ValidationError as exc:
            flash.error(request, " ".join(exc.messages))
            return self.back()
        if mode == EmailMode.OFF:
            flash.success(request, "New messages are no longer sent by e-mail.")
        else:
            try:
                address = email.recipient(self.owner)
            except email.Unsendable as exc:
                flash.warning(request, f"Saved, but no mail can be sent yet: {exc}")
            else:
                flash.success(request, f"New messages are sent to {address}: {EmailMode(mode).label.lower()}.")
        return self.back()


class EmailRetryView(MailboxOwnerMixin, View):
    """Administrators: the mailbox's given-up and unsendable mails are tried again now."""

    http_method_names = ["post"]

    def post(self, request, **kwargs):
        count = email.retry(self.owner)
        if count:
            flash.success(request, f"{count} e-mail{'s' if count != 1 else ''} will be sent again now.")
        else:
            flash.info(request, "There is no e-mail to send again.")
        return self.back()


class MyEmailModeView(EmailModeView):
    """The portal's: the logged-in user's own mailbox."""

    own = True
