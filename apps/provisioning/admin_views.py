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
            raise Http404(f"Phone {phone} has no provisioning file {name}.")
        file, text = found
        context = {"title": f"{file.name} of phone {phone}", "phone": phone, "file": file, "text": text}
        return render(request, "provisioning_admin/preview.html", context)


# ---- Resync ------------------------------------------------------------------------------------------------


class ResyncView(AdminRequiredMixin, View):
    """POST: a check-sync NOTIFY to the phone; back to the phone page, which shows the answer when it comes."""

    def post(self, request, pk: int):
        phone = get_object_or_404(Phone, pk=pk)
        try:
            result = resync.resync([phone])
        except notifications.NotifyError as exc:
            return refused(request, 409, "Resync not sent", str(exc), _phone_page(phone))
        if result.skipped:
            _, why = result.skipped[0]
            return refused(
                request, 409, "Resync not sent", f"Phone {phone} cannot be reached: {why}.", _phone_page(phone)
            )
        messages.success(request, f"Resync of phone {phone} queued.")
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
        context["title"] = "Resyncs"
        return context

    def post(self, request):
        back = reverse("phones:phone_list")
        ids = request.POST.getlist("phone")
        if not ids:
            return refused(request, 400, "Nothing to resync", "Select at least one phone to resync.", back)
        if len(ids) > resync.MAX_PHONES:
            sentence = f"At most {resync.MAX_PHONES} phones can be resynced at once; {len(ids)} were selected."
            return refused(request, 400, "Too many phones", sentence, back)
        if not all(i.isascii() and i.isdigit() and len(i) < 10 for i in ids):
            return refused(request, 400, "Nothing resynced", "The selection names phones by number only.", back)
        found = Phone.objects.in_bulk([int(i) for i in ids])
        missing = [i for i in ids if int(i) not in found]
        if missing:
            sentence = f"There is no phone number {missing[0]} (deleted meanwhile?): nothing was resynced."
            return refused(request, 400, "Nothing resynced", sentence, back)
        try:
            result = resync.resync(list(found.values()))
        except notifications.NotifyError as exc:
            return refused(request, 409, "Nothing resynced", str(exc), back)
        if result.queued:
            messages.success(request, f"Resync queued for {len(result.queued)} phone(s).")
        for phone, why in result.skipped:
            messages.warning(request, f"Phone {phone} not resynced: {why}.")
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
        context["title"] = "Unknown phones"
        return context


class AdoptView(AdminRequiredMixin, View):
    """POST: the unknown phone becomes a phone (apps.phones.services.create_phone's rules); to its page."""

    def post(self, request, pk: int):
        back = reverse("provisioning:unknown_list")
        row = UnknownPhone.objects.filter(pk=pk).first()
        if row is None:
            sentence = "This unknown phone is not listed any more: it was added or forgotten meanwhile."
            return refused(request, 404, "Phone not added", sentence, back)
        form = AdoptForm(request.POST, prefix=pk)
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}" for f, e in form.errors.items()
            )
            return refused(request, 400, "Phone not added", f"Phone {row.mac} was not added: {problems}", back)
        data = form.cleaned_data
        try:
            phone = unknown.adopt(row, data["model"], data["lines"], data["description"])
        except ValidationError as exc:
            sentence = f"Phone {row.mac} was not added: {' '.join(exc.messages)}"
            return refused(request, 400, "Phone not added", sentence, back)
        messages.success(request, f"Phone {phone} added; it gets its files at its next fetch.")
        return redirect(phone.get_absolute_url())


class ForgetUnknownView(AdminRequiredMixin, View):
    """POST: the unknown phone leaves the list (it comes back if it asks again)."""

    def post(self, request, pk: int):
        deleted, _ = UnknownPhone.objects.filter(pk=pk).delete()
        if deleted:
            messages.success(request, "Unknown phone forgotten.")
        return redirect("provisioning:unknown_list")


# ---- firmware ----------------------------------------------------------------------------------------------


class FirmwareView(AdminRequiredMixin, View):
    """The firmware images (GET) and the upload of one (POST, at most PROVISIONING_FIRMWARE_MAX_BYTES)."""

    template_name = "provisioning_admin/firmware.html"
    # sipxweb/bounds.py refuses a larger body (413) before it is read; firmware.upload's own bound says it in words.
    max_body_bytes = settings.PROVISIONING_FIRMWARE_MAX_BYTES + 1024 * 1024

    def page(self, request, form, status=200):
        context = {
            "title": "Firmware",
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
                messages.success(request, f"Firmware {image.filename} stored for {image.model} {image.version}.")
                return redirect("provisioning:firmware")
        return self.page(request, form, status=400)


class FirmwareDeleteView(AdminRequiredMixin, View):
    def post(self, request, pk: int):
        image = get_object_or_404(Firmware, pk=pk)
        image.delete()  # the file goes when this commits (sipxweb/mediafiles.py)
        messages.success(request, f"Firmware {image.filename} for {image.model} {image.version} deleted.")
        return redirect("provisioning:firmware")
