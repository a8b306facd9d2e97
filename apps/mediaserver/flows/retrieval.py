"""Voicemail retrieval: the dial plan's voicemail number (`service=voicemail`). The caller's own mailbox — or, when
the caller is no user or presses `*` at the PIN prompt, the mailbox number typed + `#` — then the voicemail PIN +
`#`, checked by apps/users/voicemail_pin.py under the users' lockout (wrong PINs by phone and over REST count
together). Three wrong PINs end the call; a locked account hears so and is hung up.

After login: the count of new messages, then each inbox message, oldest first, is played, marked heard, and
offered the message menu (1 replay, 7 delete, 9 save, # next); then the main menu (1 new, 2 saved, * goodbye).

PINs are never logged: the log lines here name the mailbox, never a typed key."""

import logging
from dataclasses import dataclass
from pathlib import Path

from apps.mediaserver import audio, prompts
from apps.mediaserver.calls import MediaCall
from apps.mediaserver.dbthread import db
from apps.users import lockout
from apps.users.models import User
from apps.users.voicemail_pin import check_voicemail_pin, has_voicemail_pin
from apps.voicemail import services as voicemail
from apps.voicemail.models import Folder, Message

log = logging.getLogger("sipxweb.mediaserver")

MAX_WRONG_PINS = 3  # the third wrong PIN ends the call
MAX_SILENCES = 3  # prompts answered by nothing before the call ends
KEY_TIMEOUT = 6.0  # seconds without a key that end an entry
STAR_WINDOW = 3.0  # seconds after "this mailbox has no voicemail PIN" in which * still opens another mailbox
MAX_DIGITS = 20
END_PAUSE = 0.5  # seconds between the last prompt and the hang-up


@dataclass
class Item:
    pk: int
    path: Path | None  # playable audio, None when the file is missing or unreadable


def find_user(name: str) -> User | None:
    """The mailbox for a number: a user by user name or alias (the caller's own, or the one typed)."""
    from apps.users.credentials import find_login

    login = find_login(name)
    return login.user if login is not None else None


def messages_in(user: User, folder: str) -> list[Item]:
    """The folder's messages, oldest first, each with a file PJSIP plays (audio.playable converts MP3 etc.)."""
    items = []
    for message in Message.objects.filter(user=user, folder=folder).order_by("received", "message_id"):
        path = None
        if message.audio:
            try:
                path = audio.playable(Path(message.audio.path))
            except (audio.AudioError, OSError, NotImplementedError) as exc:
                log.warning("message %s of %s not playable: %s", message.message_id, user.username, exc)
        items.append(Item(message.pk, path))
    return items


def unheard_count(user: User) -> int:
    return Message.objects.filter(user=user, folder=Folder.INBOX, heard=False).count()


def count_in(user: User, folder: str) -> int:
    return Message.objects.filter(user=user, folder=folder).count()


def act(pk: int, action: str) -> None:
    """heard / delete / save on one message (gone meanwhile, e.g. deleted in the portal: nothing to do)."""
    message = Message.objects.filter(pk=pk).first()
    if message is None:
        return
    if action == "heard":
        voicemail.set_heard(message)
    elif action == "delete":
        voicemail.delete(message)
    elif action == "save":
        voicemail.move(message, Folder.SAVED)


def caller_address(call: MediaCall) -> str:
    """The address the lockout counts this caller's attempts from: the phone's address as the proxy saw it (the
    INVITE reaches the media server from the proxy, so its own source would lump every phone together)."""
    return call.invite.source or "unknown"


def shown(user: User | None) -> str:
    """A mailbox as the log names it: a number typed for nobody's mailbox is not written (it may be a PIN typed
    at the wrong prompt)."""
    return user.username if user is not None else "an unknown mailbox"


async def ask(call: MediaCall, prompt: str, max_digits: int = MAX_DIGITS) -> str:
    """Plays `prompt` (a key cuts it short) and collects keys up to `#` or the timeout."""
    await call.play([prompts.prompt(prompt)])
    return await call.collect(max_digits, KEY_TIMEOUT)


async def hang_up(call: MediaCall) -> None:
    """Ends the call once the last words have reached the phone: its jitter buffer still holds their end when
    the player stops, and a BYE sent at once would cut them off."""
    await call.pause(END_PAUSE)
    call.end()


async def goodbye(call: MediaCall) -> None:
    await call.play([prompts.prompt("goodbye")], interrupt=False)
    await hang_up(call)


