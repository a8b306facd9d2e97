"""The admin's provisioning pages (administrators only; a user gets 403), under /provisioning/: a phone's file
preview, Resync (one phone, a selection of the phone list, the log of answers), the unknown phones that asked
and turning one into a phone, firmware images. The phone page's own section is phone_page.py.

Refusals are a page with one sentence and a 4xx status (refused.html); nothing is changed by a refused request."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from apps.callcontrol import notifications
from apps.callcontrol.models import Notification
from apps.phones.models import Phone
from apps.provisioning import firmware, resync, unknown
from apps.provisioning.admin_forms import AdoptForm, FirmwareForm
from apps.provisioning.models import Firmware, UnknownPhone
from apps.provisioning.preview import preview
from apps.provisioning.services import ProvisioningError
from sipxweb.pages import AdminRequiredMixin, ListPage


def refused(request, status: int, title: str, sentence: str, back: str):
    return render(
        request, "provisioning_admin/refused.html", {"title": title, "sentence": sentence, "back": back}, status=status
    )


def _phone_page(phone: Phone) -> str:
    return phone.get_absolute_url() + "#provisioning"


# ---- a phone's files ---------------------------------------------------------------------------------------


class PreviewView(AdminRequiredMixin, View):
    """A file of the phone as it would be served now, SIP and provisioning passwords masked."""

    def get(self, request, pk: int, name: str):
        phone = get_object_or_404(Phone, pk=pk)
        found = preview(request, phone, name)
        if found is None:
            raise Http404(_("Phone %(phone)s has no provisioning file %(name)s.") % {"phone": phone, "name": name})
        file, text = found
        title = _("%(file)s of phone %(phone)s") % {"file": file.name, "phone": phone}
        context = {"title": title, "phone": phone, "file": file, "text": text}
        return render(request, "provisioning_admin/preview.html", context)


# ---- Resync ------------------------------------------------------------------------------------------------


class ResyncView(AdminRequiredMixin, View):
    """POST: a check-sync NOTIFY to the phone; back to the phone page, which shows the answer when it comes."""

    def post(self, request, pk: int):
        phone = get_object_or_404(Phone, pk=pk)
        try:
            result = resync.resync([phone])
        except notifications.NotifyError as exc:
            return refused(request, 409, _("Resync not sent"), str(exc), _phone_page(phone))
        if result.skipped:
            why = result.skipped[0][1]
            sentence = _("Phone %(phone)s cannot be reached: %(why)s.") % {"phone": phone, "why": why}
            return refused(request, 409, _("Resync not sent"), sentence, _phone_page(phone))
        messages.success(request, _("Resync of phone %(phone)s queued.") % {"phone": phone})
        return redirect(_phone_page(phone))


class BulkResyncView(AdminRequiredMixin, ListView):
    """GET: the resyncs of the last RECENT (newest first, with their answers). POST `phone` (ids, from the phone
    list's checkboxes): a resync of each selected phone, then this log."""

    RECENT = timedelta(hours=24)
    template_name = "provisioning_admin/resync_log.html"
    paginate_by = 50

    def get_queryset(self):
        notifications.reap()
        since = timezone.now() - self.RECENT
        return Notification.objects.filter(key__startswith="phone:", created__gte=since).select_related("user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        phones = Phone.objects.in_bulk([resync.phone_of(row.key) for row in rows])
        context["rows"] = [(row, phones.get(resync.phone_of(row.key)), *resync.describe(row)) for row in rows]
        context["title"] = _("Resyncs")
        return context

    def post(self, request):
        back = reverse("phones:phone_list")
        ids = request.POST.getlist("phone")
        if not ids:
            return refused(request, 400, _("Nothing to resync"), _("Select at least one phone to resync."), back)
        if len(ids) > resync.MAX_PHONES:
            sentence = _("At most %(max)s phones can be resynced at once; %(n)s were selected.") % {
                "max": resync.MAX_PHONES,
                "n": len(ids),
            }
            return refused(request, 400, _("Too many phones"), sentence, back)
        if not all(i.isascii() and i.isdigit() and len(i) < 10 for i in ids):
            return refused(request, 400, _("Nothing resynced"), _("The selection names phones by number only."), back)
        found = Phone.objects.in_bulk([int(i) for i in ids])
        missing = [i for i in ids if int(i) not in found]
        if missing:
            sentence = _("There is no phone number %(id)s (deleted meanwhile?): nothing was resynced.") % {
                "id": missing[0]
            }
            return refused(request, 400, _("Nothing resynced"), sentence, back)
        try:
            result = resync.resync(list(found.values()))
        except notifications.NotifyError as exc:
            return refused(request, 409, _("Nothing resynced"), str(exc), back)
        if result.queued:
            messages.success(request, _("Resync queued for %(n)s phone(s).") % {"n": len(result.queued)})
        for phone, why in result.skipped:
            messages.warning(request, _("Phone %(phone)s not resynced: %(why)s.") % {"phone": phone, "why": why})
        return redirect("provisioning:resync_log")


class ResyncStatusView(AdminRequiredMixin, View):
    """GET: one resync's state and sentence as JSON, for static/js/resync.js."""

    def get(self, request, pk: int):
        notifications.reap()
        row = get_object_or_404(Notification, pk=pk, key__startswith="phone:")
        state, text = resync.describe(row)
        return JsonResponse({"state": state, "text": text})


# ---- unknown phones ----------------------------------------------------------------------------------------


class UnknownPhoneListView(AdminRequiredMixin, ListPage):
    """MAC addresses that asked for files but belong to no phone, each with a form to add it (model guessed)."""

    model = UnknownPhone
    search_fields = ("mac", "user_agent", "address")
    template_name = "provisioning_admin/unknown_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [
            (
                row,
                AdoptForm(
                    initial={"model": unknown.guess_model(row.mac, row.file_name, row.user_agent)}, prefix=row.pk
                ),
            )
            for row in context["object_list"]
        ]
        context["title"] = _("Unknown phones")
        return context


class AdoptView(AdminRequiredMixin, View):
    """POST: the unknown phone becomes a phone (apps.phones.services.create_phone's rules); to its page."""

    def post(self, request, pk: int):
        back = reverse("provisioning:unknown_list")
        row = UnknownPhone.objects.filter(pk=pk).first()
        if row is None:
            sentence = _("This unknown phone is not listed any more: it was added or forgotten meanwhile.")
            return refused(request, 404, _("Phone not added"), sentence, back)
        form = AdoptForm(request.POST, prefix=pk)
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}" for f, e in form.errors.items()
            )
            sentence = _("Phone %(mac)s was not added: %(problems)s") % {"mac": row.mac, "problems": problems}
            return refused(request, 400, _("Phone not added"), sentence, back)
        data = form.cleaned_data
        try:
            phone = unknown.adopt(row, data["model"], data["lines"], data["description"])
        except ValidationError as exc:
            sentence = _("Phone %(mac)s was not added: %(problems)s") % {
                "mac": row.mac,
                "problems": " ".join(exc.messages),
            }
            return refused(request, 400, _("Phone not added"), sentence, back)
        messages.success(request, _("Phone %(phone)s added; it gets its files at its next fetch.") % {"phone": phone})
        return redirect(phone.get_absolute_url())


