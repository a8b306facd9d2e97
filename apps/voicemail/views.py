"""Voicemail pages. The admin pages (`/voicemail/<user>/...`, any mailbox, administrators only) are these views;
the portal's (`/portal/voicemail/...`, the logged-in user's own mailbox) are the same views with `own` set
(portal_views.py). Audio is streamed with byte ranges (sipxweb.ranges), like the REST download."""

from django.contrib import messages as flash
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from apps.users.models import User
from apps.voicemail import services
from apps.voicemail.filtersets import MailboxFilterSet, MessageFilterSet
from apps.voicemail.forms import ActiveGreetingForm, GreetingUploadForm, MessageActionForm
from apps.voicemail.models import ActiveGreeting, Folder, Greeting, Mailbox, Message
from sipxweb.pages import AdminRequiredMixin, ListPage, Sorting, page_size, paginate
from sipxweb.ranges import file_response


class MailboxOwnerMixin(AccessMixin):
    """`self.owner`: the user named in the URL (admins only), or with `own` the logged-in user. A user without the
    voicemail permission has no mailbox to use: their own pages say so instead (the mailbox page with 200, its
    actions with 403), as callers get no voicemail either."""

    own = False
    voicemail_off_status = 403

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.own:
            self.owner = request.user
            if not self.owner.perm_voicemail:
                return render(request, "voicemail/off.html", status=self.voicemail_off_status)
        else:
            if not request.user.is_admin:
                return self.handle_no_permission()
            self.owner = get_object_or_404(User, username=kwargs["username"])
        self.admin_view = not self.own
        return super().dispatch(request, *args, **kwargs)

    def url(self, name: str, **kwargs) -> str:
        if self.own:
            return reverse(f"portal-voicemail:{name}", kwargs=kwargs)
        return reverse(f"voicemail:{name}", kwargs={"username": self.owner.username, **kwargs})

    def back(self, folder: str | None = None) -> HttpResponseRedirect:
        folder = folder or self.request.POST.get("return_folder") or self.request.GET.get("folder")
        suffix = f"?folder={folder}" if folder in Folder.values else ""
        return HttpResponseRedirect(self.url("mailbox") + suffix)


# The message list's sortable columns (?ordering=), as the other lists sort (sipxweb.pages.Sorting).
MESSAGE_SORTS = {
    "sender": (Lower("sender_brief"), Lower("sender")),
    "subject": (Lower("subject"),),
    "received": ("received",),
    "duration": ("duration",),
}


