"""The app's own date and time formats by locale (``FORMAT_MODULE_PATH``), ahead of Django's.

Templates name a format (``|date:"DATE_FORMAT"``, ``"MONTH_DAY_FORMAT"``, ``"DATETIME_FORMAT"``,
``|time:"TIME_FORMAT"``) and the active locale (the store's, ``accounts.middleware``) says how it is
written: "4 Dec 2026" in Britain and Ireland, "Dec 4, 2026" in the United States, "4 déc. 2026" in
French. Generic English (a customer's phone asking for English) writes dates the British way, as
the demo's retailer does. Only the formats that differ from Django's are set here.
"""
