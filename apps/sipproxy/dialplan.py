"""The SIP proxy's part of the dial plan (sipxweb/dialplan.py, settings.DIALPLAN_OWNERS): the service numbers
(models.ServiceNumber) by which phones reach the auto-attendant that plays now and voicemail retrieval. Their
rules and their one writer are dialplan_services.py."""

from django.utils.translation import gettext_noop

from apps.sipproxy.models import ServiceNumber
from sipxweb.dialplan import Owner

# How a sentence names the number of each service: '"101" is the voicemail number of the dial plan.' English (the
# route lookup's answer to Kamailio); marked so that the pages can show it translated.
WHAT = {
    ServiceNumber.Service.ATTENDANT: gettext_noop("the auto-attendant number of the dial plan"),
    ServiceNumber.Service.VOICEMAIL: gettext_noop("the voicemail number of the dial plan"),
}


def owner_of(folded_names: set[str]) -> dict[str, Owner]:
    rows = ServiceNumber.objects.filter(folded__in=folded_names).values_list("folded", "service", "number")
    return {folded: Owner("sipproxy", service, number, WHAT[service]) for folded, service, number in rows}
