"""The portal's conference pages (mounted at /portal/conferences/): the logged-in user's rooms, where the owner
changes only the description and the codes; another user's room is a 404."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.views.generic import ListView, UpdateView

from apps.conferences.forms import OwnerConferenceForm
from apps.conferences.models import Conference


class MyConferenceListView(LoginRequiredMixin, ListView):
    template_name = "conferences/my_conferences.html"
    paginate_by = 25

    def get_queryset(self):
        return Conference.objects.filter(owner=self.request.user).order_by("name")


class MyConferenceUpdateView(LoginRequiredMixin, UpdateView):
    form_class = OwnerConferenceForm
    template_name = "generic/form.html"

    def get_queryset(self):
        return Conference.objects.filter(owner=self.request.user)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, f"Conference {self.object} saved.")
        return response

    def get_success_url(self):
        return reverse("portal-conferences:conference_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=f"Conference {self.object}", list_url=self.get_success_url())
        return context
