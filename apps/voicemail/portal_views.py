"""The portal's voicemail page (mounted at /portal/voicemail/): the logged-in user's own mailbox, through the admin
pages' views with `own` set (views.py), so both show and change a mailbox the same way; only the owner sees the
private feed URL."""

from apps.voicemail import views


class MyMailboxView(views.MailboxView):
    own = True


class MyMessageAudioView(views.MessageAudioView):
    own = True


class MyMessageActionView(views.MessageActionView):
    own = True


class MyActiveGreetingView(views.ActiveGreetingView):
    own = True


class MyGreetingUploadView(views.GreetingUploadView):
    own = True


class MyGreetingAudioView(views.GreetingAudioView):
    own = True


class MyGreetingDeleteView(views.GreetingDeleteView):
    own = True
