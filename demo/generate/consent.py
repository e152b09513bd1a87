"""Who opted in, to what, where and how; who later changed their mind. Written to the ledger."""

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from common import copy as cp
from consent.models import ConsentEvent, ConsentState, Method, PolicyVersion, PurposeCode, Verification
from consent.services import publish_policy_version, refresh_consent_states
from demo.generate.calendar import Calendar
from demo.generate.common import DAY, Bar, uuid_hex
from demo.generate.customers import FREQUENCY_MEDIAN, FREQUENCY_SIGMA, Population
from demo.generate.identifiers import Contacts
from demo.generate.staff import StaffSet

PURPOSES = (
    PurposeCode.PROFILE,
    PurposeCode.SUGGESTIONS,
    PurposeCode.CONTACT_EMAIL,
    PurposeCode.CONTACT_SMS,
    PurposeCode.CONTACT_WHATSAPP,
)
PROFILE, SUGGESTIONS, CONTACT_EMAIL, CONTACT_SMS, CONTACT_WHATSAPP = range(5)
POLICY_VERSION = "2026-01"
POLICY_TEXT = {
    "en": (
        "Halden & Rowe keeps a profile of what you buy from us, in store and online, so that our "
        "associates can serve you the way you like: your sizes, the brands you love, what you have "
        "already bought. You choose what we may do with it: show it to our associates, suggest "
        "products, contact you by e-mail or by text. We never use health, pregnancy, religious or "
        "other sensitive purchases for suggestions. You can see, download, correct or delete your "
        "data, or change your choices, at any time from the link in your receipt."
    ),
    "fr": (
        "Halden & Rowe conserve un profil de vos achats, en magasin et en ligne, pour que nos "
        "conseillers vous servent comme vous l'aimez : vos tailles, vos marques préférées, ce que "
        "vous avez déjà acheté. Vous choisissez ce que nous pouvons en faire : le montrer à nos "
        "conseillers, vous suggérer des produits, vous contacter par e-mail ou par SMS. Nous "
        "n'utilisons jamais vos achats de santé, de grossesse, religieux ou autrement sensibles pour "
        "des suggestions. Vous pouvez consulter, télécharger, corriger ou supprimer vos données, ou "
        "changer d'avis, à tout moment grâce au lien de votre reçu."
    ),
}


@dataclass(frozen=True)
class ConsentPlan:
    opted: np.ndarray
    at: np.ndarray
    purposes: np.ndarray  # [N, 5] granted at opt-in
    assisted: np.ndarray
    by_sms: np.ndarray
    point: np.ndarray  # collection point id
    recorded_by: np.ndarray  # staff user id, 0 for none
    withdrawn: np.ndarray
    withdrawn_at: np.ndarray
    withdrawn_purposes: np.ndarray  # [N, 5]
    withdrawn_assisted: np.ndarray
    withdrawn_by: np.ndarray

    def verified_email_at(self) -> np.ndarray:
        return np.where(self.opted & ~self.by_sms, self.at, 0)

    def verified_phone_at(self) -> np.ndarray:
        return np.where(self.opted & self.by_sms, self.at, 0)


def plan_consent(
    rng: np.random.Generator, people: Population, contacts: Contacts, calendar: Calendar, staff: StaffSet
) -> ConsentPlan:
    n = people.count
    stores = calendar.stores
    # Regulars opt in more readily: they see the value sooner.
    habit = (np.log(people.frequency) - np.log(FREQUENCY_MEDIAN)) / FREQUENCY_SIGMA
    reachable = contacts.has_email | contacts.has_phone
    opted = (rng.random(n) < np.clip(0.6 + 0.12 * habit, 0.1, 0.95)) & reachable
    day = calendar.sample_days(people.home, people.first_day, people.last_day, rng)
    opted &= day >= 0
    day = np.maximum(day, 0)
    at = np.where(opted, calendar.store_instants(people.home, day, rng), 0)

    purposes = np.zeros((n, len(PURPOSES)), dtype=bool)
    purposes[:, PROFILE] = True
    purposes[:, SUGGESTIONS] = rng.random(n) < 0.8
    purposes[:, CONTACT_EMAIL] = contacts.has_email & (rng.random(n) < 0.54)
    purposes[:, CONTACT_SMS] = contacts.has_phone & (rng.random(n) < 0.37)
    purposes &= opted[:, None]
    by_sms = contacts.has_phone & (~contacts.has_email | (rng.random(n) < 0.3))
    assisted = rng.random(n) < 0.2
    point = _points(rng, people.home, assisted, stores.point_ids)
    recorded_by = np.where(assisted, _associates(rng, people.home, staff), 0)

    room = at < calendar.window.end - 14 * DAY
    withdrawn = opted & room & (rng.random(n) < 0.06)
    withdrawn_at = at + (7 * DAY + rng.random(n) * np.maximum(calendar.window.end - at - 8 * DAY, 0)).astype(
        np.int64
    )
    everything = rng.random(n) < 0.55
    partial = np.zeros_like(purposes)
    partial[:, :CONTACT_WHATSAPP] = purposes[:, :CONTACT_WHATSAPP] & (rng.random((n, 4)) < 0.6)
    partial[:, PROFILE] = False
    withdrawn_assisted = rng.random(n) < 0.25
    withdrawn_by = np.where(withdrawn_assisted, _associates(rng, people.home, staff), 0)
    # WhatsApp came later (issue 25): drawn last, so every other draw is what it was.
    purposes[:, CONTACT_WHATSAPP] = contacts.has_phone & opted & (rng.random(n) < 0.15)
    partial[:, CONTACT_WHATSAPP] = purposes[:, CONTACT_WHATSAPP] & (rng.random(n) < 0.6)
    withdrawn_purposes = (
        np.where((everything | ~partial.any(axis=1))[:, None], purposes, partial) & withdrawn[:, None]
    )
    return ConsentPlan(
        opted=opted, at=at, purposes=purposes, assisted=assisted, by_sms=by_sms, point=point,
        recorded_by=recorded_by, withdrawn=withdrawn, withdrawn_at=withdrawn_at,
        withdrawn_purposes=withdrawn_purposes, withdrawn_assisted=withdrawn_assisted,
        withdrawn_by=withdrawn_by,
    )  # fmt: skip


