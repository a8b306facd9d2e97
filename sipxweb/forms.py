"""The HTML login form with the same brute-force lockout as the REST API (D7)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from sipxweb.rest import lockout


class LockoutAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong user name or PIN. Log in with your user name, an alias or your IM id.",
        "locked": "Too many failed logins from this address. Try again in %(seconds)s seconds.",
    }

    def clean(self):
        name = self.cleaned_data.get("username") or ""
        if not name or not self.cleaned_data.get("password"):
            return super().clean()
        address = lockout.client_address(self.request) if self.request else "unknown"
        try:
            attempt = lockout.begin(address, name)
        except lockout.Locked as exc:
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked", params={"seconds": exc.retry_after}
            ) from None
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            lockout.failed(attempt)
            raise
        lockout.succeeded(attempt)
        return cleaned
