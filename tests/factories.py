"""factory_boy factories: valid, minimal rows; tests state what they care about explicitly."""

from datetime import UTC, datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, StoreMembership, User
from catalog.models import Brand, Category, Product, ProductVariant
from consent.models import PolicyVersion
from consent.services import hash_policy_text
from customers.models import Customer, CustomerIdentifier, Source
from sales.models import Channel, Order, OrderLine, Return, ReturnLine, ServiceEpisode
from stores.models import CollectionPoint, Store


class StoreFactory(DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"store-{n}")
    name = factory.Sequence(lambda n: f"Store {n}")
    country = "GB"
    timezone = "Europe/London"
    currency = "GBP"
    city = "London"


class CollectionPointFactory(DjangoModelFactory):
    class Meta:
        model = CollectionPoint

    store = factory.SubFactory(StoreFactory)
    code = factory.Sequence(lambda n: f"till-{n}")
    name = "Till"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.ASSOCIATE
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def stores(self, create: bool, extracted: list[Store] | None, **kwargs: object) -> None:
        if create and extracted:
            for index, store in enumerate(extracted):
                StoreMembership.objects.create(user=self, store=store, is_primary=index == 0)


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    country = "GB"
    source = Source.STAFF


class IdentifierFactory(DjangoModelFactory):
    class Meta:
        model = CustomerIdentifier

    customer = factory.SubFactory(CustomerFactory)
    kind = CustomerIdentifier.Kind.EMAIL
    value = factory.Sequence(lambda n: f"person{n}@example.com")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")


class BrandFactory(DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU{n:06d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    price = Decimal("49.00")


class VariantFactory(DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"VAR{n:06d}")
    colour = "Navy"
    size = "M"


class OrderFactory(DjangoModelFactory):
    class Meta:
        model = Order

    channel = Channel.STORE
    external_id = factory.Sequence(lambda n: f"ORD-{n:07d}")
    customer = factory.SubFactory(CustomerFactory)
    store = factory.SubFactory(StoreFactory)
    placed_at = factory.LazyFunction(lambda: datetime(2026, 5, 2, 11, 30, tzinfo=UTC))
    currency = "GBP"
    total_amount = Decimal("49.00")


class OrderLineFactory(DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    line_number = factory.Sequence(lambda n: n % 30000 + 1)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    unit_price = Decimal("49.00")
    amount = Decimal("49.00")


class ReturnFactory(DjangoModelFactory):
    class Meta:
        model = Return

    channel = Channel.STORE
    external_id = factory.Sequence(lambda n: f"RET-{n:07d}")
    returned_at = factory.LazyFunction(lambda: datetime(2026, 5, 9, 15, 0, tzinfo=UTC))
    refund_amount = Decimal("49.00")


class ReturnLineFactory(DjangoModelFactory):
    class Meta:
        model = ReturnLine

    quantity = 1
    amount = Decimal("49.00")


class ServiceEpisodeFactory(DjangoModelFactory):
    class Meta:
        model = ServiceEpisode

    external_id = factory.Sequence(lambda n: f"SRV-{n:07d}")
    kind = ServiceEpisode.Kind.ALTERATION
    customer = factory.SubFactory(CustomerFactory)
    opened_at = factory.LazyFunction(lambda: datetime(2026, 5, 3, 10, 0, tzinfo=UTC))
    summary = "Shorten trouser hems by 2 cm"


class PolicyVersionFactory(DjangoModelFactory):
    class Meta:
        model = PolicyVersion
        django_get_or_create = ("version", "language")

    version = "2026-01"
    language = "en"
    text = "We keep your purchases and preferences so our associates can serve you better."
    text_hash = factory.LazyAttribute(lambda o: hash_policy_text(o.text))
    published_at = factory.LazyFunction(lambda: datetime(2026, 1, 1, tzinfo=UTC))
