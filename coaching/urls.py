from django.urls import path

from coaching import notes_views, pulse_views, run_views, views

app_name = "coaching"

urlpatterns = [
    path("teams/<int:team_id>/sessions/new/", views.schedule, name="schedule"),
    path("sessions/<int:session_id>/", views.detail, name="detail"),
    path("sessions/<int:session_id>/change/", views.change, name="change"),
    path("sessions/<int:session_id>/invite.ics", views.calendar_file, name="calendar"),
    path("sessions/<int:session_id>/run/", run_views.run, name="run"),
    path("sessions/<int:session_id>/run/start/", run_views.start, name="start"),
    path("sessions/<int:session_id>/run/attendance/", run_views.attendance, name="attendance"),
    path("sessions/<int:session_id>/run/notes/", run_views.notes, name="run_notes"),
    path("sessions/<int:session_id>/run/actions/", run_views.action_new, name="action_new"),
    path("sessions/<int:session_id>/run/learning/", run_views.learning, name="learning"),
    path("sessions/<int:session_id>/run/end/", run_views.end, name="end"),
    path("sessions/<int:session_id>/run/intervene/", run_views.intervene, name="intervene"),
    path("sessions/<int:session_id>/record/share/", views.share_record, name="share_record"),
    path("sessions/<int:session_id>/questions/", run_views.question_new, name="question_new"),
    path("coaching/teams/<int:team_id>/notes/", notes_views.team_notes, name="notes"),
    path("coaching/teams/<int:team_id>/notes/new/", notes_views.note_new, name="note_new"),
    path(
        "coaching/teams/<int:team_id>/notes/hand-over/",
        notes_views.note_handover,
        name="note_handover",
    ),
    path("coaching/notes/<int:note_id>/", notes_views.note_detail, name="note"),
    path("coaching/teams/<int:team_id>/pulse/", pulse_views.team_pulse, name="pulse"),
    path("coaching/teams/<int:team_id>/pulse/open/", pulse_views.pulse_open, name="pulse_open"),
    path("coaching/pulse/<int:survey_id>/answer/", pulse_views.pulse_answer, name="pulse_answer"),
]
