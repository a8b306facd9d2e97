"""The provisioning section of the admin's phone page (settings.PHONE_PAGE_SECTIONS names `section`, so that the
phones app imports nothing of provisioning): the phone's files with their last fetch (time, answer, address, user
agent) and a preview link each, the firmware it is pointed at, and the Resync button with the last resync's
answer. A constant number of queries, whatever the phone."""

from django.template.loader import render_to_string

from apps.provisioning import resync
from apps.provisioning.models import Firmware, PhoneFile
from apps.provisioning.preview import file_names


def section(request, phone) -> str:
    names = file_names(phone)
    fetched = {row.name: row for row in PhoneFile.objects.filter(phone=phone)}
    firmware = None
    if names and phone.version:
        firmware = Firmware.objects.filter(model=phone.model, version=phone.version).first()
    last = resync.last_resyncs([phone.pk]).get(phone.pk)
    state, text = resync.describe(last)
    context = {
        "phone": phone,
        "files": [(f, fetched.get(f.name)) for f in names],
        "firmware": firmware,
        "resync_state": state,
        "resync_text": text,
        "resync_id": last.pk if last is not None else None,
    }
    return render_to_string("provisioning_admin/phone_section.html", context, request=request)
