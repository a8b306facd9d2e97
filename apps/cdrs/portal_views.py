"""The portal's call pages (mounted at /cdrs/my/): the logged-in user's active calls and call history, the admin
pages' views with `own` set (views.py). The call box next to them is apps/callcontrol/portal_views.py."""

from django.contrib.auth.mixins import LoginRequiredMixin

from apps.cdrs.views import ActiveCallsBase, CdrListBase


class MyActiveCallsView(LoginRequiredMixin, ActiveCallsBase):
    own = True


class MyCdrListView(LoginRequiredMixin, CdrListBase):
    own = True