class MailboxView(MailboxOwnerMixin, TemplateView):
    """Folders with counts, the folder's messages (sortable, with page numbers and a page-size choice like every
    list), greetings, the feed URL."""

    template_name = "voicemail/mailbox.html"
    paginate_by = 25
    voicemail_off_status = 200  # the page a user without voicemail opens: it says why there is nothing

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listed = MessageFilterSet(
            {"folder": self.request.GET.get("folder", Folder.INBOX)}, queryset=Message.objects.filter(user=self.owner)
        )
        if not listed.is_valid():
            raise Http404("No such folder.")
        folder = listed.form.cleaned_data["folder"]
        counts = Message.objects.filter(user=self.owner).counts_by_folder()
        listing = self.message_page(listed.qs)
        mailbox = Mailbox.objects.filter(user=self.owner).prefetch_related("greetings").first()
        recorded = {g.kind: g for g in mailbox.greetings.all()} if mailbox else {}
        greetings = [
            {
                "kind": kind,
                "label": label,
                "greeting": recorded.get(kind),
                "audio_url": self.url("greeting_audio", kind=kind),
                "delete_url": self.url("greeting_delete", kind=kind),
                "form": GreetingUploadForm(initial={"kind": kind}, auto_id=f"id_{kind}_%s"),
            }
            for kind, label in Greeting.Kind.choices
        ]
        active = mailbox.active_greeting if mailbox else "none"
        context.update(
            owner=self.owner,
            admin_view=self.admin_view,
            voicemail_off=not self.owner.perm_voicemail,
            folder=folder,
            folders=[{"value": v, "label": label, **counts[v]} for v, label in Folder.choices],
            **listing,
            move_choices=[(v, label) for v, label in Folder.choices if v != folder],
            greetings=greetings,
            greeting_form=ActiveGreetingForm(initial={"active_greeting": active}),
            recorded_kinds=list(recorded),
            greeting_url=self.url("greeting"),
            upload_url=self.url("greeting_upload"),
            mailbox_url=self.url("mailbox"),
            folder_caption=FOLDER_CAPTIONS[folder],
            title=_("Voicemail of %(name)s") % {"name": self.owner.display_name}
            if self.admin_view
            else _("My voicemail"),
        )
        if not self.admin_view:  # the feed key is the owner's secret: not shown on admin pages
            context["feed_url"] = self.request.build_absolute_uri(
                reverse("voicemail-api:private-feed", kwargs={"key": self.owner.feed_key, "folder": folder})
            )
        return context

    def message_page(self, messages) -> dict:
        """One page of the folder's `messages` in the order asked for (newest first unless a header says
        otherwise): the context of generic/pagination.html and generic/sort_header.html (`sort`), each message
        with its player's and actions' URLs. The query string keeps the folder, so pages and sizes stay in it."""
        sorting = Sorting(self.request, MESSAGE_SORTS, "-received")
        # The primary key last: equal values keep one order, so pages never repeat or skip a message.
        ordered = messages.order_by(*sorting.order_by(MESSAGE_SORTS), "-pk" if sorting.descending else "pk")
        listing = paginate(self.request, ordered, page_size(self.request, self.paginate_by))
        for message in listing["page_obj"].object_list:
            message.audio_url = self.url("audio", message_id=message.message_id)
            message.action_url = self.url("action", message_id=message.message_id)
        listing.pop("object_list")  # the page's own rows are page_obj's
        listing["sort"] = sorting.headers
        return listing


class MessageAudioView(MailboxOwnerMixin, View):
    def get(self, request, message_id, **kwargs):
        message = get_object_or_404(Message, user=self.owner, message_id=message_id)
        if not message.audio:
            raise Http404("This message has no recording.")
        name = download_name("voicemail", self.owner, message.received, message.format)
        try:
            download = "download" in request.GET
            return file_response(request, message.audio, message.mime_type, name, as_attachment=download)
        except FileNotFoundError:
            raise Http404("The recording is missing.") from None


def download_name(what: str, owner, when, extension: str) -> str:
    """A downloaded recording's file name from names, not ids: "voicemail-alice-smith-2026-12-01-1405.mp3" (the
    local time it was received), "greeting-alice-smith-standard.wav"."""
    who = slugify(owner.display_name) or slugify(owner.username) or "user"
    stamp = when if isinstance(when, str) else timezone.localtime(when).strftime("%Y-%m-%d-%H%M")
    return f"{what}-{who}-{stamp}.{extension}"


def message_names(message) -> dict:
    """The values the pages name a message with, "The message from Bob Jones - 201 of Dec 1, 14:05": `sender` and
    `when` (the month's name in the page's language)."""
    sender = message.sender_brief or message.sender or _("an unknown caller")
    # Translators: a Django date format (M: month abbreviated, j: day, H:i: time), e.g. "Dec 1, 14:05".
    when = format_date(timezone.localtime(message.received), _("M j, H:i"))
    return {"sender": sender, "when": when}


# The caption of the message table, by folder.
FOLDER_CAPTIONS = {
    Folder.INBOX: gettext_lazy("Messages in inbox"),
    Folder.SAVED: gettext_lazy("Messages in saved"),
    Folder.DELETED: gettext_lazy("Messages in deleted"),
    Folder.CONFERENCE: gettext_lazy("Messages in conference"),
}


