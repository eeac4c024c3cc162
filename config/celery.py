import os
from typing import Any

from celery import Celery, Task
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every task retries a busy database (core.tasks.DatabaseTask).
app = Celery("actionlab", task_cls="core.tasks:DatabaseTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def check_database_connections(sender: Task | None = None, **kwargs: Any) -> None:
    """Before each task, what Django does before each request: close a connection that is
    broken or older than CONN_MAX_AGE, so the task opens a fresh one. Celery keeps the
    connection between tasks (CELERY_DB_REUSE_MAX) instead of opening one per task. Not
    for a task run eagerly inside the caller's transaction."""
    if sender is not None and getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
