"""Serializer building blocks for sipXconfig documents shared by every app."""

import functools

from rest_framework import serializers
from rest_framework.settings import api_settings

from sipxweb.rest.xstream import XList
from sipxweb.text import text_problem

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class StrictSerializer(serializers.Serializer):
    """Rejects fields it does not know (sipXconfig answered 500; D1 says 400 with the field's name)."""

    def to_internal_value(self, data):
        if data == "":
            data = {}
        if not isinstance(data, dict):
            raise serializers.ValidationError({NON_FIELD: ["Expected an element with child elements here."]})
        unknown = [key for key in data if key not in self.fields]
        if unknown:
            known = ", ".join(self.fields)
            names = ", ".join(repr(k) for k in unknown)
            message = f"Unknown field{'s' if len(unknown) > 1 else ''} {names}; expected some of: {known}."
            raise serializers.ValidationError({NON_FIELD: [message]})
        return super().to_internal_value(data)


def check_count(field: serializers.ListField, items) -> None:
    """A list's `max_length` checked before its items are validated: DRF checks it afterwards, so a body of
    100,000 items would be validated item by item only to be refused. A field whose bound is a rule of the
    stored data gives `count_message` (the service's sentence), so REST refuses with the same words as the
    pages and the data file."""
    if field.max_length is not None and isinstance(items, list) and len(items) > field.max_length:
        count_message = getattr(field, "count_message", None)
        if count_message is not None:
            raise serializers.ValidationError(count_message(len(items)))
        raise serializers.ValidationError(
            f"At most {field.max_length} items are accepted here in one request; this one has {len(items)}."
        )


class XListField(serializers.ListField):
    """A list field that renders as XStream's wrapper element of `<item>` children and reads every form
    a client may send: a JSON array, `{"item": [...]}` / `{"item": {...}}` (Jettison), the XML
    `<wrapper><item/>…</wrapper>` and an empty `<wrapper/>`."""

    def __init__(self, *, item: str, count_message=None, **kwargs):
        self.item = item
        self.count_message = count_message
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if data == "":
            data = []
        elif isinstance(data, dict):
            if set(data) != {self.item}:
                raise serializers.ValidationError(f"Expected only <{self.item}> elements in this list.")
            data = data[self.item]
            data = data if isinstance(data, list) else [data]
        check_count(self, data)
        return super().to_internal_value(data)

    def to_representation(self, data):
        if hasattr(data, "all"):  # a related manager: use the (prefetched) rows
            data = data.all()
        return XList(self.item, super().to_representation(data))


class AddressField(serializers.Field):
    """An address object (`street, city, country, state, zip, officeDesignation`), stored as a dict."""

    KEYS = ("street", "city", "country", "state", "zip", "officeDesignation")

    def to_representation(self, value):
        value = value or {}
        return {key: value.get(key) for key in self.KEYS}

    def to_internal_value(self, data):
        if data in ("", None):
            return {}
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                "An address has child elements street, city, country, state, zip, officeDesignation."
            )
        unknown = [k for k in data if k not in self.KEYS]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown address field {unknown[0]!r}; expected some of: {', '.join(self.KEYS)}."
            )
        clean = {}
        for key in self.KEYS:
            if key in data:
                value = data[key]
                if not isinstance(value, str):
                    raise serializers.ValidationError(f"{key} must be text.")
                if len(value) > 255:
                    raise serializers.ValidationError(f"{key} is longer than 255 characters.")
                # A dict, so DRF's CharField NUL check never saw it: the one storable-text check refuses it on
                # both databases (PostgreSQL cannot store NUL; the backup file refuses it on restore).
                problem = text_problem(value)
                if problem:
                    raise serializers.ValidationError(f"{key} {problem}.")
                clean[key] = value
        return clean


class RepeatedField(serializers.ListField):
    """The items of a list at the document root (`<phones><phone/><phone/></phones>`): the parsers give one
    item as a dict and several as a list; Jettison clients send the same shapes."""

    def to_internal_value(self, data):
        if data == "":
            data = []
        elif isinstance(data, dict):
            data = [data]
        check_count(self, data)
        return super().to_internal_value(data)


@functools.cache
def _shared(serializer_class):
    return serializer_class()


def represent(serializer_class, instance) -> dict:
    """The output of a serializer that needs no context. DRF deep-copies every declared field for each
    serializer it builds (~90 µs for four fields, on every request); reading is stateless, so one built
    instance per class serves every request and thread."""
    return _shared(serializer_class).to_representation(instance)