def write_consent(
    writer: cp.CopyWriter,
    bar: Bar,
    plan: ConsentPlan,
    people: Population,
    calendar: Calendar,
    rng: np.random.Generator,
) -> None:
    policies = _policies(calendar.window.start)
    language = np.array([policies["fr" if country == "FR" else "en"] for country in people.name_country])
    stores = calendar.stores

    grants, grant_purpose = np.nonzero(plan.purposes)
    withdrawals, withdrawal_purpose = np.nonzero(plan.withdrawn_purposes)
    # One receipt per opt-in and per change, shared by that moment's events.
    receipt = np.array(uuid_hex(rng, 2 * people.count), dtype=object)
    customer = np.concatenate([grants, withdrawals])
    purpose = np.concatenate([grant_purpose, withdrawal_purpose])
    granted = np.concatenate([np.ones(len(grants), bool), np.zeros(len(withdrawals), bool)])
    at = np.concatenate([plan.at[grants], plan.withdrawn_at[withdrawals]])
    assisted = np.concatenate([plan.assisted[grants], plan.withdrawn_assisted[withdrawals]])
    in_store = granted | assisted
    tills = np.array([ids[0] for ids in stores.point_ids])
    point = np.where(granted, plan.point[customer], tills[people.home[customer]])
    by = np.concatenate([plan.recorded_by[grants], plan.withdrawn_by[withdrawals]])
    method = np.where(granted, np.where(assisted, 1, 0), np.where(assisted, 1, 2))
    verification = np.where(granted, np.where(plan.by_sms[customer], 1, 0), np.where(assisted, 3, 2))
    receipts = np.where(granted, receipt[customer], receipt[people.count + customer])

    order = np.lexsort((purpose, customer, at))
    customer, purpose, granted, at = customer[order], purpose[order], granted[order], at[order]
    in_store, point, by, method = in_store[order], point[order], by[order], method[order]
    verification, receipts = verification[order], receipts[order]
    n = len(order)
    occurred = cp.timestamps(at)
    writer.write(
        ConsentEvent,
        {
            "id": cp.id_range(cp.next_id(ConsentEvent), n),
            "customer_id": cp.ints(people.ids[customer]),
            "purpose_id": cp.pick([str(p) for p in PURPOSES], purpose),
            "granted": cp.bools(granted),
            "policy_version_id": cp.ints(language[customer]),
            "store_id": cp.optional_ints(stores.ids[people.home[customer]], in_store),
            "collection_point_id": cp.optional_ints(point, in_store),
            "method": cp.pick([Method.QR_IN_STORE, Method.ASSISTED, Method.PRIVACY_CENTRE], method),
            "verification": cp.pick(
                [
                    Verification.EMAIL_CODE,
                    Verification.SMS_CODE,
                    Verification.MAGIC_LINK,
                    Verification.STAFF_WITNESSED,
                ],
                verification,
            ),
            "occurred_at": occurred,
            "recorded_at": occurred,
            "recorded_by_id": cp.optional_ints(by, by > 0),
            "receipt_id": receipts.tolist(),
        },
        bar,
    )


def refresh_states() -> None:
    cp.sync_sequence(ConsentState)
    refresh_consent_states()


def _policies(published: int) -> dict[str, int]:
    """The demo's privacy text, published once per language (kept if a previous seed published it)."""
    cp.sync_sequence(PolicyVersion)
    ids: dict[str, int] = {}
    for language, text in POLICY_TEXT.items():
        existing = PolicyVersion.objects.filter(version=POLICY_VERSION, language=language).first()
        policy = existing or publish_policy_version(
            version=POLICY_VERSION,
            text=text,
            language=language,
            published_at=datetime.fromtimestamp(published, tz=UTC),
        )
        ids[language] = policy.pk
    return ids


def _points(
    rng: np.random.Generator, home: np.ndarray, assisted: np.ndarray, point_ids: list[list[int]]
) -> np.ndarray:
    """Tills for assisted opt-ins; otherwise whichever QR poster the customer happened to scan."""
    table = np.array([ids + [ids[0]] * (3 - len(ids)) for ids in point_ids])
    slot = rng.choice(3, size=len(home), p=[0.45, 0.35, 0.2])
    slot = np.where(assisted, 0, slot)
    return table[home, slot]


def _associates(rng: np.random.Generator, home: np.ndarray, staff: StaffSet) -> np.ndarray:
    out = np.zeros(len(home), dtype=np.int64)
    for store, ids in enumerate(staff.associates_by_store):
        rows = np.flatnonzero(home == store)
        if ids and len(rows):
            out[rows] = np.array(ids)[rng.integers(len(ids), size=len(rows))]
    return out
