"""A request the API's throttle refuses is counted for Prometheus (common.metrics)."""

import pytest

from tests.metrics import counted

pytestmark = pytest.mark.django_db


def test_each_request_refused_over_the_rate_is_counted(store, post, token_for, settings):
    settings.API_THROTTLE_RATE = "2/minute"
    token = token_for(["stock"], stores=[store])
    before = counted("clienteling_api_throttled_total")

    codes = [post("stock", [], token=token).status_code for _ in range(4)]

    assert codes == [200, 200, 429, 429]
    assert counted("clienteling_api_throttled_total") == before + 2
