from django.urls import path

from reflections import reminder_views

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
    path(
        "programs/<int:program_id>/calendar-feed/",
        reminder_views.calendar_feed_page,
        name="calendar_feed",
    ),
    path(
        "programs/<int:program_id>/calendar-feed/new/",
        reminder_views.calendar_feed_create,
        name="calendar_feed_create",
    ),
    path(
        "programs/<int:program_id>/calendar-feed/stop/",
        reminder_views.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
    path("calendar/<str:token>.ics", reminder_views.calendar_feed_ics, name="calendar_feed_ics"),
]
