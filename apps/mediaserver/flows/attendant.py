"""The auto-attendant: a call to the dial plan's attendant number (`service=attendant`, `target=` the attendant's
system name — operator, afterhour or xcf<id> — chosen by special mode in apps/sipproxy/routing.py). Plays the
attendant's prompt (its uploaded file, or the system 'welcome'), takes one key (a key pressed during the prompt
counts) and does what the menu item of that key says:

* transfer_out: a blind transfer (REFER) to the extension, user or SIP URI; the caller's phone calls it through
  the proxy, so the callee's ring list and voicemail apply;
* operator: the operator attendant's menu, played in this call (not a transfer to the dial plan's attendant
  number: in special mode that number reaches the special attendant, not the operator);
* transfer_to_another_aa_menu: that attendant's menu, in this call;
* voicemail_deposit: a message for that user's mailbox, in this call (deposit.leave_message);
* voicemail_access: voicemail retrieval, in this call (retrieval.run);
* repeat_prompt: the prompt again; disconnect: 'goodbye' and hang up;
* dial_by_name: not offered yet — the caller hears 'invalid', as for a key with no menu item.

No key within the attendant's `digit_timeout`, or a key with no menu item, says 'invalid' and plays the prompt again;
after `max_invalid` such tries the attendant's `on_failure` decides: the operator attendant's menu, or 'goodbye'."""

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pjsua2 as pj
from django.conf import settings

from apps.mediaserver import audio, prompts
from apps.mediaserver.calls import MediaCall
from apps.mediaserver.dbthread import db
from apps.mediaserver.flows import deposit

log = logging.getLogger("sipxweb.mediaserver")

# Menus a caller may walk through in one call (each step needs a key): a bound, so that two attendants naming each
# other cannot keep a call, and its media port, forever.
MAX_MENUS = 30
TRANSFER_GRACE = 4.0  # seconds the caller's phone has to act on the REFER before the media server hangs up


@dataclass
class Menu:
    """An attendant as the call needs it, read once from the database."""

    name: str
    system_name: str
    prompt: Path  # the attendant's prompt converted for PJSIP, or the system 'welcome'
    items: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (action, parameter)
    digit_timeout: float = 5
    max_invalid: int = 3
    on_failure: str = "disconnect"


def load_menu(name: str) -> Menu | None:
    """The attendant named `name` (system id, xcf<id> or name: services.resolve), None when there is none."""
    from apps.attendants.services import resolve

    attendant = resolve(name)
    if attendant is None:
        return None
    prompt = prompts.prompt("welcome")
    if attendant.prompt:
        try:
            prompt = audio.playable(Path(attendant.prompt.path))
        except (audio.AudioError, OSError) as exc:
            log.warning("prompt of attendant %s not playable, the system prompt plays: %s", attendant.name, exc)
    return Menu(
        name=attendant.name,
        system_name=attendant.system_name,
        prompt=prompt,
        items={m.key: (m.action, m.parameter) for m in attendant.menu.all()},
        digit_timeout=attendant.digit_timeout,
        max_invalid=attendant.max_invalid,
        on_failure=attendant.on_failure,
    )


def transfer_uri(parameter: str) -> str:
    """A menu's transfer target as a SIP URI: a SIP URI stays, an extension or user is one of the PBX's domain."""
    if parameter.startswith(("sip:", "sips:")):
        return parameter
    return f"sip:{parameter}@{settings.SIPX_DOMAIN}"


async def run(call: MediaCall) -> None:
    menu = await db(load_menu)(call.invite.params.get("target") or call.invite.number)
    if menu is None:
        log.warning("no attendant %r: call refused", call.invite.params.get("target"))
        call.end(404)
        return
    await call.pick_up()
    await serve(call, menu)
    call.end()


async def serve(call: MediaCall, menu: Menu) -> None:
    """Plays menus, one after another as the caller's keys lead, until one ends the call or hands it on."""
    for _ in range(MAX_MENUS):
        menu = await play_menu(call, menu)
        if menu is None:
            return
    log.info("call left in attendant %s after %d menus", menu.name, MAX_MENUS)
    await goodbye(call)


async def goodbye(call: MediaCall) -> None:
    await call.play([prompts.prompt("goodbye")], interrupt=False)


async def ask(call: MediaCall, menu: Menu) -> str:
    """The prompt, then one key: one pressed during the prompt, or within `digit_timeout` after it ("" if none)."""
    await call.play([menu.prompt])
    # No terminator: '#' is a menu key like the others.
    return await call.collect(1, menu.digit_timeout, terminator="")


async def play_menu(call: MediaCall, menu: Menu) -> Menu | None:
    """One attendant's menu until a key leads somewhere: the next menu to play, or None when the call is done."""
    failures = 0
    while True:
        key = await ask(call, menu)
        action, parameter = menu.items.get(key, ("", "")) if key else ("", "")
        if action == "repeat_prompt":
            continue
        following = await act(call, action, parameter) if action else _INVALID
        if following is not _INVALID:
            return following
        failures += 1
        log.info("attendant %s: %s (%d of %d)", menu.name, "no key" if not key else "invalid key", failures,
                 menu.max_invalid)  # fmt: skip
        call.digits.clear()
        await call.play([prompts.prompt("invalid")])
        if failures >= menu.max_invalid:
            return await fail(call, menu)


_INVALID = object()  # act()'s answer for a key that leads nowhere: the caller hears 'invalid'


async def act(call: MediaCall, action: str, parameter: str):
    """Does a menu item: the next menu, None when the call is done, or _INVALID when the item leads nowhere."""
    if action == "transfer_out":
        await call.play([prompts.prompt("transferring")], interrupt=False)
        try:
            call.transfer(transfer_uri(parameter))
        except pj.Error as exc:
            log.warning("transfer to %s failed: %s", parameter, exc.info())
            await goodbye(call)
            return None
        # A blind transfer: once the phone has the REFER its new call goes on without this one. Phones that do not
        # hang up by themselves (pjsua waits for the callee's answer) are left after a short grace.
        await call.transferred(timeout=TRANSFER_GRACE)
        return None
    if action == "operator":
        return await db(load_menu)("operator") or _INVALID
    if action == "transfer_to_another_aa_menu":
        return await db(load_menu)(parameter) or _INVALID
    if action == "voicemail_deposit":
        box = await db(deposit.find_box)(parameter)
        if box is None:
            return _INVALID
        call.digits.clear()
        await deposit.leave_message(call, box)
        return None
    if action == "voicemail_access":
        from apps.mediaserver.flows import retrieval

        call.digits.clear()
        await retrieval.run(call)
        return None
    if action == "disconnect":
        await goodbye(call)
        return None
    return _INVALID  # dial_by_name (not offered yet), or an action this version does not know


async def fail(call: MediaCall, menu: Menu) -> Menu | None:
    """After the last try: the operator attendant's menu when the attendant says so (and is not the operator
    itself, which would only start over), else 'goodbye'."""
    if menu.on_failure == "operator" and menu.system_name != "operator":
        operator = await db(load_menu)("operator")
        if operator is not None:
            return operator
    await goodbye(call)
    return None
