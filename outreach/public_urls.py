from django.urls import path

from outreach.views import public

app_name = "outreach_public"

urlpatterns = [
    path("l/<str:token>/", public.look, name="look"),
    path("l/<str:token>/items/<int:item_id>/<str:action>/", public.look_item, name="look-item"),
    path("u/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("sms/replies/", public.sms_reply, name="sms-reply"),
]
