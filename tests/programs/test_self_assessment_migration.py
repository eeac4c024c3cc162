"""Self-assessment moved from teams and dashboards to programs: an existing database keeps
its ratings and closed stages (the tables are renamed, not copied), and their content
types follow them."""

from __future__ import annotations

import datetime

import pytest

from tests.migrating import migrate, migrate_to_latest

BEFORE = [
    ("programs", "0008_saml_assertion_uses"),
    ("teams", "0006_people_import_notices_sent"),
    ("dashboards", "0002_showcase_items"),
]
AFTER = [("programs", "0009_self_assessment")]


@pytest.mark.django_db(transaction=True)
def test_ratings_and_closed_stages_are_kept_with_their_content_types() -> None:
    apps = migrate(BEFORE).loader.project_state(BEFORE).apps
    ContentType = apps.get_model("contenttypes", "ContentType")
    User = apps.get_model("programs", "User")
    Organization = apps.get_model("programs", "Organization")
    Program = apps.get_model("programs", "Program")
    program = Program.objects.create(
        organization=Organization.objects.create(name="Lakeside"),
        name="P",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    priya = User.objects.create(email="priya@example.org")
    now = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    apps.get_model("teams", "SelfAssessment").objects.create(
        user=priya,
        program=program,
        stage="baseline",
        ratings={"Leading change": 4},
        created_at=now,
        updated_at=now,
    )
    apps.get_model("dashboards", "SelfAssessmentStage").objects.create(
        program=program,
        stage="baseline",
        closed_at=now,
        closed_by=priya,
        people=1,
        figures={"Leading change": None},
        counted_user_ids=[priya.pk],
    )
    ContentType.objects.filter(model__in=["selfassessment", "selfassessmentstage"]).delete()
    before = {
        "selfassessment": ContentType.objects.create(app_label="teams", model="selfassessment").pk,
        "selfassessmentstage": ContentType.objects.create(
            app_label="dashboards", model="selfassessmentstage"
        ).pk,
    }

    try:
        apps = migrate(AFTER).loader.project_state(AFTER).apps
        assessment = apps.get_model("programs", "SelfAssessment").objects.get()
        assert (assessment.user.email, assessment.stage, assessment.ratings) == (
            "priya@example.org",
            "baseline",
            {"Leading change": 4},
        )
        stage = apps.get_model("programs", "SelfAssessmentStage").objects.get()
        assert (stage.closed_by_id, stage.people, stage.counted_user_ids) == (
            priya.pk,
            1,
            [priya.pk],
        )
        moved = dict(
            apps.get_model("contenttypes", "ContentType")
            .objects.filter(app_label="programs", model__in=list(before))
            .values_list("model", "pk")
        )
        assert moved == before
    finally:
        migrate_to_latest()
