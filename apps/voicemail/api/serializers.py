"""Wire forms of the voicemail URIs (docs/compatibility.md B.3.10, the deposit). The RSS feed (B.3.4) is a format of
its own: apps/voicemail/feed.py."""

from rest_framework import serializers

MESSAGE_ROOT = "message"  # the XStream root alias of a deposited message


def active_greeting_xml(value: str) -> str:
    """D3's XML variant of GET .../activegreeting: one element, with a declaration (the value is one of
    ActiveGreeting's, which need no escaping)."""
    return f'<?xml version="1.0" encoding="UTF-8"?><activegreeting>{value}</activegreeting>'


class DepositSerializer(serializers.Serializer):
    """`POST /mailbox/{user}/messages` (multipart): the recording, the caller, the subject."""

    audio = serializers.FileField(allow_empty_file=False)
    # "from" is a Python keyword: the form field is declared below under its wire name.
    subject = serializers.CharField(required=False, allow_blank=True, max_length=255, default="Voice Message")

    def get_fields(self):
        fields = super().get_fields()
        # Required, but it may be empty: an anonymous caller still leaves a message (the data file agrees).
        fields["from"] = serializers.CharField(required=True, allow_blank=True, max_length=255)
        return fields


class DepositedMessageSerializer(serializers.Serializer):
    """The answer to a deposit, in wire order."""

    def to_representation(self, message):
        return {
            "messageId": message.message_id,
            "folder": message.folder,
            "subject": message.subject,
            "from": message.sender,
            "fromBrief": message.sender_brief,
            "duration": message.duration,
            "format": message.format,
        }
