from django.urls import path

from reflections import checkin_views, feed_views, prompt_views, team_views, views

app_name = "reflections"

urlpatterns = [
    # My journal in a program.
    path("programs/<int:program_id>/journal/", views.journal, name="journal"),
    path("programs/<int:program_id>/journal/new/", views.write, name="write"),
    path("programs/<int:program_id>/journal/draft/", views.draft_save, name="draft_save"),
    path(
        "programs/<int:program_id>/journal/draft/discard/",
        views.draft_discard,
        name="draft_discard",
    ),
    path("programs/<int:program_id>/journal/deleted/", views.deleted, name="deleted"),
    path("programs/<int:program_id>/shared-with-me/", views.shared, name="shared"),
    path("reflections/<int:reflection_id>/", views.detail, name="detail"),
    path("reflections/<int:reflection_id>/edit/", views.edit, name="edit"),
    path("reflections/<int:reflection_id>/delete/", views.delete, name="delete"),
    path("reflections/<int:reflection_id>/share-again/", views.share_again, name="share_again"),
    path("reflections/<int:reflection_id>/restore/", views.restore, name="restore"),
    path("my-writing/export/", views.export, name="export"),
    # Team reflections.
    path("teams/<int:team_id>/reflections/", team_views.team_list, name="team_list"),
    path("teams/<int:team_id>/reflections/new/", team_views.team_write, name="team_write"),
    path(
        "team-reflections/<int:team_reflection_id>/",
        team_views.team_detail,
        name="team_detail",
    ),
    path(
        "team-reflections/<int:team_reflection_id>/edit/",
        team_views.team_edit,
        name="team_edit",
    ),
    # Be Better Now plan and the weekly check-in.
    path("programs/<int:program_id>/be-better-now/", checkin_views.plan, name="plan"),
    path(
        "programs/<int:program_id>/be-better-now/check-in.ics",
        checkin_views.plan_calendar,
        name="plan_calendar",
    ),
    path("programs/<int:program_id>/check-in/", checkin_views.checkin, name="checkin"),
    path(
        "programs/<int:program_id>/check-ins/",
        checkin_views.checkin_history,
        name="checkin_history",
    ),
    path("check-ins/<int:checkin_id>/", checkin_views.checkin_detail, name="checkin_detail"),
    path(
        "accountability-partners/<str:token>/",
        checkin_views.partner_confirm,
        name="partner_confirm",
    ),
    # My personal calendar feed.
    path(
        "programs/<int:program_id>/calendar-feed/",
        feed_views.calendar_feed_page,
        name="calendar_feed",
    ),
    path(
        "programs/<int:program_id>/calendar-feed/new/",
        feed_views.calendar_feed_create,
        name="calendar_feed_create",
    ),
    path(
        "programs/<int:program_id>/calendar-feed/stop/",
        feed_views.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
    path("calendar/<str:token>.ics", feed_views.calendar_feed_ics, name="calendar_feed_ics"),
    # The program's weekly prompts.
    path("programs/<int:program_id>/prompts/", prompt_views.prompts, name="prompts"),
    path(
        "programs/<int:program_id>/prompts/<int:prompt_id>/edit/",
        prompt_views.prompt_edit,
        name="prompt_edit",
    ),
    path(
        "programs/<int:program_id>/prompts/<int:prompt_id>/delete/",
        prompt_views.prompt_delete,
        name="prompt_delete",
    ),
]
