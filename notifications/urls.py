from django.urls import path

from notifications import invitation_views, reminder_views, views

app_name = "notifications"

urlpatterns = [
    # The in-app centre, preferences and unsubscribing.
    path("notifications/", views.centre, name="centre"),
    path("notifications/unread/", views.unread_count, name="unread"),
    path("notifications/read-all/", views.mark_all_read, name="mark_all_read"),
    path("notifications/<int:notification_id>/", views.open_notification, name="open"),
    path("notifications/<int:notification_id>/read/", views.mark_read, name="mark_read"),
    path("notifications/settings/", views.preferences, name="settings"),
    path(
        "notifications/unsubscribe/<str:kind>/<str:token>/",
        views.unsubscribe,
        name="unsubscribe",
    ),
    path(
        "notifications/unsubscribe/<str:kind>/<str:token>/undo/",
        views.resubscribe,
        name="resubscribe",
    ),
    path(
        "notifications/programs/<int:program_id>/milestone-invitations/",
        invitation_views.milestone_invitations,
        name="milestone_invitations",
    ),
    # Weekly reminders and accountability partners' notes.
    path(
        "reminders/unsubscribe/<str:kind>/<str:token>/",
        reminder_views.unsubscribe,
        name="reminder_unsubscribe",
    ),
    path(
        "reminders/partner-notes/unsubscribe/<str:token>/",
        reminder_views.partner_unsubscribe,
        name="partner_unsubscribe",
    ),
    path("reminders/settings/", reminder_views.notification_settings, name="reminder_settings"),
    path("programs/<int:program_id>/reminders/", reminder_views.log, name="reminder_log"),
]
