"""Messages Django and the packages we install show but leave untranslated in some of our languages: Burmese month
names and the auth app's name, django-celery-beat's names in the admin.

Marked here only so bin/make-messages extracts them into our catalogue, which Django reads before theirs
(LOCALE_PATHS wins), and the lead translates them there. Nothing reads these values at run time but the tests.
"""

from django.utils.translation import gettext_noop


def pgettext(context: str, message: str) -> tuple[str, str]:
    """Records a message with its context for xgettext (which finds `pgettext(` calls by name); translates nothing."""
    return context, message


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    """Records a plural message for xgettext (which finds `ngettext(` calls by name); translates nothing."""
    return singular, plural


# django/utils/dates.py, as the `date` filter uses them: F (MONTHS), M and b (MONTHS_3), N (MONTHS_AP), E (MONTHS_ALT).
MONTHS = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)
MONTHS_3 = (
    gettext_noop("jan"),
    gettext_noop("feb"),
    gettext_noop("mar"),
    gettext_noop("apr"),
    gettext_noop("may"),
    gettext_noop("jun"),
    gettext_noop("jul"),
    gettext_noop("aug"),
    gettext_noop("sep"),
    gettext_noop("oct"),
    gettext_noop("nov"),
    gettext_noop("dec"),
)
MONTHS_AP = (
    pgettext("abbrev. month", "Jan."),
    pgettext("abbrev. month", "Feb."),
    pgettext("abbrev. month", "March"),
    pgettext("abbrev. month", "April"),
    pgettext("abbrev. month", "May"),
    pgettext("abbrev. month", "June"),
    pgettext("abbrev. month", "July"),
    pgettext("abbrev. month", "Aug."),
    pgettext("abbrev. month", "Sept."),
    pgettext("abbrev. month", "Oct."),
    pgettext("abbrev. month", "Nov."),
    pgettext("abbrev. month", "Dec."),
)
MONTHS_ALT = (
    pgettext("alt. month", "January"),
    pgettext("alt. month", "February"),
    pgettext("alt. month", "March"),
    pgettext("alt. month", "April"),
    pgettext("alt. month", "May"),
    pgettext("alt. month", "June"),
    pgettext("alt. month", "July"),
    pgettext("alt. month", "August"),
    pgettext("alt. month", "September"),
    pgettext("alt. month", "October"),
    pgettext("alt. month", "November"),
    pgettext("alt. month", "December"),
)

# django.contrib.auth's name in the admin index (Django's Burmese catalogue lacks it).
AUTH = (gettext_noop("Authentication and Authorization"),)

# django_celery_beat (its app and the models its admin lists): it ships no Thai, Burmese, Vietnamese or Indonesian.
CELERY_BEAT = (
    gettext_noop("Periodic Tasks"),
    gettext_noop("periodic task"),
    gettext_noop("periodic tasks"),
    gettext_noop("interval"),
    gettext_noop("intervals"),
    gettext_noop("crontab"),
    gettext_noop("crontabs"),
    gettext_noop("solar event"),
    gettext_noop("solar events"),
    gettext_noop("clocked"),
)

# django/forms/forms.py: the form label suffix. Django's Chinese catalogue keeps the ASCII colon; Chinese writes "："
LABEL_SUFFIX = gettext_noop(":")

# django-otp's device models and admins write their field labels, help texts and section headings as plain English
# strings; accounts/vendor_apps.py and accounts/admin/devices.py wrap them in gettext, and these marks bring them into
# our catalogue. (Copied from django-otp 1.7; tests/web/test_admin_languages.py finds any that a new version changes.)
CELERY_BEAT_PLAIN = (gettext_noop("Task Name"),)  # PeriodicTask.task's label (wrapped in tracker/apps.py)
DJANGO_OTP = (
    gettext_noop("user"),
    gettext_noop("The user that this device belongs to."),
    gettext_noop("name"),
    gettext_noop("The human-readable name of this device."),
    gettext_noop("confirmed"),
    gettext_noop("Is this device ready for use?"),
    gettext_noop("throttling failure timestamp"),
    gettext_noop("A timestamp of the last failed verification attempt. Null if last attempt succeeded."),
    gettext_noop("throttling failure count"),
    gettext_noop("Number of successive failed attempts."),
    gettext_noop("created at"),
    gettext_noop("The date and time when this device was initially created in the system."),
    gettext_noop("last used at"),
    gettext_noop("The most recent date and time this device was used."),
    gettext_noop("key"),
    gettext_noop("A hex-encoded secret key of up to 40 bytes."),
    gettext_noop("step"),
    gettext_noop("The time step in seconds."),
    gettext_noop("t0"),
    gettext_noop("The Unix time at which to begin counting steps."),
    gettext_noop("digits"),
    gettext_noop("The number of digits to expect in a token."),
    gettext_noop("tolerance"),
    gettext_noop("The number of time steps in the past or future to allow."),
    gettext_noop("drift"),
    gettext_noop("The number of time steps the prover is known to deviate from our clock."),
    gettext_noop("last t"),
    gettext_noop("The t value of the latest verified token. The next token must be at a higher time step."),
    gettext_noop("device"),
    gettext_noop("token"),
    gettext_noop("Identity"),
    gettext_noop("Timestamps"),
    gettext_noop("Configuration"),
    gettext_noop("State"),
    gettext_noop("Throttling"),
)
