"""The cohort showcase: its gallery, and a team publishing or withdrawing its project."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dashboards.forms import ShowcaseForm
from dashboards.models import ShowcaseItem
from dashboards.showcase import (
    do_publish_showcase,
    do_withdraw_showcase,
    get_project_to_publish,
    get_showcase_for_user,
    showcase_copy,
)
from programs.http import AuthenticatedHttpRequest
from projects.models import Project


@require_GET
def gallery(request: AuthenticatedHttpRequest, cohort_id: int) -> HttpResponse:
    """What the cohort's teams published: title, team, problem, intended outcomes and
    results. The reader's own team sees what it would publish, and publishes or withdraws
    it here."""
    showcase = get_showcase_for_user(request.user, cohort_id)
    items = list(ShowcaseItem.objects.filter(project__team__cohort=showcase.cohort))
    published = {item.project_id for item in items}
    own = [
        (project, showcase_copy(project), project.pk in published)
        for project in Project.objects.filter(team_id__in=showcase.own_team_ids)
        .select_related("team")
        .prefetch_related("measures")
    ]
    return render(
        request,
        "dashboards/showcase/gallery.html",
        {
            "cohort": showcase.cohort,
            "program": showcase.cohort.program,
            "items": items,
            "own": own,
        },
    )


@require_POST
def publish(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    """A team member publishes the project to the cohort's showcase, or takes it off."""
    project = get_project_to_publish(request.user, project_id).project
    form = ShowcaseForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose to publish or to withdraw.")
    if form.cleaned_data["action"] == "publish":
        do_publish_showcase(project=project, by=request.user, now=timezone.now())
        messages.success(
            request,
            f"“{project.title}” is published to {project.team.cohort.name}'s showcase, as "
            "it stands now. Publish again after changing the charter or results.",
        )
    elif do_withdraw_showcase(project=project):
        messages.success(request, f"“{project.title}” is no longer in the showcase.")
    else:
        messages.info(request, f"“{project.title}” was not in the showcase.")
    return redirect("dashboards:showcase", project.team.cohort_id)
