import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every task retries a busy database (core.tasks.DatabaseTask).
app = Celery("actionlab", task_cls="core.tasks:DatabaseTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
