"""The browser's date and time pickers get ISO values whatever the page's locale."""

from datetime import date, time

import pytest
from django import forms
from django.utils import translation

from common.widgets import DatePicker, TimePicker


class When(forms.Form):
    day = forms.DateField(widget=DatePicker())
    at = forms.TimeField(widget=TimePicker(attrs={"step": 300}))


@pytest.mark.parametrize("locale", ["en-gb", "en-us", "fr-fr", "fr-ch"])
def test_a_date_picker_is_filled_with_an_iso_date_in_every_locale(locale):
    with translation.override(locale):
        html = str(When(initial={"day": date(2026, 11, 7), "at": time(14, 30)}))
        parsed = When(data={"day": "2026-11-07", "at": "14:30"})

        assert 'type="date"' in html
        assert 'value="2026-11-07"' in html
        assert 'value="14:30"' in html
        assert parsed.is_valid()
        assert parsed.cleaned_data == {"day": date(2026, 11, 7), "at": time(14, 30)}