async def login(call: MediaCall) -> User | None:
    """The mailbox's user once its PIN was given, or None when the call is to end (the flow has said why)."""
    address = caller_address(call)
    name = call.invite.caller
    user = await db(find_user)(name) if name else None
    typed_box = user is None
    wrong = silent = 0
    while True:
        if typed_box:
            name = await ask(call, "mailbox")
            if not name:
                silent += 1
                if silent >= MAX_SILENCES:
                    await goodbye(call)
                    return None
                continue
            user = await db(find_user)(name)
        if user is not None and user.is_active and not has_voicemail_pin(user):
            log.info("voicemail login to %s refused: no voicemail PIN set", user.username)
            # Nothing to check, so no login; but the caller may still open another mailbox with * (during the
            # sentence or just after it).
            await call.play([prompts.prompt("no_pin")])
            if await call.collect(1, STAR_WINDOW, terminator="") == "*":
                typed_box = True
                continue
            await goodbye(call)
            return None
        await call.play([prompts.prompt("pin")])
        first = await call.collect(1, KEY_TIMEOUT, terminator="")
        if first == "*":  # another mailbox than the caller's own
            typed_box = True
            continue
        if first == "#":
            pin = ""
        elif first:
            pin = first + await call.collect(MAX_DIGITS, KEY_TIMEOUT)
        else:
            silent += 1
            if silent >= MAX_SILENCES:
                await goodbye(call)
                return None
            continue
        try:
            right = await db(check_voicemail_pin)(user, pin, address, name)
        except lockout.Locked as exc:
            log.warning("voicemail login to %s from %s locked for %s s", shown(user), address, exc.retry_after)
            await call.play([prompts.prompt("locked")], interrupt=False)
            await hang_up(call)
            return None
        if right:
            log.info("voicemail login to %s from %s", user.username, address)
            return user
        wrong += 1
        log.info("wrong voicemail PIN for %s from %s (%d of %d)", shown(user), address, wrong, MAX_WRONG_PINS)
        await call.play([prompts.prompt("wrong_pin")], interrupt=False)
        if wrong >= MAX_WRONG_PINS:
            await goodbye(call)
            return None
        # A typed mailbox is asked again along with its PIN: the number may have been the mistake.


async def menu_key(call: MediaCall, prompt: str, keys: str) -> str | None:
    """A key of `keys` answering `prompt` (said again after a wrong key or silence); None after MAX_SILENCES."""
    for _ in range(MAX_SILENCES):
        await call.play([prompts.prompt(prompt)])
        key = await call.collect(1, KEY_TIMEOUT, terminator="")
        if key in keys and key:
            return key
        call.digits.clear()
        if key:
            await call.play([prompts.prompt("invalid")], interrupt=False)
    return None


async def review(call: MediaCall, user: User, folder: str) -> bool:
    """Plays the folder's messages with the message menu; False when the caller is to be hung up."""
    for item in await db(messages_in)(user, folder):
        while True:
            call.digits.clear()
            if item.path is not None:
                await call.play([item.path])  # a key cuts it short and answers the menu below
            await db(act)(item.pk, "heard")
            key = await menu_key(call, "message_menu", "179#")
            if key is None:
                return False
            if key == "1":
                continue
            if key == "7":
                await db(act)(item.pk, "delete")
                await call.play([prompts.prompt("deleted")])
            elif key == "9" and folder != Folder.SAVED:
                await db(act)(item.pk, "save")
                await call.play([prompts.prompt("saved")])
            break
    call.digits.clear()
    await call.play([prompts.prompt("no_more_messages")])
    return True


async def run(call: MediaCall) -> None:
    await call.pick_up()
    user = await login(call)
    if user is None:
        return
    new = await db(unheard_count)(user)
    if new:
        word = "new_message" if new == 1 else "new_messages"
        await call.play([prompts.prompt("you_have"), *prompts.number(new), prompts.prompt(word)])
    else:
        await call.play([prompts.prompt("no_new_messages")])
    folder = Folder.INBOX
    while True:
        if not await review(call, user, folder):
            break
        key = await menu_key(call, "main_menu", "12*")
        if key == "1":
            folder = Folder.INBOX
        elif key == "2":
            folder = Folder.SAVED
            count = await db(count_in)(user, Folder.SAVED)
            await call.play([prompts.prompt("you_have"), *prompts.number(count), prompts.prompt("saved_messages")])
        else:
            break
    await goodbye(call)
