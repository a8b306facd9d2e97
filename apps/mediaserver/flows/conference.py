"""Conference rooms: a call to a conference's extension (the proxy's route, `service=conference`,
`target=<conference name>`).

An unknown room is refused with 404 before answering (the proxy routes only existing extensions, so it was deleted
a moment ago: there is nothing to say about it). A disabled room is answered and says 'conference_closed', so the
caller knows the number is right. A room with an access or moderator code asks for it ('conference_code', ended by
#): the moderator code makes a moderator, the access code a participant; a room with a moderator code only admits
participants on an empty entry. Three wrong codes hang up. A full room (max_participants) says 'conference_full'.

The rooms live in this process's memory (ROOMS: conference name -> its members): each member's audio is connected
to every other member's in PJSIP's conference bridge, which mixes what reaches a port; a member never hears itself.
Muting stops that member's transmissions, removing says 'removed' and hangs up. The database has a Participant row
per member (apps.conferences.services.join/leave) for the pages, which change `muted` and set `removed`; a poller
(one coroutine, started with the first member, ending with the last) reads this server's rows every POLL_SECONDS and
applies what changed.

Rows are keyed by SERVER_ID, new at each start: `started()` (or, failing that, the first conference call) deletes
every other id's rows, so the callers of a media server that crashed or restarted do not linger on the pages."""

import asyncio
import hmac
import itertools
import logging
import uuid
from dataclasses import dataclass

import pjsua2 as pj

from apps.conferences import services
from apps.mediaserver import prompts
from apps.mediaserver.calls import MediaCall
from apps.mediaserver.dbthread import db

log = logging.getLogger("sipxweb.mediaserver")

SERVER_ID = uuid.uuid4().hex  # this process's id in the Participant rows
POLL_SECONDS = 0.5
TRIES = 3  # wrong codes before hanging up
CODE_DIGITS = 10  # the longest code the model allows
CODE_TIMEOUT = 10.0  # seconds without a key that end a code entry
WAKE_SECONDS = 0.2  # how often a member's flow looks at its `removed` flag


@dataclass(eq=False)
class Member:
    call: MediaCall
    key: str  # the call's key in the Participant rows (unique in this process)
    room: str
    moderator: bool
    muted: bool = False
    removed: bool = False


ROOMS: dict[str, set[Member]] = {}
_keys = itertools.count(1)
_poller: asyncio.Task | None = None
_forgotten = False  # whether the rows of earlier media server processes were deleted


def started() -> None:
    """The media server's start hook (synchronous, before its loop runs): deletes the rows of earlier processes."""
    global _forgotten
    gone = services.forget_other_servers(SERVER_ID)
    _forgotten = True
    if gone:
        log.info("conference: %d participant rows of an earlier media server deleted", gone)


# ---- the bridge ---------------------------------------------------------------------------------------------------


def _transmit(source: Member, sink: Member, on: bool) -> None:
    """Connects (or disconnects) source's voice to sink's ear. A call that has ended is skipped: PJSIP removed its
    port, and its slot number may already be another call's."""
    if source.call.gone or sink.call.gone or source.call.audio is None or sink.call.audio is None:
        return
    try:
        if on:
            source.call.audio.startTransmit(sink.call.audio)
        else:
            source.call.audio.stopTransmit(sink.call.audio)
    except pj.Error as exc:
        log.debug("conference bridge: %s", exc.info())


def _connect(member: Member, others: set[Member]) -> None:
    for other in others:
        if not member.muted:
            _transmit(member, other, True)
        if not other.muted:
            _transmit(other, member, True)


def _disconnect(member: Member, others: set[Member]) -> None:
    for other in others:
        if other is not member:
            _transmit(member, other, False)
            _transmit(other, member, False)


def set_muted(member: Member, muted: bool) -> None:
    if member.muted == muted:
        return
    member.muted = muted
    for other in ROOMS.get(member.room, ()):
        if other is not member:
            _transmit(member, other, not muted)


# ---- the poller ---------------------------------------------------------------------------------------------------


def apply(commands: dict[str, tuple[bool, bool]]) -> None:
    """Applies the pages' changes (call key -> (muted, removed)) to the members they name."""
    for members in list(ROOMS.values()):
        for member in list(members):
            if member.key not in commands:
                continue  # its row is not written yet, or already deleted
            muted, removed = commands[member.key]
            set_muted(member, muted)
            if removed:
                member.removed = True


async def _poll() -> None:
    while any(ROOMS.values()):
        await asyncio.sleep(POLL_SECONDS)
        try:
            commands = await db(services.commands)(SERVER_ID)
        except Exception:  # a database hiccup: the rooms go on, the next turn tries again
            log.exception("conference: reading the participants failed")
            continue
        apply(commands)


def _ensure_poller(server) -> None:
    global _poller
    if _poller is None or _poller.done():
        _poller = asyncio.get_running_loop().create_task(_poll())
        server.tasks.add(_poller)  # cancelled with the calls' flows when the media server stops
        _poller.add_done_callback(server.tasks.discard)


# ---- the flow -----------------------------------------------------------------------------------------------------


def _same(typed: str, code: str | None) -> bool:
    return code is not None and hmac.compare_digest(typed.encode(), code.encode())


async def ask_code(call: MediaCall, conference) -> bool | None:
    """True for the moderator code, False for the access code (or, with a moderator code only, an empty entry),
    None after TRIES wrong ones."""
    for _ in range(TRIES):
        await call.play([prompts.prompt("conference_code")])
        typed = await call.collect(CODE_DIGITS, CODE_TIMEOUT)
        if _same(typed, conference.moderator_code):
            return True
        if _same(typed, conference.access_code) or (not conference.access_code and typed == ""):
            return False
        call.digits.clear()  # what followed the wrong code; keys typed during the next prompt are kept
        await call.play([prompts.prompt("wrong_code")], interrupt=False)
    return None


async def _say_and_hang_up(call: MediaCall, name: str) -> None:
    await call.play([prompts.prompt(name)], interrupt=False)
    call.end()


async def run(call: MediaCall) -> None:
    global _forgotten
    if not _forgotten:  # the media server did not call started(): the first conference call does it
        _forgotten = True
        await db(started)()
    name = call.invite.params.get("target", "")
    conference = await db(services.conference_for_call)(name)
    if conference is None:
        call.end(404)
        return
    await call.pick_up()
    if not conference.enabled:
        await _say_and_hang_up(call, "conference_closed")
        return
    moderator = False
    if conference.access_code or conference.moderator_code:
        moderator = await ask_code(call, conference)
        if moderator is None:
            log.info("conference %s: %s hung up after %d wrong codes", name, call.invite.caller or "?", TRIES)
            await _say_and_hang_up(call, "goodbye")
            return
    room = ROOMS.setdefault(name, set())
    if conference.max_participants and len(room) >= conference.max_participants:
        await _say_and_hang_up(call, "conference_full")
        return
    member = Member(call, str(next(_keys)), name, moderator)
    alone = not room
    _connect(member, room)
    room.add(member)
    _ensure_poller(call.server)
    try:
        invite = call.invite
        await db(services.join)(conference, SERVER_ID, member.key, invite.caller, invite.caller_from, moderator)
        if alone:
            await call.play([prompts.prompt("conference_alone")], interrupt=False)
        while not member.removed:
            await call.pause(WAKE_SECONDS)
    finally:
        _disconnect(member, room)
        room.discard(member)
        if not room and ROOMS.get(name) is room:
            del ROOMS[name]
        await db(services.leave)(SERVER_ID, member.key)
    await _say_and_hang_up(call, "removed")
