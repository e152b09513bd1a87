from typing import Any

from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = "Suggestions"

    def ready(self) -> None:
        from consent.signals import consent_recorded
        from suggestions.data_rights import register_data_rights

        consent_recorded.connect(_forget_on_withdrawal, dispatch_uid="suggestions.forget_on_withdrawal")
        register_data_rights()


def _forget_on_withdrawal(*, customer_id: int, purposes: list[str], granted: bool, **kwargs: Any) -> None:
    """Withdrawing the suggestions purpose deletes her suggestions in the same transaction."""
    from consent.models import ConsentState, PurposeCode
    from suggestions.models import Suggestion

    if granted or PurposeCode.SUGGESTIONS not in purposes:
        return
    if not ConsentState.objects.filter(
        customer_id=customer_id, purpose_id=PurposeCode.SUGGESTIONS, granted=True
    ).exists():
        Suggestion.objects.filter(customer_id=customer_id).delete()
