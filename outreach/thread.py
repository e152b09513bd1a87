"""Her conversation with one store as the card shows it: our messages with their states and her
replies, newest ``THREAD_LENGTH`` of them, oldest first.

Read as one more column of the card's outreach statement (``outreach.card``), so the thread costs
the card no query of its own and is covered by the card's opening in the audit trail. The customer
is one a scoped selector already returned: the thread is gated by her consent as the card is.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.rows import staff_from
from outreach.models import Channel, Message

THREAD_LENGTH = 20

# Two columns of the card's statement: %(customer)s and %(thread_store)s (NULL: no store, no thread).
# The second is when she last wrote to the store on WhatsApp (``rules.last_whatsapp_from_her``),
# however far back in the thread: whether WhatsApp is offered to answer her.
SQL = """
  (SELECT jsonb_agg(t ORDER BY t.at_sort, t.direction, t.id) FROM (
     SELECT * FROM (
       SELECT 'out' AS direction, msg.id, msg.public_id, msg.channel, msg.subject, msg.body, msg.status,
              msg.created_at AS at_sort, msg.created_at::text AS at, msg.sent_at::text AS sent_at,
              msg.delivered_at::text AS delivered_at, msg.read_at::text AS read_at,
              msg.last_error AS error, false AS is_sensitive, false AS not_to_be_answered,
              false AS is_opt_out, u.id AS sent_by_id, u.username AS sent_by_username,
              u.first_name AS sent_by_first, u.last_name AS sent_by_last,
              lk.title AS look_title,
              (SELECT p.image_url FROM outreach_lookitem li
                 JOIN catalog_product p ON p.id = li.product_id
                 JOIN catalog_category c ON c.id = p.category_id
                WHERE li.look_id = lk.id AND NOT c.is_sensitive
                ORDER BY li.position LIMIT 1) AS look_image
         FROM outreach_message msg
         LEFT JOIN accounts_user u ON u.id = msg.sent_by_id
         LEFT JOIN outreach_look lk ON lk.id = msg.look_id
        WHERE msg.customer_id = %(customer)s AND msg.store_id = %(thread_store)s
       UNION ALL
       SELECT 'in', r.id, r.public_id, r.channel, r.subject, r.body, 'received',
              r.received_at, r.received_at::text, r.sent_at::text, NULL, NULL,
              '', r.is_sensitive, r.not_to_be_answered, r.is_opt_out, NULL, NULL, NULL, NULL, NULL, NULL
         FROM outreach_inboundmessage r
        WHERE r.customer_id = %(customer)s AND r.store_id = %(thread_store)s
     ) both_ways
     ORDER BY at_sort DESC, direction, id DESC
     LIMIT %(thread_length)s) t) AS thread,
  (SELECT max(LEAST(w.sent_at, w.received_at))::text FROM outreach_inboundmessage w
    WHERE w.customer_id = %(customer)s AND w.store_id = %(thread_store)s AND w.channel = 'whatsapp'
  ) AS last_whatsapp
"""

_STATES: dict[str, Promise] = {
    "received": _("received"),
    Message.Status.QUEUED: _("waiting to be sent"),
    Message.Status.RETRYING: _("trying again"),
    Message.Status.SENT: _("sent"),
    Message.Status.DELIVERED: _("delivered"),
    Message.Status.READ: _("read"),
    Message.Status.FAILED: _("not delivered"),
    Message.Status.CANCELLED: _("not sent"),
}


@dataclass(frozen=True)
class Entry:
    """One message of the thread, either way."""

    direction: str  # "in" (hers) or "out" (ours)
    public_id: UUID
    channel: str
    subject: str
    body: str
    at: datetime  # written (ours) or received (hers)
    status: str  # "received" for hers; a Message.Status for ours
    error: str = ""
    sent_by: User | None = None
    is_sensitive: bool = False
    not_to_be_answered: bool = False
    is_opt_out: bool = False
    # The look (or product) it carried: its title and first picture, as she sees them.
    look_title: str = ""
    look_image: str = ""

    @property
    def is_hers(self) -> bool:
        return self.direction == "in"

    @property
    def state_label(self) -> str:
        return str(_STATES.get(self.status, self.status))

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)


@dataclass(frozen=True)
class Thread:
    entries: list[Entry]
    last_whatsapp_at: datetime | None = None  # her last WhatsApp message to the store, however old

    @property
    def last_from_her(self) -> Entry | None:
        return next((e for e in reversed(self.entries) if e.is_hers), None)

    @property
    def answer_until(self) -> datetime | None:
        """Until when a message to her answers her (not capped): her last message plus the window."""
        last = self.last_from_her
        return last.at + timedelta(hours=settings.CONVERSATION_REPLY_WINDOW_HOURS) if last else None

    @property
    def answering_now(self) -> bool:
        """A message written now answers her (``outreach.rules.answers_her`` decides when it is sent)."""
        until = self.answer_until
        return until is not None and timezone.now() < until


def params(store_id: int | None) -> dict[str, Any]:
    return {"thread_store": store_id, "thread_length": THREAD_LENGTH}


def thread_from(rows: list[dict[str, Any]], last_whatsapp: str | None = None) -> Thread:
    return Thread(
        last_whatsapp_at=datetime.fromisoformat(last_whatsapp) if last_whatsapp else None,
        entries=[
            Entry(
                direction=row["direction"],
                public_id=UUID(row["public_id"]),
                channel=row["channel"],
                subject=row["subject"],
                body=row["body"],
                at=datetime.fromisoformat(row["at"]),
                status=row["status"],
                error=row["error"],
                sent_by=staff_from(row, "sent_by"),
                is_sensitive=row["is_sensitive"],
                not_to_be_answered=row["not_to_be_answered"],
                is_opt_out=row["is_opt_out"],
                look_title=row["look_title"] or "",
                look_image=row["look_image"] or "",
            )
            for row in rows
        ],
    )
