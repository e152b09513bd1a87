from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = "Outreach (messages, looks, wishlists, appointments)"

    def ready(self) -> None:
        from outreach import selectors
        from outreach.data_rights import register_data_rights
        from suggestions.sources import TasteSource, register_taste_source

        register_data_rights()
        register_taste_source(
            TasteSource("look likes", selectors.liked_look_brands, selectors.look_likes_since)
        )
        register_taste_source(
            TasteSource("wishlist", selectors.wishlist_brands, selectors.wishlist_added_since)
        )
