from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sipproxy", "0003_service_numbers")]

    # The views Kamailio reads carry the SIP domain as a constant now (apps/sipproxy/dbviews.py): joining this
    # one-row table was a fifth of the planning of each lookup on PostgreSQL. Every migrate rebuilds the views
    # before and after, so none of them reads the table when it goes.
    operations = [migrations.DeleteModel(name="SipDomain")]
