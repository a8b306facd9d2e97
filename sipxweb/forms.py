"""The HTML login form with the same brute-force lockout as the REST API (D7): failures count against the
account whatever name or alias was typed, and each attempt takes its lockout slot before the PIN is checked."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from apps.users import credentials
from sipxweb.rest import lockout


class LockoutAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong user name or PIN. Log in with your user name, an alias or your IM id.",
        "locked": "Too many failed logins for this account from this address. Try again in %(seconds)s seconds.",
    }

    def clean(self):
        name = self.cleaned_data.get("username") or ""
        if not name or not self.cleaned_data.get("password"):
            return super().clean()
        address = lockout.client_address(self.request) if self.request else "unknown"
        login, bare, _ = credentials.resolve(name)
        try:
            attempt = lockout.begin(address, credentials.account_key(login, bare))
            lockout.reserve(attempt)
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