class MessageActionView(MailboxOwnerMixin, View):
    http_method_names = ["post"]

    def post(self, request, message_id, **kwargs):
        message = get_object_or_404(Message, user=self.owner, message_id=message_id)
        form = MessageActionForm(request.POST)
        folder = message.folder
        if not form.is_valid():
            flash.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return self.back(folder)
        action = form.cleaned_data["action"]
        if action in ("heard", "unheard"):
            services.set_heard(message, action == "heard")
            if request.headers.get("X-Requested-With") == "fetch":
                # The page's player marks the row itself once this says the change is stored.
                return HttpResponse(status=204)
        elif action == "move":
            services.move(message, form.cleaned_data["folder"])
            names = {**message_names(message), "folder": message.get_folder_display()}
            flash.success(request, _("The message from %(sender)s of %(when)s moved to %(folder)s.") % names)
        else:
            purged = message.folder == Folder.DELETED
            services.delete(message)
            if purged:
                done = _("The message from %(sender)s of %(when)s deleted for good.")
            else:
                done = _("The message from %(sender)s of %(when)s moved to Deleted.")
            flash.success(request, done % message_names(message))
        return self.back(folder)


class ActiveGreetingView(MailboxOwnerMixin, View):
    http_method_names = ["post"]

    def post(self, request, **kwargs):
        form = ActiveGreetingForm(request.POST)
        if not form.is_valid():
            flash.error(request, _("Choose one of the greetings."))
            return self.back()
        value = form.cleaned_data["active_greeting"]
        try:
            services.set_active_greeting(self.owner, value)
        except ValidationError as exc:
            flash.error(request, " ".join(exc.messages))
        else:
            flash.success(request, _("Callers now hear: %(greeting)s.") % {"greeting": ActiveGreeting(value).label})
        return self.back()


class GreetingUploadView(MailboxOwnerMixin, View):
    http_method_names = ["post"]

    def post(self, request, **kwargs):
        form = GreetingUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            flash.error(request, form.problem())
            return self.back()
        try:
            greeting = services.save_greeting(self.owner, form.cleaned_data["kind"], form.cleaned_data["audio"])
        except ValidationError as exc:
            flash.error(request, " ".join(exc.messages))
        else:
            recorded = _("%(kind)s greeting recorded (%(seconds)s s).")
            flash.success(request, recorded % {"kind": greeting.get_kind_display(), "seconds": greeting.duration})
        return self.back()


class GreetingAudioView(MailboxOwnerMixin, View):
    def get(self, request, kind, **kwargs):
        greeting = get_object_or_404(Greeting, mailbox__user=self.owner, kind=kind)
        try:
            name = download_name("greeting", self.owner, kind, greeting.format)
            return file_response(request, greeting.audio, greeting.mime_type, name)
        except FileNotFoundError:
            raise Http404("The recording is missing.") from None


class GreetingDeleteView(MailboxOwnerMixin, View):
    http_method_names = ["post"]

    def post(self, request, kind, **kwargs):
        greeting = get_object_or_404(
            Greeting.objects.select_related("mailbox__user"), mailbox__user=self.owner, kind=kind
        )
        was_active = services.delete_greeting(greeting)
        removed = _("%(kind)s greeting removed.") % {"kind": greeting.get_kind_display()}
        if was_active:
            removed += " " + _("Callers hear the system greeting now.")
        flash.success(request, removed)
        return self.back()


class MailboxListView(AdminRequiredMixin, ListPage):
    """Admin: every user's mailbox with its message counts (one query for any number of rows)."""

    template_name = "voicemail/mailbox_list.html"
    filterset_class = MailboxFilterSet
    sort_columns = {
        "user": ("username",),
        "name": (Lower("last_name"), Lower("first_name")),
        "messages": ("message_count",),
        "unheard": ("unheard_count",),
    }

    def get_queryset(self):
        self.queryset = User.objects.annotate(
            message_count=Count("voicemail_messages"),
            unheard_count=Count(
                "voicemail_messages",
                filter=Q(voicemail_messages__heard=False, voicemail_messages__folder=Folder.INBOX),
            ),
        )
        return super().get_queryset()
