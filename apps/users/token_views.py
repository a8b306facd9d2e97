"""The API token pages: an administrator's (/users/tokens/: every user's tokens, new ones for themselves) and
each user's own (/portal/tokens/). Tokens are made, listed and revoked by apps/users/tokens.py only; a new
token's value is in the answer to the POST that made it and nowhere else (never stored, logged or cached)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views import View
from django.views.decorators.cache import never_cache

from apps.users import tokens
from apps.users.forms import TokenForm
from apps.users.services import UserError
from sipxweb.pages import AdminRequiredMixin, ListPage


class TokenPages:
    """What the admin's and the portal's pages differ in: whose tokens they show, and their URL names."""

    own_only = True  # the portal: the user's own tokens, even an administrator's
    urls = "portal:token"  # URL names: `<urls>_list`, `<urls>_add`, `<urls>_revoke`

    def tokens(self):
        found = tokens.tokens_of(self.request.user)
        return found.filter(user=self.request.user) if self.own_only else found

    def page_context(self, **context) -> dict:
        return {
            "own_only": self.own_only,
            "list_url": reverse(f"{self.urls}_list"),
            "add_url": reverse(f"{self.urls}_add"),
            "revoke_url_name": f"{self.urls}_revoke",
            **context,
        }


class TokenListBase(TokenPages, ListPage):
    template_name = "users/token_list.html"

    def get_queryset(self):
        self.query = ""
        self.filterset = None
        return self.tokens().order_by("-created", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return self.page_context(**context, form=TokenForm())


@method_decorator(never_cache, name="dispatch")
class TokenCreateBase(TokenPages, View):
    """GET: the form alone; POST: the new token, shown once (a refused form comes back with 400 and why)."""

    def get(self, request):
        return render(request, "users/token_form.html", self.page_context(form=TokenForm()))

    def post(self, request):
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                token, secret = tokens.create_token(
                    request.user, form.cleaned_data["name"], form.cleaned_data["scope"], form.expiry()
                )
            except UserError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.messages)
            else:
                context = self.page_context(token=token, secret=secret)
                return render(request, "users/token_created.html", context)
        return render(request, "users/token_form.html", self.page_context(form=form), status=400)


class TokenRevokeBase(TokenPages, View):
    """GET: asks; POST: revokes (a token already revoked stays as it was)."""

    def token(self, pk):
        return get_object_or_404(self.tokens(), pk=pk)

    def get(self, request, pk):
        return render(request, "users/token_revoke.html", self.page_context(token=self.token(pk)))

    def post(self, request, pk):
        token = self.token(pk)
        if token.revoked is not None:
            messages.info(request, gettext("Token %(name)s was already revoked.") % {"name": token.name})
        else:
            tokens.revoke_token(token)
            messages.success(request, gettext("Token %(name)s revoked: it no longer works.") % {"name": token.name})
        return redirect(f"{self.urls}_list")


class AdminTokens(AdminRequiredMixin):
    own_only = False
    urls = "users:token"


class TokenListView(AdminTokens, TokenListBase):
    pass


class TokenCreateView(AdminTokens, TokenCreateBase):
    pass


class TokenRevokeView(AdminTokens, TokenRevokeBase):
    pass


class MyTokenListView(LoginRequiredMixin, TokenListBase):
    pass


class MyTokenCreateView(LoginRequiredMixin, TokenCreateBase):
    pass


class MyTokenRevokeView(LoginRequiredMixin, TokenRevokeBase):
    pass
