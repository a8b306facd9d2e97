"""What every /api/v1/ list shares in the description: limit/offset, the page envelope `{"count", "next",
"previous", "results"}`, and the query parameters of the admin list page's FilterSet."""

from django import forms


def filter_schema(filter_) -> dict:
    """The JSON Schema of one django-filter filter's value, from its form field."""
    field = filter_.field
    if isinstance(field, forms.NullBooleanField | forms.BooleanField):
        return {"type": "boolean"}
    if isinstance(field, forms.ModelChoiceField):
        # the FilterSet's own choice: the row's primary key unless it names another field
        if field.to_field_name is None and field.queryset.model._meta.pk.get_internal_type().endswith("AutoField"):
            return {"type": "integer", "minimum": 1}
        return {"type": "string"}
    if isinstance(field, forms.ChoiceField):
        values = [str(value) for value, _label in field.choices if value not in ("", None)]
        return {"type": "string", "enum": values} if values else {"type": "string"}
    if isinstance(field, forms.IntegerField):
        return {"type": "integer"}
    if isinstance(field, forms.DecimalField | forms.FloatField):
        return {"type": "number"}
    if isinstance(field, forms.DateTimeField):
        return {"type": "string", "format": "date-time"}
    if isinstance(field, forms.DateField):
        return {"type": "string", "format": "date"}
    schema: dict = {"type": "string"}
    if getattr(field, "max_length", None):
        schema["maxLength"] = field.max_length
    return schema


def filter_parameters(filterset_class, skip=()) -> list[dict]:
    """The query parameters of a FilterSet (the admin list page's filters: same names, same meaning)."""
    if filterset_class is None:
        return []
    parameters = []
    for name, filter_ in filterset_class.base_filters.items():
        if name in skip:
            continue
        label = str(filter_.label or name)
        help_text = filter_.extra.get("help_text")
        parameters.append(
            {
                "in": "query",
                "name": name,
                "required": False,
                "schema": filter_schema(filter_),
                "description": f"{label}: {help_text}" if help_text else label,
            }
        )
    return parameters


PAGE_PARAMETERS = [
    {
        "in": "query",
        "name": "limit",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50},
        "description": "Objects per page (at most 1000).",
    },
    {
        "in": "query",
        "name": "offset",
        "required": False,
        "schema": {"type": "integer", "minimum": 0, "default": 0},
        "description": "How many objects to skip.",
    },
]


def page_of(item_ref: dict, description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "properties": {
            "count": {"type": "integer", "minimum": 0, "description": "Objects in the whole list."},
            "next": {
                "type": "string",
                "nullable": True,
                "description": "The URL of the next page (null on the last).",
            },
            "previous": {
                "type": "string",
                "nullable": True,
                "description": "The URL of the previous page (null on the first).",
            },
            "results": {"type": "array", "items": item_ref},
        },
        "required": ["count", "next", "previous", "results"],
        "additionalProperties": False,
    }
