"""Firmware images the admin uploads (`Firmware`): the upload's bound and the list with how many phones each image
serves. An image is stored in media storage (MEDIA_ROOT/firmware/<model>/<version>/<file>, never served from
there) and served under /provision/firmware/<id>/<file> with the provisioning credential (views.firmware); the
files of the phones of that model and firmware version name that URL (files.build)."""

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from apps.phones.models import Phone
from apps.provisioning import services
from apps.provisioning.models import Firmware


def max_bytes() -> int:
    return settings.PROVISIONING_FIRMWARE_MAX_BYTES


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MiB"


def upload(model: str, version: str, image) -> Firmware:
    """Stores `image` (an uploaded file) for the model and version, replacing the one stored for them. Raises
    services.ProvisioningError naming the field for an image too large or empty, a model sipxweb provisions no
    file for, or a version the model does not have."""
    if image.size > max_bytes():
        raise services.ProvisioningError(
            gettext("the firmware file is larger than %(size)s.") % {"size": _size(max_bytes())}, "file"
        )
    return services.save_firmware(model, version, image)


def images():
    """Every image with the number of phones of its model and version (one query)."""
    phones = (
        Phone.objects.filter(model=OuterRef("model"), version=OuterRef("version"))
        .order_by()
        .values("model")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Firmware.objects.annotate(phones=Coalesce(Subquery(phones, output_field=IntegerField()), 0))


def listing() -> list[Firmware]:
    """`images()` with each image's size in bytes (`size`; None when its file is gone from media storage)."""
    found = list(images())
    for image in found:
        try:
            image.size = image.file.size
        except OSError:
            image.size = None
    return found
