"""Facts about single resources that the generic Resource description (resource.py) cannot derive from the
resource itself: example values that read like an integration's, and links to creating objects of another
resource."""

# Values that make the generated examples read like an integration's, for the resources that need a hint; any other
# resource may say `example = {...}` (a few fields; the rest are the data file's defaults).
EXAMPLE_VALUES = {
    "users": {
        "userName": "300",
        "firstName": "Zed",
        "lastName": "Zulu",
        "aliases": ["zed"],
        "groups": ["sales"],
        "pin": "8642",
    },
    "groups": {"name": "sales", "description": "Sales team"},
}

# Links from creating an object to creating an object of another resource that refers to it: {resource: [(link
# name, target resource, body with "{key}" for the new object's key)]}. (They also give schemathesis a way to a
# create operation that its dependency heuristics would not start from: a user's `imId` looks to it like the key of
# an "Im" resource.)
CREATE_LINKS = {
    "groups": [("create-member", "users", {"groups": ["{key}"]})],
}
