"""Bulk, idempotent upserts: a list of items in, one result per item out.

Every item is keyed by its external id, validated on its own and written in a savepoint of its own,
so a bad item gets its field messages and the good ones around it are kept. Writing an item that
is already as sent changes nothing and says ``unchanged``; sending the same payload twice is safe.

A token limited to some stores is never told anything about another store's customers: notes on
whose profile a record went to are for tokens of the whole chain, and where even an item's status
would tell (a customer record: new here, or known elsewhere?), it is told only ``accepted``.
"""

import io
from abc import ABCMeta, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.upsert import CREATED, UNCHANGED, UPDATED, Refused
from integrations.auth import HasResource, TokenAuthentication, TokenRateThrottle
from integrations.models import ApiToken
from integrations.services import store_ids_of

ERROR = "error"
ACCEPTED = "accepted"  # what a store-scoped token is told of a valid item whose outcome would disclose


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "payload_too_large"


class LimitedJSONParser(JSONParser):
    """JSON, refused with a 413 past ``API_MAX_BODY_BYTES`` (also for chunked bodies, which carry no
    length to check up front)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.API_MAX_BODY_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(f"The body is larger than {limit:,} bytes; send fewer items per request.")
        return super().parse(io.BytesIO(body), media_type, parser_context)


class ItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in the request (from 0).")
    key = serializers.CharField(allow_null=True, help_text="The item's external id, as sent.")
    status = serializers.ChoiceField(choices=[CREATED, UPDATED, UNCHANGED, ACCEPTED, ERROR])
    # Only describes the response (never validates), so shadowing Serializer.errors is harmless.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field → messages, when status is error (“non_field_errors” for the whole item).",
    )
    notes = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="What the server decided that you may want to know (tokens of every store only).",
    )


class BulkResponseSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    accepted = serializers.IntegerField(
        help_text="Valid items of a store-scoped token whose outcome it is not told (customers)."
    )
    errors = serializers.IntegerField(help_text="Items refused.")  # type: ignore[assignment]
    results = ItemResultSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def _flatten(errors: Any) -> dict[str, list[str]]:
    """DRF's nested error structure as field → messages (``variants.1.sku`` for nested fields)."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                whole = key == "non_field_errors" and prefix  # "lines": the list itself is wrong
                walk(prefix if whole else f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            flat.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
        elif isinstance(value, list):
            for n, inner in enumerate(value):
                if inner:
                    walk(f"{prefix}.{n}" if prefix else str(n), inner)
        else:
            flat.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", errors)
    return flat


def bulk_schema(item: type[serializers.Serializer], *, description: str) -> Any:
    """The OpenAPI description shared by every bulk endpoint."""
    return extend_schema(
        request=item(many=True),
        responses={
            200: BulkResponseSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Not JSON, not a list, or too many items."),
            401: OpenApiResponse(ErrorSerializer, description="No token, or an invalid or revoked one."),
            403: OpenApiResponse(ErrorSerializer, description="The token may not write this resource."),
            413: OpenApiResponse(ErrorSerializer, description="Body larger than the limit."),
            429: OpenApiResponse(ErrorSerializer, description="Too many requests for this token."),
        },
        description=description,
    )


class BulkView(APIView, metaclass=ABCMeta):
    """POST a JSON list of items; each is created, updated, left unchanged, or refused with reasons.

    A concrete endpoint names its ``resource``, ``item_serializer``, ``key_field`` and
    ``schema_description`` (its OpenAPI entry is made from them) and writes the request's items in
    ``process``: set-based, or item by item with ``BulkUpsertView``.
    """

    authentication_classes = [TokenAuthentication]
    permission_classes = [HasResource]
    throttle_classes = [TokenRateThrottle]
    parser_classes = [LimitedJSONParser]

    resource: ClassVar[str]
    item_serializer: ClassVar[type[serializers.Serializer]]
    key_field: ClassVar[str]
    schema_description: ClassVar[str]
    # Whether an item's status depends on customers the token may not see (then a store-scoped
    # token is told ``accepted``, whatever became of a valid item).
    status_discloses: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "item_serializer" in cls.__dict__:
            extend_schema_view(post=bulk_schema(cls.item_serializer, description=cls.schema_description))(cls)

    @abstractmethod
    def process(self, items: list[Any], token: ApiToken) -> list[dict[str, Any]]:
        """One result per item, in the items' order."""

    def key_of(self, raw: Any) -> str | None:
        if isinstance(raw, Mapping) and raw.get(self.key_field) is not None:
            return str(raw[self.key_field])[:200]
        return None

    def finished(self, results: list[dict[str, Any]]) -> None:
        """After every item (say, recompute what depends on the whole set)."""

    def post(self, request: Request) -> Response:
        items = request.data
        if not isinstance(items, list):
            return Response({"detail": "Send a JSON list of items."}, status=400)
        limit = settings.API_BULK_LIMIT
        if len(items) > limit:
            return Response(
                {"detail": f"At most {limit:,} items per request; this one has {len(items):,}. Split it."},
                status=400,
            )
        token = request.auth
        assert isinstance(token, ApiToken)  # HasResource lets only tokens through
        results = self.process(items, token)
        if any(r["status"] in (CREATED, UPDATED) for r in results):
            self.finished(results)
        if store_ids_of(token) is not None:
            results = [self.as_told_to_store(result) for result in results]
        counts = {
            status: sum(r["status"] == status for r in results)
            for status in (CREATED, UPDATED, UNCHANGED, ACCEPTED)
        }
        return Response({**counts, "errors": sum(r["status"] == ERROR for r in results), "results": results})

    def as_told_to_store(self, result: dict[str, Any]) -> dict[str, Any]:
        """An item's result as a store-scoped token is told it: without notes (they say whose profile
        a record went to), and ``accepted`` for a valid item when its status would disclose."""
        told = {key: value for key, value in result.items() if key != "notes"}
        if self.status_discloses and told["status"] != ERROR:
            told["status"] = ACCEPTED
        return told

    def validated(self, validator: serializers.Serializer, raw: Any) -> tuple[dict[str, Any] | None, Any]:
        """``raw`` validated by one serializer instance reused for every item (as a ListSerializer
        does: building a serializer's fields per item would cost more than validating it)."""
        try:
            return dict(validator.run_validation(raw)), None
        except serializers.ValidationError as error:
            return None, error.detail

    def error(self, index: int, key: str | None, errors: Any) -> dict[str, Any]:
        return {"index": index, "key": key, "status": ERROR, "errors": _flatten(errors)}


class BulkUpsertView(BulkView):
    """Items written one by one (``apply``), each in a savepoint of its own."""

    notes: list[str]
    """What ``apply`` decided about the item being written that the sender may want to know."""

    @abstractmethod
    def apply(self, item: dict[str, Any], token: ApiToken) -> tuple[str, Any]:
        """Write one validated item; return its status and row (``Refused`` refuses it)."""

    def process(self, items: list[Any], token: ApiToken) -> list[dict[str, Any]]:
        validator = self.item_serializer()
        return [self._one(index, raw, token, validator) for index, raw in enumerate(items)]

    def _one(
        self, index: int, raw: Any, token: ApiToken, validator: serializers.Serializer
    ) -> dict[str, Any]:
        result: dict[str, Any] = {"index": index, "key": self.key_of(raw)}
        item, errors = self.validated(validator, raw)
        if item is None:
            return self.error(index, result["key"], errors)
        self.notes = []
        try:
            with transaction.atomic():
                status, _ = self.apply(item, token)
        except Refused as rejected:
            return result | {"status": ERROR, "errors": rejected.errors}
        except IntegrityError:
            return result | {
                "status": ERROR,
                "errors": {"non_field_errors": ["It conflicts with data already here (a unique value)."]},
            }
        return result | {"status": status} | ({"notes": self.notes} if self.notes else {})
