"""The browser's own date and time pickers. They read and write ISO values ("2026-11-07", "14:30")
whatever the page's locale, and show them as the device's language setting writes dates; Django's
``DateInput`` would fill them in the active locale's input format ("07/11/2026" in Britain and
France), which a date picker takes for no value at all."""

from typing import Any

from django import forms


class DatePicker(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimePicker(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")
