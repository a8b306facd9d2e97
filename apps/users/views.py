"""Admin HTML pages for users and groups (administrators only)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.views.generic import CreateView, UpdateView

from apps.users import portal_views, services
from apps.users.filtersets import UserFilterSet, UserGroupFilterSet
from apps.users.forms import UserForm, UserGroupForm
from apps.users.models import User, UserGroup
from sipxweb.pages import AdminRequiredMixin, DeletePage, FormPage, ListPage, admin_pages


class UserListView(AdminRequiredMixin, ListPage):
    queryset = User.objects.prefetch_related("login_names", "groups")
    filterset_class = UserFilterSet
    template_name = "users/user_list.html"

    def get_context_data(self, **kwargs):
        # The admins' landing page: other apps add their status above the list (settings.ADMIN_HOME_SECTIONS, so
        # the users app imports none of them), e.g. whether the media server runs.
        context = super().get_context_data(**kwargs)
        context["sections"] = [import_string(path)(self.request) for path in settings.ADMIN_HOME_SECTIONS]
        return context


class AuditTrailMixin:
    """An edit page that shows its object's audit entries: keyed by the name as stored, not as a refused form
    left it on the instance."""

    audit_key_field = "name"

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        self.audit_key = getattr(obj, self.audit_key_field)
        return obj

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "audit_key": self.audit_key}


class UserFormMixin(AdminRequiredMixin, FormPage):
    """Saves through services.save_user: login names, PINs, SIP password and groups, by the rules of every channel."""

    model = User
    form_class = UserForm
    # Not "user" (the model's name): that would hide the logged-in user from base.html's menu and the audit trail.
    context_object_name = "edited_user"
    list_url_name = "users:user_list"
    noun = "user"
    delete_url_name = "users:user_delete"

    def form_valid(self, form):
        user = form.instance
        is_new = user.pk is None
        data = form.cleaned_data
        if data.get("sip_password"):
            user.sip_password = data["sip_password"]
        try:
            services.save_user(
                user,
                aliases=data["aliases"],
                pin=data.get("pin") or None,
                voicemail_pin=data.get("voicemail_pin") or None,
                groups=data["groups"],
            )
        except ValidationError as exc:
            if is_new:  # the transaction was rolled back: the form must still create
                user.pk, user._state.adding = None, True
            form.add_error(None, exc)  # keyed by the service's field names, which are the form's
            return self.form_invalid(form)
        self.object = user
        if user.pk == self.request.user.pk and data.get("pin"):
            update_session_auth_hash(self.request, user)  # an admin changing their own PIN stays logged in
        messages.success(self.request, gettext("User %(name)s saved.") % {"name": user})
        return HttpResponseRedirect(self.get_success_url())


class UserCreateView(UserFormMixin, CreateView):
    pass


class UserUpdateView(AuditTrailMixin, UserFormMixin, UpdateView):
    audit_key_field = "username"
    queryset = User.objects.prefetch_related("login_names", "groups")
    template_name = "users/user_form.html"  # the generic form and the user's audit entries


class UserDeleteView(AdminRequiredMixin, DeletePage):
    model = User
    context_object_name = "deleted_user"  # as UserFormMixin's: "user" is the logged-in user
    list_url_name = "users:user_list"

    def form_valid(self, form):
        if self.object.pk == self.request.user.pk:
            # Deleting oneself would end the session mid-request and may leave no administrator.
            messages.error(self.request, gettext("You cannot delete your own user."))
            return HttpResponseRedirect(self.object.get_absolute_url())
        name = str(self.object)
        services.delete_user(self.object)  # records the deletion in the audit log
        messages.success(self.request, gettext("%(name)s deleted.") % {"name": name})
        return HttpResponseRedirect(self.get_success_url())


UserGroupListView, UserGroupCreateView, _GroupUpdateView, _ = admin_pages(
    UserGroup,
    UserGroupForm,
    noun="group",
    urls="users:group",
    queryset=UserGroup.objects.annotate(user_count=Count("users")).order_by("name"),
    filterset_class=UserGroupFilterSet,
    search_fields=("name", "description"),
    template_name="users/group_list.html",
)


class UserGroupUpdateView(AuditTrailMixin, _GroupUpdateView):
    template_name = "users/group_form.html"  # the generic form and the group's audit entries


class UserGroupDeleteView(AdminRequiredMixin, DeletePage):
    model = UserGroup
    list_url_name = "users:group_list"

    def form_valid(self, form):
        name = str(self.object)
        services.delete_group(self.object)  # records the deletion in the audit log
        messages.success(self.request, gettext("%(name)s deleted.") % {"name": name})
        return HttpResponseRedirect(self.get_success_url())


# ---- a user's away periods, managed by an administrator (the portal's pages, for the user the URL names) ---------


class AdminAwayMixin(AdminRequiredMixin):
    admin = True

    def owner(self):
        return get_object_or_404(User, pk=self.kwargs["user_pk"])

    def list_url(self):
        return reverse("users:away_list", args=[self.kwargs["user_pk"]])


class UserAwayListView(AdminAwayMixin, portal_views.AwayListView):
    pass


class UserAwayEditView(AdminAwayMixin, portal_views.AwayEditView):
    pass


class UserAwayDeleteView(AdminAwayMixin, portal_views.AwayDeleteView):
    pass
