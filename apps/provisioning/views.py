"""/provision/<file>: what a phone fetches (docs/provisioning.md), and the admin's credential page.

A fetch: the credential (401 with a Digest and a Basic challenge, 429 while locked out); the file name tells the
MAC and the families it may belong to; the phone with that MAC decides its family, so its model decides what the
file holds. A MAC no phone has is 404 and counted among the unknown phones. Then, when the stored version of the
file is current, a conditional request (If-None-Match, else If-Modified-Since) is answered 304 without building the
file; otherwise the file is built, its ETag is the hash of its bytes, and the fetch is recorded with one upsert.
Every answer is `Cache-Control: no-store`: the files hold SIP passwords."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from django.views.generic import FormView

from apps.provisioning import files, services
from apps.provisioning.authentication import Refused, authenticate
from apps.provisioning.families import FAMILIES, ZERO_MAC, wanted
from apps.provisioning.forms import CredentialForm
from apps.provisioning.models import Firmware, ProvisioningSettings
from apps.users.authentication import challenge_value
from sipxweb.pages import AdminRequiredMixin
from sipxweb.ranges import file_response


def _plain(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _refused(exc: Refused) -> HttpResponse:
    response = _plain(exc.status, exc.message)
    if exc.status == 401:
        # Digest and Basic joined in one value; sipxweb.wsgi sends them as two header lines.
        response["WWW-Authenticate"] = challenge_value(exc.stale)
    if exc.retry_after is not None:
        response["Retry-After"] = str(int(exc.retry_after))
    return response


def _not_modified(request, etag: str, modified) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present (weak comparison); else If-Modified-Since."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if header is not None:
        tags = parse_etags(header)
        return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and modified is not None and int(modified.timestamp()) <= since


def _answer(request, body: bytes | None, content_type: str, etag: str, modified=None) -> HttpResponse:
    response = HttpResponse(status=304) if body is None else HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def serve(request, name: str):
    try:
        credential = authenticate(request)
    except Refused as exc:
        return _refused(exc)
    fits = wanted(name)
    if fits is None:
        return _plain(404, f"There is no provisioning file {name}.")
    place = files.installation(request, credential)
    if fits.mac is None:
        return _shared(request, name, fits, place)
    found = services.find_phone_file(fits.mac, _canonical(name, fits.mac))
    if found is None:
        if fits.mac != ZERO_MAC:  # Polycom's default file: asked for after the phone's own was not found
            services.record_unknown(fits.mac, _canonical(name, fits.mac), request)
        return _plain(404, f"No phone has the MAC address {fits.mac}; ask the administrator to add it.")
    family = files.family_of(found.phone.model)
    kind = family.kind(name) if family is not None else None
    if kind is None or kind.shared:
        return _plain(404, f"A phone of model {found.phone.model} has no file {name}.")
    file_name = kind.file_name(fits.mac)
    version = files.version(found.changes, place)
    if version is not None and version == found.version:
        if _not_modified(request, found.etag, found.modified):
            if services.worth_recording(found, request, 304):
                services.record_fetch(found.phone, file_name, version, found.etag, found.modified, request, 304)
            return _answer(request, None, kind.content_type, found.etag, found.modified)
    body = files.build(found.phone, family, kind, place)
    etag = files.etag_of(body)
    modified = found.modified if etag == found.etag and found.modified is not None else timezone.now()
    status = 304 if _not_modified(request, etag, modified) else 200
    services.record_fetch(found.phone, file_name, version, etag, modified, request, status)
    return _answer(request, None if status == 304 else body, kind.content_type, etag, modified)


def _canonical(name: str, mac: str) -> str:
    """The file name with the MAC in lower case (a phone may ask in upper case): one row per file."""
    index = name.lower().find(mac)
    return name[:index] + mac + name[index + len(mac) :] if index >= 0 else name


def _shared(request, name: str, fits, place) -> HttpResponse:
    """A file all phones of a family share (Polycom's sipxweb-shared.cfg): built from the settings alone, so its ETag
    needs no stored state; it belongs to no phone, so no fetch is recorded."""
    family = FAMILIES[fits.families[0]]
    kind = family.kind(name)
    body = files.build_shared(family, kind, place)
    etag = files.etag_of(body)
    return _answer(request, None if _not_modified(request, etag, None) else body, kind.content_type, etag)


@require_safe
def firmware(request, pk: int, filename: str):
    """An uploaded firmware image (the URL the files name), with byte ranges."""
    try:
        authenticate(request)
    except Refused as exc:
        return _refused(exc)
    image = Firmware.objects.filter(pk=pk).first()
    if image is None or image.filename != filename:
        raise Http404("No such firmware image.")
    response = file_response(request, image.file, "application/octet-stream", image.filename)
    response["Cache-Control"] = "no-store"
    return response


class CredentialView(AdminRequiredMixin, FormView):
    """The admin's page of the provisioning credential (and the base URL phones are given)."""

    form_class = CredentialForm
    template_name = "provisioning/credential.html"

    def get_initial(self):
        row = ProvisioningSettings.load()
        return {"user": row.user, "password": row.password}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = gettext("Provisioning credential")
        context["provision_url"] = self.request.build_absolute_uri("/provision/")
        return context

    def form_valid(self, form):
        try:
            services.set_credential(form.cleaned_data["user"], form.cleaned_data["password"])
        except services.ProvisioningError as exc:
            form.add_error(exc.field, exc.messages)
            return self.form_invalid(form)
        messages.success(self.request, gettext("Provisioning credential saved; phones use it from their next fetch."))
        return redirect("provisioning:credential")


@require_safe
def root(request):
    """/provision/ itself lists nothing (the files are per phone); it is the base the files' URLs name."""
    return _plain(404, "Ask for a phone's file, e.g. /provision/<MAC>.cfg.")
