"""Burmese date formats (Django ships none): day, month name, year and a 24-hour clock, as in Homeward's English.

The month names come from our catalogue (core/vendor_messages.py marks Django's msgids), since Django's
Burmese catalogue has none. CLDR's short Burmese date is also day-first (d/M/yy).
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 0  # Sunday (CLDR, Myanmar)
