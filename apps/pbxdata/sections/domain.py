"""`domain`: the SIP domain and realm. They come from the SIPX_DOMAIN / SIPX_REALM settings, so the file
can only confirm them (Digest HA1 values in the file are only valid for their realm)."""

from django.conf import settings

from apps.pbxdata.schema import PbxDataError, check_keys, text


def validate(value, path):
    check_keys(value, path, ("name", "realm"))
    name = value.get("name")
    realm = value.get("realm")
    if name is not None:
        text(blank=False)(name, f"{path}.name")
        if name.lower() != settings.SIPX_DOMAIN.lower():
            raise PbxDataError(
                f"{path}.name",
                f'the file is for domain "{name}" but this server\'s domain is "{settings.SIPX_DOMAIN}"; '
                f"set the SIPX_DOMAIN environment variable (and SIPX_REALM) to match the file, then import again",
            )
    if realm is not None:
        text(blank=False)(realm, f"{path}.realm")
        if realm != settings.SIPX_REALM:
            raise PbxDataError(
                f"{path}.realm",
                f'the file is for realm "{realm}" but this server\'s realm is "{settings.SIPX_REALM}"; '
                f"set the SIPX_REALM environment variable to match the file, then import again",
            )
    return value


def clear():
    pass


def load(value, ctx):
    pass


def dump():
    return {"name": settings.SIPX_DOMAIN, "realm": settings.SIPX_REALM}
