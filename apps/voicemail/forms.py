"""Forms of the voicemail pages."""

from django import forms

from apps.voicemail.models import ActiveGreeting, Folder, Greeting


class ActiveGreetingForm(forms.Form):
    active_greeting = forms.ChoiceField(label="Callers hear", choices=ActiveGreeting.choices, widget=forms.RadioSelect)


class GreetingUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=Greeting.Kind.choices, widget=forms.HiddenInput)
    audio = forms.FileField(
        label="Recording (WAV or MP3)",
        widget=forms.ClearableFileInput(attrs={"accept": "audio/wav,audio/x-wav,audio/mpeg,.wav,.mp3"}),
        error_messages={
            "required": "Choose a file to upload.",
            "invalid": "Choose a file to upload.",
            "empty": "The file is empty: choose a WAV or MP3 recording.",
        },
    )

    def problem(self) -> str:
        """The sentence for a refused upload: what is missing, before what is wrong (the content is the services')."""
        if "audio" in self.errors:
            return " ".join(self.errors["audio"])
        return "Choose one of the greetings to upload."


class MessageActionForm(forms.Form):
    """One button on a message row: heard/unheard, move to a folder, delete."""

    ACTIONS = [("heard", "Mark heard"), ("unheard", "Mark unheard"), ("move", "Move"), ("delete", "Delete")]
    action = forms.ChoiceField(choices=ACTIONS)
    folder = forms.ChoiceField(choices=Folder.choices, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "move" and not data.get("folder"):
            self.add_error("folder", "Choose the folder to move the message to.")
        return data
