"""The portal's voicemail page (mounted at /portal/voicemail/): the logged-in user's own mailbox, through the admin
pages' views with `own` set (views.py), so both show and change a mailbox the same way; only the owner sees the
private feed URL."""

from apps.voicemail import views


def _own(view: type) -> type:
    """The admin page `view` for the logged-in user's own mailbox."""
    return type("My" + view.__name__, (view,), {"own": True, "__module__": __name__})


MyMailboxView = _own(views.MailboxView)
MyMessageAudioView = _own(views.MessageAudioView)
MyMessageActionView = _own(views.MessageActionView)
MyActiveGreetingView = _own(views.ActiveGreetingView)
MyGreetingUploadView = _own(views.GreetingUploadView)
MyGreetingAudioView = _own(views.GreetingAudioView)
MyGreetingDeleteView = _own(views.GreetingDeleteView)
