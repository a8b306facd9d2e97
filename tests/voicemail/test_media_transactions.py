"""Recordings follow the rows that name them (sipxweb/mediafiles.py): a rolled-back change neither loses the
files its rows still name nor leaves behind the files it wrote; a file no row names any more is deleted
once the change commits."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from apps.voicemail import services
from apps.voicemail.models import Greeting, Message
from sipxweb.audio import inspect
from tests.voicemail.audio import tone_wav

BASE = {"format": "sipxweb-pbx", "version": 1}


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_a_failed_replace_import_keeps_every_recording(transactional_db, tmp_path):
    seed()
    before = media_files()
    assert len([f for f in before if f.startswith("voicemail/")]) == 3
    (tmp_path / "new.wav").write_bytes(tone_wav(2))
    document = {
        **BASE,
        "users": [{"userName": "200", "aliases": ["alice"], "pin": "1234"}],
        "voicemail": [
            {
                "user": "200",
                "messageId": "9",
                "received": "2026-01-01T00:00:00Z",
                "durationSecs": 2,
                "format": "wav",
                "audio": "new.wav",
            },
            {"user": "999", "messageId": "10", "received": "2026-01-01T00:00:00Z", "durationSecs": 2},
        ],
    }
    (tmp_path / "pbx.json").write_text(json.dumps(document))
    with pytest.raises(CommandError, match=r"voicemail\[1\]\.user"):
        call_command("import_pbx", str(tmp_path / "pbx.json"), "--replace", stdout=io.StringIO())
    assert media_files() == before  # old recordings kept, the new one written before the error removed
    assert Message.objects.count() == 3
    for message in Message.objects.all():
        assert inspect(message.audio.read()).format == message.format


def test_a_replace_import_removes_the_recordings_it_replaced(transactional_db, tmp_path):
    seed()
    out = tmp_path / "pbx.json"
    call_command("export_pbx", str(out), stderr=io.StringIO())
    call_command("import_pbx", str(out), "--replace", stdout=io.StringIO())
    now = {f for f in media_files() if f.startswith("voicemail/") and "greeting" not in f}
    assert len(now) == 3  # the three imported recordings, and not the three they replaced
    assert {m.audio.name for m in Message.objects.all()} == now


def test_purging_a_message_and_deleting_a_user_remove_their_files(transactional_db, alice):
    message = services.deposit(alice, io.BytesIO(tone_wav(1)), sender="x")
    greeting = services.save_greeting(alice, "standard", io.BytesIO(tone_wav(1)))
    assert {message.audio.name, greeting.audio.name} <= media_files()
    services.delete(message)  # to Deleted: the file stays
    assert message.audio.name in media_files()
    services.delete(message)  # from Deleted: gone for good
    assert message.audio.name not in media_files()
    other = services.deposit(alice, io.BytesIO(tone_wav(1)), sender="y")
    alice.delete()
    assert not ({other.audio.name, greeting.audio.name} & media_files())
    assert not Greeting.objects.exists()


def test_a_new_greeting_replaces_the_old_file(transactional_db, alice):
    first = services.save_greeting(alice, "standard", io.BytesIO(tone_wav(1))).audio.name
    second = services.save_greeting(alice, "standard", io.BytesIO(tone_wav(2))).audio.name
    assert first != second and first not in media_files() and second in media_files()


def test_a_deposit_that_fails_leaves_no_file(transactional_db, alice, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    before = media_files()
    monkeypatch.setattr(Message, "save", broken)
    with pytest.raises(RuntimeError):
        services.deposit(alice, io.BytesIO(tone_wav(1)), sender="x")
    assert media_files() == before


def test_a_failed_import_never_removes_a_prompt_it_only_named(transactional_db, tmp_path):
    """An import names prompts by their stored name; such a file is someone's, not the import's own."""
    from django.core.files.base import ContentFile

    from apps.attendants.models import AutoAttendant

    owner = AutoAttendant(name="Owner")
    owner.prompt.save("shared.wav", ContentFile(tone_wav(1)), save=False)
    owner.save()
    shared = owner.prompt.name
    document = {
        **BASE,
        "autoAttendants": [{"name": "Borrower", "prompt": shared}],
        "voicemail": [{"user": "999", "messageId": "1", "received": "2026-01-01T00:00:00Z", "durationSecs": 1}],
    }
    (tmp_path / "pbx.json").write_text(json.dumps(document))
    with pytest.raises(CommandError, match=r"voicemail\[0\]\.user"):
        call_command("import_pbx", str(tmp_path / "pbx.json"), stdout=io.StringIO())
    assert shared in media_files() and not AutoAttendant.objects.filter(name="Borrower").exists()
    # A successful import that re-points the attendant elsewhere removes the file no row names any more.
    (tmp_path / "pbx.json").write_text(json.dumps({**BASE, "autoAttendants": [{"name": "Owner", "prompt": None}]}))
    call_command("import_pbx", str(tmp_path / "pbx.json"), stdout=io.StringIO())
    assert shared not in media_files()


def test_a_file_handed_to_a_new_row_is_an_upload(transactional_db, alice):
    """A File given to a new row is written by the row's save; the name it carried names nothing stored, so
    neither a commit nor a rollback may touch a stored file of that name."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from sipxweb import mediafiles

    unrelated = Path(settings.MEDIA_ROOT) / "voicemail" / "upload.wav"
    unrelated.parent.mkdir(parents=True, exist_ok=True)
    unrelated.write_bytes(b"not ours")

    def new_message(message_id):
        upload = ContentFile(tone_wav(1), name="voicemail/upload.wav")
        return Message(
            user=alice, message_id=message_id, format="wav", duration=1, received=timezone.now(), audio=upload
        )

    with mediafiles.atomic():
        kept = new_message("77")
        kept.save()
    assert kept.audio.name != "voicemail/upload.wav" and kept.audio.name in media_files()
    with pytest.raises(RuntimeError), mediafiles.atomic():
        dropped = new_message("78")
        dropped.save()
        raise RuntimeError("roll back")
    assert dropped.audio.name not in media_files()  # the upload went with the rollback
    assert unrelated.read_bytes() == b"not ours"
