"""Her consent under her data rights (see ``common.data_rights``). The ledger is append-only evidence
of what she agreed to: it holds ids only and outlives an erasure and a merge alike."""

from typing import Any

from common.data_rights import (
    Delete,
    Drop,
    Keep,
    NotExported,
    Section,
    Stay,
    Subject,
    iso,
    register,
    register_merge_hook,
)
from consent.models import ConsentEvent, ConsentState, DataExport, PrivacyLink
from consent.purposes import choice_text
from consent.services import refresh_consent_states


def register_data_rights() -> None:
    register(
        ConsentEvent,
        export=Section("consent_history", _consent_history),
        erase=Keep(
            "the append-only ledger (a database trigger refuses changes): its rows hold only ids, the "
            "minimal, pseudonymous proof of what she agreed to and when"
        ),
        merge=Stay("the append-only ledger; the survivor's state is derived from both ledgers"),
    )
    register(
        ConsentState,
        export=NotExported("her current answers, derived from consent_history (her page shows them)"),
        erase=Delete(),
        merge=Drop("derived from the ledger; rebuilt for the person from every ledger of hers"),
    )
    register(
        PrivacyLink,
        export=NotExported("a short-lived sign-in link she asked for"),
        erase=Delete(),
        merge=Stay("a short-lived sign-in link she asked for"),
    )
    register(
        DataExport,
        export=NotExported("the download itself"),
        erase=Delete(files=("file",)),
        merge=Stay("a download she asked for, as it was built"),
    )
    register_merge_hook(_rederive_states)


def _consent_history(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "purpose": e.purpose_id,
            "purpose_text": choice_text(e.purpose_id)[0],
            "granted": e.granted,
            "at": iso(e.occurred_at),
            "method": e.method,
            "verification": e.verification,
            "store": e.store.name if e.store else None,
            "policy_version": e.policy_version.version,
            "policy_language": e.policy_version.language,
            "policy_text_sha256": e.policy_version.text_hash,
            "receipt": str(e.receipt_id),
        }
        for e in ConsentEvent.objects.filter(customer_id__in=subject.ids)
        .select_related("store", "policy_version")
        .order_by("-occurred_at", "-pk")
    ]


def _rederive_states(customer_ids: list[int]) -> None:
    """Her current answers, from her ledger and the ledgers of the profiles merged into her."""
    refresh_consent_states(customer_ids=customer_ids)
