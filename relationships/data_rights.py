"""Notes, follow-ups and contacts under her data rights (see ``common.data_rights``). Her download
names no associate: each shows the store."""

from typing import Any

from common.data_rights import Delete, Follows, Move, NotExported, Section, Subject, iso, register
from relationships.models import FollowUp, Interaction, Note, NoteRevision


def register_data_rights() -> None:
    register(Note, export=Section("notes", _notes), erase=Delete(), merge=Move())
    register(
        NoteRevision,
        export=NotExported("the earlier texts of a note a manager redacted; she sees the note as it is now"),
        erase=Delete(of=("note__customer_id",)),
        merge=Follows(Note),
    )
    register(FollowUp, export=Section("follow_ups", _follow_ups), erase=Delete(), merge=Move())
    register(Interaction, export=Section("contacts", _contacts), erase=Delete(), merge=Move())


def _notes(subject: Subject) -> list[dict[str, Any]]:
    return [
        {"written_at": iso(n.created_at), "store": n.store.name if n.store else None, "text": n.body}
        for n in Note.objects.filter(customer_id__in=subject.ids)
        .select_related("store")
        .order_by("-created_at")
    ]


def _follow_ups(subject: Subject) -> list[dict[str, Any]]:
    return [
        {"title": f.title, "due_on": iso(f.due_on), "status": f.status, "store": f.store.name}
        for f in FollowUp.objects.filter(customer_id__in=subject.ids)
        .select_related("store")
        .order_by("-due_on")
    ]


def _contacts(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "kind": i.kind,
            "at": iso(i.occurred_at),
            "store": i.store.name if i.store else None,
            "summary": i.summary,
        }
        for i in Interaction.objects.filter(customer_id__in=subject.ids)
        .select_related("store")
        .order_by("-occurred_at")
    ]
