from django.urls import path

from notifications import invitation_views, views

app_name = "notifications"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("unread/", views.unread_count, name="unread"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("<int:notification_id>/", views.open_notification, name="open"),
    path("<int:notification_id>/read/", views.mark_read, name="mark_read"),
    path("settings/", views.preferences, name="settings"),
    path("unsubscribe/<str:kind>/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:kind>/<str:token>/undo/", views.resubscribe, name="resubscribe"),
    path(
        "programs/<int:program_id>/milestone-invitations/",
        invitation_views.milestone_invitations,
        name="milestone_invitations",
    ),
]
