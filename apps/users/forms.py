"""HTML forms for users, groups and the portal. Secrets (portal PIN, voicemail PIN, SIP password) are
write-only inputs: they are never rendered back into a page, not even after a bad submit."""

import re
from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.users import addressbook, credentials, lockout, services
from apps.users.models import ApiToken, AwayPeriod, Ring, User, UserGroup, UserProfile


def split_names(value: str) -> list[str]:
    """Aliases as typed: separated by commas and/or white space."""
    return [name for name in re.split(r"[\s,]+", value or "") if name]


def secret_input(**attrs) -> forms.PasswordInput:
    return forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", **attrs})


class UserForm(forms.ModelForm):
    """Create/edit a user. `services.save_user` checks and stores it (login names, PINs, groups), so a user is
    accepted or refused as the data file's would be; the view attaches its field-keyed ValidationError to the
    fields, which have the service's field names."""

    aliases = forms.CharField(
        label=_("Aliases"),
        required=False,
        help_text=_("Other names and extensions of this user, separated by commas or spaces."),
    )
    pin = forms.CharField(
        label=_("Portal PIN"),
        required=False,
        strip=False,
        widget=secret_input(),
        help_text=format_lazy("{} {}", _("Leave empty to keep it."), services.PIN_HELP),
    )
    # PINs are taken as typed (no trimming), as REST and the data file take them.
    voicemail_pin = forms.CharField(
        label=_("Voicemail PIN"),
        required=False,
        strip=False,
        widget=secret_input(),
        help_text=services.VOICEMAIL_PIN_HELP,
    )
    sip_password = forms.CharField(
        label=_("SIP password"),
        required=False,
        strip=False,
        widget=secret_input(),
        help_text=_("Leave empty to keep it."),
    )

    # `sip_password` is a declared field left out of Meta.fields, so an empty input never clears the stored value.
    field_order = [
        "username",
        "first_name",
        "last_name",
        "aliases",
        "pin",
        "voicemail_pin",
        "sip_password",
        "im_id",
    ]

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "im_id",
            "im_enabled",
            "im_display_name",
            "is_admin",
            "perm_voicemail",
            "perm_attendant_admin",
            "groups",
            "is_active",
            "time_zone",
            "language",
        ]
        widgets = {"groups": forms.CheckboxSelectMultiple}
        labels = {"first_name": _("First name"), "last_name": _("Last name"), "groups": _("Groups")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Time zone"),
            required=False,
            choices=time_zone_choices,
            help_text=_("The zone of the user's pages."),
        )
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"),
            required=False,
            choices=language_choices,
            help_text=_("The language of the user's pages."),
        )
        if self.instance.pk:
            self.fields["aliases"].initial = ", ".join(self.instance.aliases)
        else:
            self.fields["pin"].required = True
            self.fields["pin"].help_text = format_lazy(
                "{} {}", _("The PIN for this portal and the REST API."), services.PIN_HELP
            )
            self.fields["sip_password"].help_text = ""

    SECTIONS = (
        (_("User"), ["username", "first_name", "last_name", "aliases", "is_active"]),
        (_("PINs and passwords"), ["pin", "voicemail_pin", "sip_password"]),
        (_("Instant messaging"), ["im_id", "im_enabled", "im_display_name"]),
        (_("Permissions and groups"), ["is_admin", "perm_voicemail", "perm_attendant_admin", "groups"]),
        (_("Time zone and language"), ["time_zone", "language"]),
    )

    def fieldsets(self):
        """The form's fields in titled sections, for the generic form template."""
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean_aliases(self):
        return split_names(self.cleaned_data.get("aliases", ""))


class UserGroupForm(forms.ModelForm):
    """A group; `services.clean_group` and `save_group` hold its rules, as for the data file's groups."""

    class Meta:
        model = UserGroup
        fields = ["name", "description"]
        labels = {"name": _("Name"), "description": _("Description")}

    def clean(self):
        cleaned = super().clean()
        if "name" in cleaned and "description" in cleaned:
            try:
                data = services.clean_group(services.GroupData(cleaned["name"], cleaned["description"]))
            except ValidationError as exc:
                self.add_error(None, exc)
            else:
                cleaned["name"], cleaned["description"] = data.name, data.description
        return cleaned

    def save(self, commit=True):
        return services.save_group(self.instance)


ADDRESSES = (
    ("office_address", _("Office address")),
    ("home_address", _("Home address")),
    ("branch_address", _("Branch address")),
)
ADDRESS_LABELS = addressbook.ADDRESS_LABELS


