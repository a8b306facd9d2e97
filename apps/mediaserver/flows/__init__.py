"""The media server's services, by the name the proxy's route gives in the request URI's `service` parameter
(apps/sipproxy/routing.py): each is a coroutine taking the answered-or-not MediaCall (apps/mediaserver/calls.py)."""

from apps.mediaserver.flows import deposit

FLOWS = {
    "deposit": deposit.run,
}
