"""The media server's services, by the name the proxy's route gives in the request URI's `service` parameter
(apps/sipproxy/routing.py, settings.SIPX_MEDIA_URI and SIPX_VOICEMAIL_URI): each is a coroutine taking the incoming,
not yet answered MediaCall (apps/mediaserver/calls.py)."""

from apps.mediaserver.flows import attendant, conference, deposit, retrieval

FLOWS = {
    "deposit": deposit.run,  # an unanswered user's voicemail: greeting, beep, record
    "voicemail": retrieval.run,  # the dial plan's voicemail number: PIN, listen, save, delete
    "attendant": attendant.run,  # the dial plan's attendant number: the attendant playing now (special mode)
    "conference": conference.run,  # a conference's extension: code, then the room
}
