"""End-user portal pages: always the logged-in user's own data (no id in any URL)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView, View

from apps.users import services
from apps.users.forms import ContactForm, ForwardTimerForm, PortalPinForm, RingFormSet, VoicemailPinForm
from apps.users.models import UserProfile


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
        messages.success(self.request, "Your contact information was saved.")
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
                messages.success(request, "Your call forwarding was saved.")
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
        messages.success(self.request, "Your voicemail PIN was changed.")
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
        messages.success(self.request, "Your portal PIN was changed. Use the new one from now on, here and in apps.")
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
        messages.success(request, "You have a new feed key: the old private URLs no longer work.")
        return redirect(self.success_url)
