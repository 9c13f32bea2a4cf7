"""The English labels of the HTCDS code lists that pages show, written out so that makemessages extracts them.

places/codes.py reads the labels from the standard's CSV and translates each when shown; this file only holds the
literals for the catalogues. tests/places/test_codes.py checks that it lists every label of those lists. Countries
are not here: their names come from CLDR (Babel) in each language.
"""

from django.utils.translation import gettext_noop as _

HTCDS_LABELS = (
    # methodofrecruitment
    _("At a place of business"),
    _("At an educational institution"),
    _("At work"),
    _("Through online social networks"),
    _("Through an online advertisement"),
    _("Through a television advert"),
    _("Through a newspaper advert"),
    _("Through family or family events"),
    _("Through friends or social events"),
    _("Other"),
    # methodsofcontrol
    _("Physical threats"),
    _("Threats of law enforcement"),
    _("Threatens children/family"),
    _("Debt bondage"),
    _("False promises"),
    _("Physical abuse"),
    _("Sexual abuse"),
    _("Takes earnings"),
    _("Restricts financial access"),
    _("Restricts medical care"),
    _("Withholds necessities"),
    _("Psychological abuse"),
    _("Psychoactive substance"),
    _("Excessive working hours"),
    _("Withholds documents"),
    # typeofexploitation
    _("Forced labour"),
    _("Sexual exploitation"),
    _("Child labour"),
    _("Forced marriage"),
    _("Servitude"),
    _("Forced military (by non-state actors)"),
    _("Organ removal"),
    _("Forced begging"),
    _("Forced adoption"),
    _("Surrogacy"),
)
