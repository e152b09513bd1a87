"""French: "4 déc. 2026", "4 déc.", "4 déc. 2026, 14:30" (Django's own are long: "4 décembre 2026")."""

DATE_FORMAT = "j N Y"
MONTH_DAY_FORMAT = "j N"
DATETIME_FORMAT = "j N Y, H:i"
TIME_FORMAT = "H:i"
