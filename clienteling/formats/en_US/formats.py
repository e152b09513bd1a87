"""American English: "Dec 4, 2026", "Dec 4", "Dec 4, 2026, 2:30 PM"."""

DATE_FORMAT = "M j, Y"
MONTH_DAY_FORMAT = "M j"
DATETIME_FORMAT = "M j, Y, g:i A"
TIME_FORMAT = "g:i A"
SHORT_DATE_FORMAT = "m/d/Y"
SHORT_DATETIME_FORMAT = "m/d/Y g:i A"
