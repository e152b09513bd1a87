"""The message templates every chain starts with, in each language the site speaks.

Migration 0002 installs them; managers change or add to them on the Messages page afterwards.
"""

from typing import Any

DEFAULT_TEMPLATES = {
    "en": [
        (
            "outreach",
            "Back in stock",
            "Good news from {store}",
            "Hello {first_name}, good news: the piece you asked about is back in your size. "
            "Shall I put it aside for you? {associate}, {store}",
        ),
        (
            "outreach",
            "New arrivals",
            "New at {store}",
            "Hello {first_name}, new pieces have just arrived that made me think of you. "
            "Come and see them when you are next passing. {associate}, {store}",
        ),
        (
            "outreach",
            "Thank you",
            "Thank you from {store}",
            "Hello {first_name}, thank you for your visit. It was a pleasure; do not hesitate if you need "
            "anything. {associate}, {store}",
        ),
        (
            "look",
            "A look for you",
            "{associate} has put a look together for you",
            "Hello {first_name}, I have put together a few pieces I think you will like: {look_link} "
            "Tell me which ones you like. {associate}, {store}",
        ),
        (
            "appt_booked",
            "Appointment confirmed",
            "Your appointment at {store}",
            "Hello {first_name}, your appointment ({appointment_purpose}) at {store} is confirmed for "
            "{appointment_date} at {appointment_time}. See you then! {associate}",
        ),
        (
            "appt_moved",
            "Appointment moved",
            "Your appointment at {store} has moved",
            "Hello {first_name}, your appointment at {store} is now on {appointment_date} at "
            "{appointment_time}. {associate}",
        ),
        (
            "appt_cancelled",
            "Appointment cancelled",
            "Your appointment at {store} is cancelled",
            "Hello {first_name}, your appointment at {store} on {appointment_date} at {appointment_time} "
            "is cancelled. Tell us when suits you and we will find another time. {store}",
        ),
        (
            "appt_reminder",
            "Appointment reminder",
            "See you soon at {store}",
            "Hello {first_name}, a reminder of your appointment at {store} on {appointment_date} at "
            "{appointment_time}. {associate}",
        ),
        # Quick answers to her message (the thread on her card offers them first).
        (
            "reply",
            "I'll keep it for you",
            "",
            "Of course, {first_name}: I have put it aside for you. See you soon! {associate}, {store}",
        ),
        ("reply", "See you then", "", "Perfect, {first_name}, see you then. {associate}, {store}"),
        (
            "reply",
            "Let me check",
            "",
            "Thank you, {first_name}. Let me check and I will come back to you today. {associate}",
        ),
        (
            "reply",
            "Thanks for your message",
            "",
            "Thank you for your message, {first_name}! {associate}, {store}",
        ),
    ],
    "fr": [
        (
            "outreach",
            "De retour en stock",
            "Bonne nouvelle de {store}",
            "Bonjour {first_name}, bonne nouvelle : la pièce que vous cherchiez est de retour dans votre "
            "taille. Voulez-vous que je vous la mette de côté ? {associate}, {store}",
        ),
        (
            "outreach",
            "Nouveautés",
            "Du nouveau chez {store}",
            "Bonjour {first_name}, de nouvelles pièces viennent d'arriver et j'ai pensé à vous. "
            "Passez les voir quand vous le souhaitez. {associate}, {store}",
        ),
        (
            "outreach",
            "Merci",
            "Merci de la part de {store}",
            "Bonjour {first_name}, merci pour votre visite, ce fut un plaisir. N'hésitez pas si vous avez "
            "besoin de quoi que ce soit. {associate}, {store}",
        ),
        (
            "look",
            "Une sélection pour vous",
            "{associate} a préparé une sélection pour vous",
            "Bonjour {first_name}, j'ai réuni quelques pièces qui devraient vous plaire : {look_link} "
            "Dites-moi celles que vous aimez. {associate}, {store}",
        ),
        (
            "appt_booked",
            "Rendez-vous confirmé",
            "Votre rendez-vous chez {store}",
            "Bonjour {first_name}, votre rendez-vous ({appointment_purpose}) chez {store} est confirmé le "
            "{appointment_date} à {appointment_time}. À bientôt ! {associate}",
        ),
        (
            "appt_moved",
            "Rendez-vous déplacé",
            "Votre rendez-vous chez {store} a changé",
            "Bonjour {first_name}, votre rendez-vous chez {store} est désormais le {appointment_date} à "
            "{appointment_time}. {associate}",
        ),
        (
            "appt_cancelled",
            "Rendez-vous annulé",
            "Votre rendez-vous chez {store} est annulé",
            "Bonjour {first_name}, votre rendez-vous chez {store} le {appointment_date} à "
            "{appointment_time} est annulé. Dites-nous ce qui vous convient et nous trouverons un autre "
            "moment. {store}",
        ),
        (
            "appt_reminder",
            "Rappel de rendez-vous",
            "À bientôt chez {store}",
            "Bonjour {first_name}, petit rappel : votre rendez-vous chez {store} est le "
            "{appointment_date} à {appointment_time}. {associate}",
        ),
        (
            "reply",
            "Je vous le garde",
            "",
            "Bien sûr, {first_name} : je vous l'ai mis de côté. À bientôt ! {associate}, {store}",
        ),
        ("reply", "À bientôt", "", "Parfait, {first_name}, à bientôt. {associate}, {store}"),
        (
            "reply",
            "Je vérifie",
            "",
            "Merci, {first_name}. Je vérifie et je reviens vers vous aujourd'hui. {associate}",
        ),
        (
            "reply",
            "Merci pour votre message",
            "",
            "Merci pour votre message, {first_name} ! {associate}, {store}",
        ),
    ],
}


def install_default_templates(model: Any, *, uses: tuple[str, ...] | None = None) -> None:
    """Create any default template that is missing (idempotent); ``model`` may be a migration's;
    ``uses``: only the templates of these uses (a later migration's new ones)."""
    for language, templates in DEFAULT_TEMPLATES.items():
        for use, name, subject, body in templates:
            if uses is not None and use not in uses:
                continue
            model.objects.get_or_create(
                store=None, use=use, language=language, name=name, defaults={"subject": subject, "body": body}
            )
