"""Who may open the managers' pages."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import Role, User


def manager_or_403(request: HttpRequest, refusal: str) -> User:
    """The signed-in store manager or administrator; anyone else gets a 403 saying ``refusal``."""
    user = request.user
    if not isinstance(user, User) or user.role not in (Role.MANAGER, Role.ADMIN):
        raise PermissionDenied(refusal)
    return user