class ForgetUnknownView(AdminRequiredMixin, View):
    """POST: the unknown phone leaves the list (it comes back if it asks again)."""

    def post(self, request, pk: int):
        deleted = UnknownPhone.objects.filter(pk=pk).delete()[0]
        if deleted:
            messages.success(request, _("Unknown phone forgotten."))
        return redirect("provisioning:unknown_list")


# ---- firmware ----------------------------------------------------------------------------------------------


class FirmwareView(AdminRequiredMixin, View):
    """The firmware images (GET) and the upload of one (POST, at most PROVISIONING_FIRMWARE_MAX_BYTES)."""

    template_name = "provisioning_admin/firmware.html"
    # sipxweb/bounds.py refuses a larger body (413) before it is read; firmware.upload's own bound says it in words.
    max_body_bytes = settings.PROVISIONING_FIRMWARE_MAX_BYTES + 1024 * 1024

    def page(self, request, form, status=200):
        context = {
            "title": _("Firmware"),
            "form": form,
            "images": firmware.listing(),
            "versions": FirmwareForm.versions(),
            "max_mib": firmware.max_bytes() // (1024 * 1024),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.page(request, FirmwareForm())

    def post(self, request):
        form = FirmwareForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                image = firmware.upload(data["model"], data["version"], data["file"])
            except ProvisioningError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.messages)
            else:
                messages.success(
                    request,
                    _("Firmware %(file)s stored for %(model)s %(version)s.")
                    % {"file": image.filename, "model": image.model, "version": image.version},
                )
                return redirect("provisioning:firmware")
        return self.page(request, form, status=400)


class FirmwareDeleteView(AdminRequiredMixin, View):
    def post(self, request, pk: int):
        image = get_object_or_404(Firmware, pk=pk)
        image.delete()  # the file goes when this commits (sipxweb/mediafiles.py)
        messages.success(
            request,
            _("Firmware %(file)s for %(model)s %(version)s deleted.")
            % {"file": image.filename, "model": image.model, "version": image.version},
        )
        return redirect("provisioning:firmware")
