"""Business rules for users and groups, shared by the HTML pages, the REST views, the admin JSON API and the PBX data
file.

Every change of a user goes through this package, so that the stored forms (Django hash, one Digest HA1 per login
name, hashed voicemail PIN) never drift apart, and a value is accepted or refused by the same rules whichever way it
arrives. A refusal is a `UserError` naming the field at fault (errors.py).

The rules, without the database, one module per topic: login names (names.py), PINs, the SIP password and the feed
key (secrets.py), call forwarding and the availability switches' targets (forwarding.py), time zone and language
(preferences.py), contact information (contact.py), groups (groups.py); a whole user and users given together
(record.py: `clean_user`, `check_batch`). The writers: one user at a time (user.py: `save_user`; and each topic's own
writer beside its rule: `set_voicemail_pin`, `set_forwarding`, `save_contact`, `save_group`, `regenerate_feed_key`)
and a whole file (bulk.py: `save_users`; groups.py: `save_groups`), a fixed number of queries per batch (queries.py).
What the audit log compares of a user is in auditing.py.

This module re-exports the names callers use (`from apps.users import services`; `services.save_user`), so they
need not know which module holds a rule."""

from apps.users.services.bulk import delete_all_users, save_users
from apps.users.services.contact import clean_contact, contact_defaults, save_contact
from apps.users.services.errors import UserError, first_error
from apps.users.services.forwarding import (
    FORWARD_TIMER_RANGE,
    MAX_RINGS,
    RING_EXPIRATION_RANGE,
    RingData,
    forward_all_rule,
    forward_number_rule,
    ring_count_problem,
    set_forwarding,
    until_rule,
)
from apps.users.services.groups import GroupData, clean_group, delete_all_groups, delete_group, save_group, save_groups
from apps.users.services.names import name_taken
from apps.users.services.preferences import available_time_zones, language_rule, time_zone_rule
from apps.users.services.record import DEFAULT_TIMER, UserRecord, check_batch, clean_user
from apps.users.services.secrets import (
    PIN_HELP,
    PIN_RULE,
    VOICEMAIL_PIN_HELP,
    digest_ha1,
    pin_rule,
    regenerate_feed_key,
    set_voicemail_pin,
    validate_voicemail_pin,
)
from apps.users.services.text import TEXT_MAX, text_rule
from apps.users.services.user import create_user, delete_user, save_user, set_portal_pin

__all__ = [
    "DEFAULT_TIMER",
    "FORWARD_TIMER_RANGE",
    "MAX_RINGS",
    "PIN_HELP",
    "PIN_RULE",
    "RING_EXPIRATION_RANGE",
    "TEXT_MAX",
    "VOICEMAIL_PIN_HELP",
    "GroupData",
    "RingData",
    "UserError",
    "UserRecord",
    "available_time_zones",
    "check_batch",
    "clean_contact",
    "clean_group",
    "clean_user",
    "contact_defaults",
    "create_user",
    "delete_all_groups",
    "delete_all_users",
    "delete_group",
    "delete_user",
    "digest_ha1",
    "first_error",
    "forward_all_rule",
    "forward_number_rule",
    "language_rule",
    "name_taken",
    "pin_rule",
    "regenerate_feed_key",
    "ring_count_problem",
    "save_contact",
    "save_group",
    "save_groups",
    "save_user",
    "save_users",
    "set_forwarding",
    "set_portal_pin",
    "set_voicemail_pin",
    "text_rule",
    "time_zone_rule",
    "until_rule",
    "validate_voicemail_pin",
]
