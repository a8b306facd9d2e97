"""End-user portal pages: always the logged-in user's own data (no id in any URL)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView, View

from apps.users import availability, services
from apps.users.forms import (
    AwayPeriodForm,
    ContactForm,
    ForwardAllForm,
    ForwardTimerForm,
    PortalPinForm,
    RingFormSet,
    TimeZoneForm,
    VoicemailPinForm,
)
from apps.users.models import AwayPeriod, UserProfile


class PortalHomeView(LoginRequiredMixin, TemplateView):
    template_name = "portal/home.html"


class ContactView(LoginRequiredMixin, FormView):
    template_name = "portal/contact.html"
    form_class = ContactForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"], _ = UserProfile.objects.select_related("user").get_or_create(user=self.request.user)
        return kwargs

    def form_valid(self, form):
        form.save()
        messages.success(self.request, gettext("Your contact information was saved."))
        return redirect("portal:contact")


class ForwardView(LoginRequiredMixin, View):
    """Call forwarding: the timer and the ring list as a formset. Rows are ordered by their position field
    (the page's script renumbers it for the up/down buttons), removed with their delete box, added through
    the spare row; saved in one go by services.set_forwarding."""

    template_name = "portal/forward.html"

    def get(self, request):
        user = request.user
        timer_form = ForwardTimerForm(initial={"timer": user.call_forward_timer})
        rings = [
            {"enabled": r.enabled, "number": r.number, "expiration": r.expiration, "type": r.type, "ORDER": i + 1}
            for i, r in enumerate(user.rings.all())
        ]
        return self.render(timer_form, RingFormSet(initial=rings, prefix="rings"))

    def post(self, request):
        timer_form = ForwardTimerForm(request.POST)
        formset = RingFormSet(request.POST, prefix="rings")
        errors = []
        if timer_form.is_valid() and formset.is_valid():
            rings = [form.ring_data() for form in formset.ordered_forms]
            try:
                services.set_forwarding(request.user, timer_form.cleaned_data["timer"], rings)
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, gettext("Your call forwarding was saved."))
                return redirect("portal:forward")
        return self.render(timer_form, formset, errors)

    def render(self, timer_form, formset, errors=()):
        context = {"timer_form": timer_form, "formset": formset, "errors": errors}
        return render(self.request, self.template_name, context)


class VoicemailPinView(LoginRequiredMixin, FormView):
    template_name = "portal/voicemail_pin.html"
    form_class = VoicemailPinForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        services.set_voicemail_pin(self.request.user, form.cleaned_data["new_pin"])
        messages.success(self.request, gettext("Your voicemail PIN was changed."))
        return redirect("portal:voicemail_pin")


@method_decorator(never_cache, name="dispatch")
class PortalPinView(LoginRequiredMixin, FormView):
    """Change PIN: the user's own portal PIN (the pages' and the REST API's password), by the PIN policy. The
    session stays logged in; Digest works with the new PIN at once (services recompute each login name's HA1)."""

    template_name = "portal/portal_pin.html"
    form_class = PortalPinForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "request": self.request}

    def form_valid(self, form):
        try:
            services.set_portal_pin(self.request.user, form.cleaned_data["pin"])
        except ValidationError as exc:
            form.add_error(None, exc)  # keyed "pin", the form's field
            return self.form_invalid(form)
        update_session_auth_hash(self.request, self.request.user)
        messages.success(
            self.request, gettext("Your portal PIN was changed. Use the new one from now on, here and in apps.")
        )
        return redirect("portal:portal_pin")


@method_decorator(never_cache, name="dispatch")
class LoginDetailsView(LoginRequiredMixin, TemplateView):
    """User name, aliases, IM id, the private feed URL; the SIP password only after a POST to portal:sip_password."""

    template_name = "portal/login_details.html"
    show_sip_password = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["show_sip_password"] = self.show_sip_password
        context["private_url"] = self.request.build_absolute_uri(
            f"/sipxconfig/rest/private/{self.request.user.feed_key}/"
        )
        return context


class SipPasswordView(LoginDetailsView):
    """The login-details page with the SIP password shown: only as the answer to the button's POST (never cached)."""

    show_sip_password = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())


class FeedKeyView(LoginRequiredMixin, View):
    """A new key for the private feed URLs; the old URLs stop working. Also the voicemail page's button, which
    comes back to its own page (`success_url`, a URL name)."""

    http_method_names = ["post"]
    success_url = "portal:login_details"

    def post(self, request):
        services.regenerate_feed_key(request.user)
        messages.success(request, gettext("You have a new feed key: the old private URLs no longer work."))
        return redirect(self.success_url)


# ---- availability: the switches, away periods, time zone (apps/users/availability.py) ---------------------------