class ContactForm(forms.ModelForm):
    """My contact information: the profile's fields, first/last name (on User) and the three addresses,
    each a dict of which only the non-empty keys are stored. `services.clean_contact` checks it (the e-mail form,
    lengths) and `services.save_contact` stores it, as for PUT /my/contact-information and the data file."""

    first_name = forms.CharField(label=_("First name"), required=False, max_length=255)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=255)

    class Meta:
        model = UserProfile
        fields = [
            "job_title",
            "job_dept",
            "company_name",
            "location",
            "manager",
            "employee_id",
            "assistant_name",
            "email_address",
            "alternate_email_address",
            "cell_phone_number",
            "home_phone_number",
            "assistant_phone_number",
            "fax_number",
            "did_number",
            "alternate_im_id",
            "twiter_name",
            "linkedin_name",
            "facebook_name",
            "xing_name",
            "branch_name",
            "use_branch_address",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.instance.user
        self.fields["first_name"].initial = user.first_name
        self.fields["last_name"].initial = user.last_name
        for address, _title in ADDRESSES:
            stored = getattr(self.instance, address) or {}
            for key, label in ADDRESS_LABELS.items():
                self.fields[f"{address}-{key}"] = forms.CharField(
                    label=label, required=False, max_length=255, initial=stored.get(key, "")
                )

    def name_fields(self):
        return [self["first_name"], self["last_name"]]

    def profile_fields(self):
        return [self[name] for name in self._meta.fields]

    def address_groups(self):
        return [(title, [self[f"{address}-{key}"] for key in ADDRESS_LABELS]) for address, title in ADDRESSES]

    def contact_values(self) -> dict:
        """The profile fields this form changes, as services.save_contact takes them."""
        cleaned = self.cleaned_data
        values = {name: cleaned.get(name) for name in self._meta.fields}
        for address, _title in ADDRESSES:
            parts = {key: cleaned.get(f"{address}-{key}") for key in ADDRESS_LABELS}
            values[address] = {key: value for key, value in parts.items() if value}  # an empty box is no value
        return values

    def clean(self):
        cleaned = super().clean()
        try:
            services.clean_contact(self.contact_values())
        except ValidationError as exc:
            for error in exc.error_list:
                name = f"{error.key}-{error.part}" if error.part else error.key
                self.add_error(name if name in self.fields else None, error)
        return cleaned

    def save(self, commit=True):
        cleaned = self.cleaned_data
        return services.save_contact(self.instance, self.contact_values(), cleaned["first_name"], cleaned["last_name"])


class ForwardTimerForm(forms.Form):
    timer = forms.IntegerField(
        label=_("Ring my phones for"),
        min_value=services.FORWARD_TIMER_RANGE[0],
        max_value=services.FORWARD_TIMER_RANGE[1],
        help_text=_("Seconds your own phones ring before the ring list below starts."),
    )


class RingForm(forms.Form):
    enabled = forms.BooleanField(required=False, initial=True)
    number = forms.CharField(max_length=255)
    expiration = forms.IntegerField(
        label=_("Seconds"),
        initial=30,
        min_value=services.RING_EXPIRATION_RANGE[0],
        max_value=services.RING_EXPIRATION_RANGE[1],
    )
    type = forms.ChoiceField(choices=Ring.Type.choices, initial=Ring.Type.DELAYED)

    def has_changed(self):
        # A blank row (the spare row, or one added and left empty) is no ring: skip it instead of failing.
        return bool((self["number"].value() or "").strip())

    def ring_data(self) -> services.RingData:
        c = self.cleaned_data
        return services.RingData(number=c["number"], expiration=c["expiration"], type=c["type"], enabled=c["enabled"])


# The page offers no spare row past the service's bound; a longer list posted anyway is refused by
# services.set_forwarding with the same sentence as REST and the data file.
RingFormSet = forms.formset_factory(RingForm, extra=1, can_order=True, can_delete=True, max_num=services.MAX_RINGS)


class VoicemailPinForm(forms.Form):
    new_pin = forms.CharField(label=_("New voicemail PIN"), strip=False, widget=secret_input(inputmode="numeric"))
    confirm_pin = forms.CharField(
        label=_("New voicemail PIN again"), strip=False, widget=secret_input(inputmode="numeric")
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["new_pin"].help_text = services.VOICEMAIL_PIN_HELP

    def clean_new_pin(self):
        pin = self.cleaned_data["new_pin"]
        services.validate_voicemail_pin(self.user, pin)
        return pin

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_pin") and cleaned.get("confirm_pin") and cleaned["new_pin"] != cleaned["confirm_pin"]:
            self.add_error("confirm_pin", _("The two PINs differ."))
        return cleaned


class PortalPinForm(forms.Form):
    """The user's own change of their portal PIN: the current PIN, then the new one twice. The new PIN follows the
    policy (services.pin_rule, help text services.PIN_RULE). The current PIN is checked through the login's
    lockout (D7), counted against the same account and address, and only once everything else is right, so that
    every check is counted and a locked account learns nothing."""

    current_pin = forms.CharField(
        label=_("Current PIN"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    pin = forms.CharField(label=_("New PIN"), strip=False, widget=secret_input(), help_text=services.PIN_HELP)
    confirm_pin = forms.CharField(label=_("New PIN again"), strip=False, widget=secret_input())

    error_messages = {
        "locked": _("Too many wrong PINs for this account from this address. Try again in %(seconds)s seconds."),
    }

    def __init__(self, user, request, *args, **kwargs):
        self.user, self.request = user, request
        super().__init__(*args, **kwargs)

    def clean_pin(self):
        pin = self.cleaned_data["pin"]
        problem = services.pin_rule(pin, [self.user.username, *self.user.aliases, self.user.im_id])
        if problem:
            raise ValidationError(problem, code="pin_policy")
        return pin

    def clean(self):
        cleaned = super().clean()
        pin, again = cleaned.get("pin"), cleaned.get("confirm_pin")
        if pin and again and pin != again:
            self.add_error("confirm_pin", _("The two new PINs differ."))
        if self.errors or "current_pin" not in cleaned:
            return cleaned
        try:
            attempt = lockout.begin(lockout.client_address(self.request), lockout.account_of(self.user.pk, ""))
            lockout.reserve(attempt)
        except lockout.Locked as exc:
            raise ValidationError(
                self.error_messages["locked"], code="locked", params={"seconds": exc.retry_after}
            ) from None
        if not credentials.check_pin(self.user, cleaned["current_pin"]):
            lockout.failed(attempt)
            self.add_error("current_pin", _("That is not your current PIN."))
            return cleaned
        lockout.succeeded(attempt)
        if pin == cleaned["current_pin"]:
            self.add_error("pin", _("The new PIN is the one you have now."))
        return cleaned


class TokenForm(forms.Form):
    """A new API token of the logged-in user (apps/users/tokens.create_token checks and stores it)."""

    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_('What will use it, e.g. "backup script".'),
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    expires = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day it works (until midnight, server time). Empty: until revoked."),
    )

    def expiry(self) -> datetime | None:
        """The end of the chosen day: a token valid until the 31st works all that day."""
        day = self.cleaned_data.get("expires")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


class LoginForm(AuthenticationForm):
    """The HTML login (settings.LOGIN_FORM) with the same brute-force lockout as the REST API (D7): failures
    count against the account whatever name or alias was typed, and each attempt takes its lockout slot before
    the PIN is checked."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong user name or PIN. Log in with your user name, an alias or your IM id."),
        "locked": _("Too many failed logins for this account from this address. Try again in %(seconds)s seconds."),
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


# ---- availability: do not disturb, forward all, away periods, time zone (apps/users/availability.py) ------------


class WallClockField(forms.DateTimeField):
    """A date and time as typed (`datetime-local`), without a zone: the period's zone gives it its instant
    (availability.instant), so a time that a DST change skips or repeats is taken, not refused."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.strptime(text, pattern)
            except ValueError:
                continue
        raise ValidationError(_("Enter a date and time such as 2026-12-24 09:00."), code="invalid")


def time_zone_choices() -> list[tuple[str, str]]:
    from django.conf import settings

    default = [("", _("The server's (%(zone)s)") % {"zone": settings.TIME_ZONE})]
    return default + [(name, name.replace("_", " ")) for name in sorted(services.available_time_zones())]


def language_choices() -> list[tuple[str, str]]:
    """The languages of the pages, each named in itself, after the browser's choice ("")."""
    from django.conf import settings

    return [("", _("The browser's")), *settings.LANGUAGES]


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, choices=time_zone_choices)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=language_choices)


class AwayPeriodForm(forms.Form):
    """An away period; availability.save_period holds every rule (the end after the start, overlaps, ...)."""

    start = WallClockField(label=_("From"))
    end = WallClockField(
        label=pgettext_lazy("period end", "To"), help_text=_("For a weekly period: the end of its first occurrence.")
    )
    weekly = forms.BooleanField(
        label=_("Every week"), required=False, help_text=_("The same days and times every week.")
    )
    repeat_until = forms.DateField(
        label=_("Repeat until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The last day a weekly period starts (empty: for ever)."),
    )
    forward_to = forms.CharField(
        label=_("Forward calls to"),
        required=False,
        max_length=services.TEXT_MAX,
        help_text=_("A number, an extension or a SIP address; empty: calls go to voicemail."),
    )
    greeting = forms.ChoiceField(label=_("Voicemail greeting"), choices=AwayPeriod.Greeting.choices)

    def period_data(self, time_zone: str):
        from apps.users.availability import PeriodData

        data = self.cleaned_data
        return PeriodData(
            start=data["start"],
            end=data["end"],
            time_zone=time_zone,
            weekly=data["weekly"],
            repeat_until=data["repeat_until"],
            forward_to=data["forward_to"] or None,
            greeting=data["greeting"],
        )

    @classmethod
    def initial_of(cls, period) -> dict:
        from apps.users.availability import unstored

        return {
            "start": unstored(period.start),
            "end": unstored(period.end),
            "weekly": period.weekly,
            "repeat_until": period.repeat_until,
            "forward_to": period.forward_to or "",
            "greeting": period.greeting,
        }


class ForwardAllForm(forms.Form):
    """The home page's switches: which button was pressed, the forward-all number and an optional end."""

    ACTIONS = ("dnd-on", "dnd-off", "forward-on", "forward-off")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    forward_all = forms.CharField(label=_("Forward all calls to"), required=False, max_length=services.TEXT_MAX)
    until = forms.DateTimeField(
        label=_("Until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("Empty: until you switch it off."),
    )
