"""English date formats as Homeward shows them (day month year, 24-hour); other languages use Django's own."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y H:i"
