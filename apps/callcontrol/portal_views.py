"""The portal's call box page (mounted at /cdrs/my/call/, next to the user's own call pages): rings the user's
phones, then connects them to the number, as `PUT /my/call/{to}` does."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import FormView

from apps.callcontrol.forms import CallBoxForm
from apps.callcontrol.services import click_to_call


class CallBoxView(LoginRequiredMixin, FormView):
    """The portal's call box: rings the user's phones, then connects them to the number (PUT /my/call)."""

    template_name = "callcontrol/call_box.html"
    form_class = CallBoxForm

    def get_initial(self):
        return {"number": self.request.GET.get("number", "")}

    def form_valid(self, form):
        click_to_call(self.request.user, form.cleaned_data["number"])
        messages.success(self.request, f"Calling {form.cleaned_data['number']}: your phone rings first.")
        return redirect("portal-callcontrol:call_box")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "Call"
        return context
