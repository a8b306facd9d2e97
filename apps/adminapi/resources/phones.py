"""/api/v1/phones: the data file's phones with their lines (apps/pbxdata/sections/phones.py holds the keys; `lines`
is the line users' names in order), stored through apps.phones.services as the phone pages, POST /phone and the data
file store them."""

from django.db.models import Prefetch

from apps.adminapi.resource import Resource
from apps.pbxdata.sections import phones as section
from apps.phones import services
from apps.phones.filtersets import PhoneFilterSet
from apps.phones.models import Line, Phone, normalise_serial


class Phones(Resource):
    name = "phones"
    kind = services.KIND
    key = "serialNumber"
    lookup = "serial_number"
    item = section.PHONE
    filterset_class = PhoneFilterSet
    ordering = {"serialNumber": "serial_number", "model": "model", "description": "description"}
    default_order = ("serial_number",)

    def queryset(self):
        return Phone.objects.prefetch_related(Prefetch("lines", Line.objects.select_related("user")))

    def validate(self, item, path):
        phone = self.checker(item, path)
        # The key as stored ("00:04:F2:AA:BB:CC" is 0004f2aabbcc): the API looks the phone up by it after the write.
        try:
            phone[self.key] = services.checked_serial(phone[self.key])
        except services.PhoneError as exc:
            raise section.refused(exc, path) from None
        return phone

    def url_key(self, key):
        return normalise_serial(key)

    def represent(self, phone):
        return section.dump_phone(phone)

    def save(self, checked):
        try:
            return services.upsert_phones([section.phone_data(p) for p in checked])
        except services.PhoneError as exc:
            raise section.refused(exc, f"[{exc.item or 0}]") from None

    def delete(self, phone):
        services.delete_phone(phone)
