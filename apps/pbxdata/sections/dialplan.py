"""`dialPlan`: the numbers by which phones reach the auto-attendant that plays now and voicemail retrieval. The
file's schema and its mapping onto apps.sipproxy.dialplan_services, which holds every rule (the form of a
number, no number twice, no clash with a user name, an alias or a conference's extension) as it does for the
dial-plan page. Export always writes the section.

The clash with other apps' names is checked once every section is loaded (`check_clashes`), against what the PBX
then holds: a file may give a user a number the stored plan had and move the plan in the same import."""

from apps.pbxdata.schema import PbxDataError, list_of, obj, show, text
from apps.sipproxy import dialplan_services as services
from apps.sipproxy.dialplan import WHAT

_numbers = list_of(text(max_length=64))
_check = obj({service.value: (_numbers, list) for service in services.SERVICES})


def _path(error: services.DialPlanError) -> str:
    return f"dialPlan.{error.service}" + (f"[{error.index}]" if error.index is not None else "")


def _refused(error: services.DialPlanError, path: str | None = None) -> PbxDataError:
    return PbxDataError(path or _path(error), error.message.rstrip("."))


def validate(value, path):
    cleaned = _check(value, path)
    try:
        plan = services.clean_dial_plan(**cleaned)
    except services.DialPlanError as exc:
        raise _refused(exc) from None
    return {service: list(numbers) for service, numbers in vars(plan).items()}


def clear():
    services.save_dial_plan([], [])


def load(value, ctx):
    try:
        services.save_dial_plan(**value, check_others=False)
    except services.DialPlanError as exc:  # the file was validated: only a changed rule could get here
        raise _refused(exc) from None


def check_clashes(cleaned: dict) -> None:
    """After every section is loaded: no number of the dial plan may be a user name, an alias or a conference's
    extension. The file's dial plan is named when it has one; else the clash came from one of the file's users
    (the stored plan was consistent before, and the file's conferences were checked as they were stored)."""
    plan = services.dial_plan()
    try:
        services.check_owners(plan)
    except services.DialPlanError as exc:
        if "dialPlan" not in cleaned:
            number = getattr(plan, exc.service)[exc.index]
            for i, user in enumerate(cleaned.get("users") or []):
                names = [("userName", user["userName"])] + [(f"aliases[{j}]", a) for j, a in enumerate(user["aliases"])]
                for key, name in names:
                    if name.strip().lower() == number.lower():
                        raise PbxDataError(
                            f"users[{i}].{key}", f"{show(name.strip())} is {WHAT[exc.service]}"
                        ) from None
        raise _refused(exc) from None


def dump():
    plan = services.dial_plan()
    return {service.value: list(getattr(plan, service)) for service in services.SERVICES}
