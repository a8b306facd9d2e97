"""End-user portal pages."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class PortalHomeView(LoginRequiredMixin, TemplateView):
    template_name = "portal/home.html"
