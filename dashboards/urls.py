from django.urls import path

from dashboards import analytics_views, coach_views, outcome_views, showcase_views, views

app_name = "dashboards"

urlpatterns = [
    path("programs/<int:program_id>/", views.program_detail, name="program"),
    path("cohorts/<int:cohort_id>/showcase/", showcase_views.gallery, name="showcase"),
    path(
        "projects/<int:project_id>/showcase/",
        showcase_views.publish,
        name="showcase_publish",
    ),
    # The program admins' and coaches' pages, under /coaching/.
    path(
        "coaching/programs/<int:program_id>/",
        coach_views.coach_dashboard,
        name="coach_dashboard",
    ),
    path(
        "coaching/programs/<int:program_id>/analytics/",
        analytics_views.analytics,
        name="analytics",
    ),
    path(
        "coaching/programs/<int:program_id>/analytics/<slug:table>.csv",
        analytics_views.analytics_csv,
        name="analytics_csv",
    ),
    path(
        "coaching/programs/<int:program_id>/report/",
        outcome_views.outcome_report,
        name="report",
    ),
    path(
        "coaching/programs/<int:program_id>/report.csv",
        outcome_views.outcome_report_csv,
        name="report_csv",
    ),
    path(
        "coaching/programs/<int:program_id>/report.pdf",
        outcome_views.outcome_report_pdf,
        name="report_pdf",
    ),
]
