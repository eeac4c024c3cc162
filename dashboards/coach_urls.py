from django.urls import path

from dashboards import analytics_views, coach_views, outcome_views

app_name = "coaching"

urlpatterns = [
    path("programs/<int:program_id>/", coach_views.coach_dashboard, name="dashboard"),
    path("programs/<int:program_id>/analytics/", analytics_views.analytics, name="analytics"),
    path(
        "programs/<int:program_id>/analytics/<slug:table>.csv",
        analytics_views.analytics_csv,
        name="analytics_csv",
    ),
    path("programs/<int:program_id>/report/", outcome_views.outcome_report, name="report"),
    path(
        "programs/<int:program_id>/report.csv",
        outcome_views.outcome_report_csv,
        name="report_csv",
    ),
    path(
        "programs/<int:program_id>/report.pdf",
        outcome_views.outcome_report_pdf,
        name="report_pdf",
    ),
    path("teams/<int:team_id>/notes/", coach_views.team_notes, name="notes"),
    path("teams/<int:team_id>/notes/new/", coach_views.note_new, name="note_new"),
    path("teams/<int:team_id>/notes/hand-over/", coach_views.note_handover, name="note_handover"),
    path("notes/<int:note_id>/", coach_views.note_detail, name="note"),
    path("teams/<int:team_id>/pulse/", coach_views.team_pulse, name="pulse"),
    path("teams/<int:team_id>/pulse/open/", coach_views.pulse_open, name="pulse_open"),
    path("pulse/<int:survey_id>/answer/", coach_views.pulse_answer, name="pulse_answer"),
]
