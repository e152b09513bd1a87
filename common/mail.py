"""E-mail in development: each message written to the terminal as a person reads it.

Django's console backend writes the message as it would go on the wire, where a text body is
quoted-printable: a long line (a sign-in link) is cut with ``=`` at 76 characters, and a link copied
from the terminal does not work. This one writes the headers a reader looks at and the text body
decoded, so every link is whole on one line; attachments are named, not dumped."""

from email.message import EmailMessage as MimeMessage

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend

HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date")
RULE = "-" * 79


class ReadableConsoleBackend(EmailBackend):
    """The console backend, writing decoded text instead of the encoded message."""

    def write_message(self, message: EmailMessage) -> None:
        self.stream.write(readable(message.message()))
        self.stream.write(f"\n{RULE}\n")


def readable(mime: MimeMessage) -> str:
    """The message's headers, what it carries besides its text, then the text, decoded."""
    lines = [f"{name}: {mime[name]}" for name in HEADERS if mime[name] is not None]
    text = mime.get_body(preferencelist=("plain",))
    html = mime.get_body(preferencelist=("html",))
    if html is not None and html is not text:
        lines.append("Also as HTML (not shown)")
    for part in mime.iter_attachments():
        size = len(part.get_payload(decode=True) or b"")
        lines.append(f"Attached: {part.get_filename()} ({part.get_content_type()}, {size} bytes)")
    body = text.get_content() if text is not None else "(no text part)"
    return "\n".join([*lines, "", str(body).rstrip("\n")])
