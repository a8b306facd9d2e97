"""Forms of the voicemail pages."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.voicemail.models import ActiveGreeting, Folder, Greeting


class ActiveGreetingForm(forms.Form):
    active_greeting = forms.ChoiceField(
        label=_("Callers hear"), choices=ActiveGreeting.choices, widget=forms.RadioSelect
    )


class GreetingUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=Greeting.Kind.choices, widget=forms.HiddenInput)
    audio = forms.FileField(
        label=_("Recording (WAV or MP3)"),
        widget=forms.ClearableFileInput(attrs={"accept": "audio/wav,audio/x-wav,audio/mpeg,.wav,.mp3"}),
        error_messages={
            "required": _("Choose a file to upload."),
            "invalid": _("Choose a file to upload."),
            "empty": _("The file is empty: choose a WAV or MP3 recording."),
        },
    )

    def problem(self) -> str:
        """The sentence for a refused upload: what is missing, before what is wrong (the content is the services')."""
        if "audio" in self.errors:
            return " ".join(self.errors["audio"])
        return gettext("Choose one of the greetings to upload.")


class MessageActionForm(forms.Form):
    """One button on a message row: heard/unheard, move to a folder, delete."""

    ACTIONS = [("heard", _("Mark heard")), ("unheard", _("Mark unheard")), ("move", _("Move")), ("delete", _("Delete"))]
    action = forms.ChoiceField(choices=ACTIONS)
    folder = forms.ChoiceField(choices=Folder.choices, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "move" and not data.get("folder"):
            self.add_error("folder", gettext("Choose the folder to move the message to."))
        return data
