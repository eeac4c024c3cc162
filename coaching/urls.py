from django.urls import path

from coaching import run_views, views

app_name = "team_sessions"

urlpatterns = [
    path("teams/<int:team_id>/sessions/new/", views.schedule, name="schedule"),
    path("sessions/<int:session_id>/", views.detail, name="detail"),
    path("sessions/<int:session_id>/change/", views.change, name="change"),
    path("sessions/<int:session_id>/invite.ics", views.calendar_file, name="calendar"),
    path("sessions/<int:session_id>/run/", run_views.run, name="run"),
    path("sessions/<int:session_id>/run/start/", run_views.start, name="start"),
    path("sessions/<int:session_id>/run/attendance/", run_views.attendance, name="attendance"),
    path("sessions/<int:session_id>/run/notes/", run_views.notes, name="notes"),
    path("sessions/<int:session_id>/run/actions/", run_views.action_new, name="action_new"),
    path("sessions/<int:session_id>/run/learning/", run_views.learning, name="learning"),
    path("sessions/<int:session_id>/run/end/", run_views.end, name="end"),
    path("sessions/<int:session_id>/run/intervene/", run_views.intervene, name="intervene"),
    path("sessions/<int:session_id>/record/share/", views.share_record, name="share_record"),
    path("sessions/<int:session_id>/questions/", run_views.question_new, name="question_new"),
]