class AvailabilityView(LoginRequiredMixin, View):
    """The home page's one-click switches post here (plain forms, no script needed): do not disturb on/off, forward
    all calls on (a number, an optional end)/off. Success goes back to the page the form was on; a refusal shows this
    page with the sentence, answered 400."""

    template_name = "portal/availability.html"

    def get(self, request):
        return self.render(ForwardAllForm())

    def post(self, request):
        form = ForwardAllForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        user = request.user
        state = availability.availability_at(user)
        dnd, forward_all, until = state.dnd, state.forward_all, state.until
        action = form.cleaned_data["action"]
        if action in ("dnd-on", "forward-on"):
            until = form.cleaned_data["until"]
        if action == "dnd-on":
            dnd = True
        elif action == "dnd-off":
            dnd = False
        elif action == "forward-on":
            forward_all = form.cleaned_data["forward_all"] or ""
        else:
            forward_all = None
        try:
            availability.set_availability(user, dnd, forward_all, until)
        except ValidationError as exc:
            for error in exc.error_list:
                form.add_error("forward_all" if error.field == "forward_all" else "until", error.message)
            return self.render(form, status=400)
        messages.success(request, _SAVED[action])
        return redirect("portal:home")

    def render(self, form, status=200):
        context = {"form": form, "state": availability.availability_at(self.request.user)}
        return render(self.request, self.template_name, context, status=status)


_SAVED = {
    "dnd-on": gettext_lazy("Do not disturb is on: your calls go to voicemail."),
    "dnd-off": gettext_lazy("Do not disturb is off."),
    "forward-on": gettext_lazy("All your calls are forwarded."),
    "forward-off": gettext_lazy("Your calls are no longer all forwarded."),
}


class AwayOwnerMixin:
    """Whose away periods a page shows: the portal's are the user's own; the admin pages (apps/users/views.py) name
    the user in the URL."""

    admin = False

    def owner(self):
        return self.request.user

    def list_url(self):
        return reverse("portal:away_list")

    def base_context(self, owner):
        return {"owner": owner, "admin": self.admin, "list_url": self.list_url()}


class AwayListView(LoginRequiredMixin, AwayOwnerMixin, View):
    """The away periods, what applies now and what comes next, and the form to add one."""

    template_name = "portal/away_list.html"

    def get(self, request, **kwargs):
        return self.render(AwayPeriodForm(initial={"greeting": AwayPeriod.Greeting.OUT_OF_OFFICE}))

    def post(self, request, **kwargs):
        form = AwayPeriodForm(request.POST)
        owner = self.owner()
        if form.is_valid():
            try:
                availability.save_period(owner, form.period_data(owner.zone_name))
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, gettext("The away period was added."))
                return redirect(self.list_url())
        return self.render(form, status=400)

    def render(self, form, status=200):
        owner = self.owner()
        periods = list(owner.away_periods.all())
        now = timezone.now()
        context = {
            **self.base_context(owner),
            "form": form,
            "rows": [(p, availability.describe(p), availability.occurrence_at(p, now)) for p in periods],
            "state": availability.availability_at(owner, now, periods),
            "next": availability.next_away(owner, now, periods),
            "zone": owner.zone_name,
        }
        return render(self.request, self.template_name, context, status=status)


def _add_errors(form, exc: ValidationError) -> None:
    fields = set(form.fields)
    for error in exc.error_list:
        field = getattr(error, "field", None)
        form.add_error(field if field in fields else None, error.message)


class AwayEditView(LoginRequiredMixin, AwayOwnerMixin, View):
    template_name = "portal/away_form.html"

    def period(self, pk):
        return get_object_or_404(AwayPeriod, pk=pk, user=self.owner())

    def get(self, request, pk, **kwargs):
        period = self.period(pk)
        return self.render(period, AwayPeriodForm(initial=AwayPeriodForm.initial_of(period)))

    def post(self, request, pk, **kwargs):
        period = self.period(pk)
        form = AwayPeriodForm(request.POST)
        if form.is_valid():
            try:
                availability.save_period(self.owner(), form.period_data(period.time_zone), period)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, gettext("The away period was saved."))
                return redirect(self.list_url())
        return self.render(period, form, status=400)

    def render(self, period, form, status=200):
        context = {**self.base_context(self.owner()), "period": period, "form": form, "zone": period.time_zone}
        return render(self.request, self.template_name, context, status=status)


class AwayDeleteView(LoginRequiredMixin, AwayOwnerMixin, View):
    template_name = "portal/away_delete.html"

    def get(self, request, pk, **kwargs):
        period = get_object_or_404(AwayPeriod, pk=pk, user=self.owner())
        context = {**self.base_context(self.owner()), "period": period, "described": availability.describe(period)}
        return render(request, self.template_name, context)

    def post(self, request, pk, **kwargs):
        availability.delete_period(get_object_or_404(AwayPeriod, pk=pk, user=self.owner()))
        messages.success(request, gettext("The away period was deleted."))
        return redirect(self.list_url())


class TimeZoneView(LoginRequiredMixin, FormView):
    template_name = "portal/time_zone.html"
    form_class = TimeZoneForm

    def get_initial(self):
        return {"time_zone": self.request.user.time_zone, "language": self.request.user.language}

    def form_valid(self, form):
        try:
            with transaction.atomic():  # both or neither
                for name, setter in (
                    ("time_zone", availability.set_time_zone),
                    ("language", availability.set_language),
                ):
                    try:
                        setter(self.request.user, form.cleaned_data[name])
                    except ValidationError as exc:
                        form.add_error(name, exc.error_list[0].message)
                        raise
        except ValidationError:
            self.request.user.refresh_from_db(fields=["time_zone", "language"])
            return self.form_invalid(form)
        messages.success(self.request, gettext("Your time zone is %(zone)s.") % {"zone": self.request.user.zone_name})
        return redirect("portal:time_zone")
