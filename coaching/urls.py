from django.urls import path

from coaching import views

app_name = "team_sessions"

urlpatterns = [
    path("teams/<int:team_id>/sessions/new/", views.schedule, name="schedule"),
    path("sessions/<int:session_id>/", views.detail, name="detail"),
    path("sessions/<int:session_id>/change/", views.change, name="change"),
    path("sessions/<int:session_id>/invite.ics", views.calendar_file, name="calendar"),
]
