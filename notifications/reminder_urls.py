from django.urls import path

from notifications import reminder_views

app_name = "reminders"

urlpatterns = [
    path(
        "reminders/unsubscribe/<str:kind>/<str:token>/",
        reminder_views.unsubscribe,
        name="unsubscribe",
    ),
    path(
        "reminders/partner-notes/unsubscribe/<str:token>/",
        reminder_views.partner_unsubscribe,
        name="partner_unsubscribe",
    ),
    path("reminders/settings/", reminder_views.notification_settings, name="settings"),
    path("programs/<int:program_id>/reminders/", reminder_views.log, name="log"),
]
