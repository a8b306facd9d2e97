"""The landing pages' summaries: the PBX at a glance for an administrator's overview (counts, active calls, recent
failures) and what matters now on a user's home page (new voicemail, missed calls, forwarding). An aggregator over
the other apps, like the admin JSON API: it reads their models, they import nothing of it. The pages show them
through template tags (templatetags/dashboard.py), so no app's view has to know about them."""
