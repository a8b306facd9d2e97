from django.apps import AppConfig


class MediaserverConfig(AppConfig):
    """The media server (docs/mediaserver.md): voicemail, auto-attendants and conference rooms on PJSIP, reading
    everything from the other apps' services. Like pbxdata and sipproxy it stands on top of the domain apps."""

    name = "apps.mediaserver"
    verbose_name = "Media server"
