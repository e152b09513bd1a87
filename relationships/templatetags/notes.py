"""``{{ note.body|highlighted }}``: a note's text, escaped, with what the sensitive-content check
found marked and labelled, so the reviewer sees at a glance why a note was flagged."""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from relationships.sensitive import TOPIC_LABELS, find_sensitive_topics

register = template.Library()


@register.filter
def highlighted(text: str) -> SafeString:
    parts: list[str] = []
    end = 0
    for match in find_sensitive_topics(text).matches:
        if match.start < end:
            continue  # inside a match already marked
        parts.append(escape(text[end : match.start]))
        parts.append(
            format_html(
                '<mark class="flag" title="{label}">{words}'
                '<span class="visually-hidden"> ({label})</span></mark>',
                label=TOPIC_LABELS[match.topic],
                words=text[match.start : match.end],
            )
        )
        end = match.end
    parts.append(escape(text[end:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


@register.filter
def topic_label(topic: str) -> str:
    return str(TOPIC_LABELS.get(topic, topic))
