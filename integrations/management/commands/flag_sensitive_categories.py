from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.sensitivity import mark_categories


class Command(BaseCommand):
    help = (
        "Mark categories sensitive (health, pregnancy, religion, adult…), by code: their products and "
        'those of their subcategories are masked for staff (as --label, e.g. "health item") and never '
        "suggested; their stored suggestions are deleted at once. --unflag unmarks them (a subcategory "
        "stays sensitive under a sensitive parent). Unknown codes are reported; the others are done."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="+", metavar="CODE", help="Category codes.")
        parser.add_argument(
            "--label",
            help="What associates see instead of their products (default: as it is; else the nearest "
            'sensitive parent\'s, else "personal item").',
        )
        parser.add_argument("--unflag", action="store_true", help="Unmark them instead.")

    def handle(self, *args: Any, codes: list[str], label: str | None, unflag: bool, **options: Any) -> None:
        if unflag and label is not None:
            raise CommandError("--label is for marking categories sensitive, not for --unflag.")
        try:
            done = mark_categories(
                codes=codes,
                sensitive=not unflag,
                label=label,
                actor_kind="command:flag_sensitive_categories",
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        flagged = done.categories
        verb = "unflagged" if unflag else "flagged sensitive"
        self.stdout.write(f"{len(flagged.changed)} categories {verb}: {', '.join(flagged.changed) or '-'}.")
        if flagged.unchanged:
            self.stdout.write(f"Already so: {', '.join(flagged.unchanged)}.")
        if flagged.still_sensitive:
            self.stdout.write(
                f"Still sensitive under a sensitive parent category: {', '.join(flagged.still_sensitive)}."
            )
        if done.suggestions_deleted:
            self.stdout.write(f"{done.suggestions_deleted} stored suggestions of their products deleted.")
        if flagged.unknown:
            self.stderr.write(f"No such category: {', '.join(flagged.unknown)}.")
