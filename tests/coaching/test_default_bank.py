"""The shared default question bank comes back whole however it was emptied (a database
flushed between tests, a copy restored without it): the demo does not depend on the
migration's rows."""

from __future__ import annotations

import pytest

from coaching.models import CoachQuestion
from coaching.services import DEFAULT_QUESTIONS, do_ensure_default_question_bank

pytestmark = pytest.mark.django_db


def test_the_default_bank_is_restored_once_and_only_what_is_missing() -> None:
    CoachQuestion.objects.filter(program__isnull=True).delete()
    total = sum(len(texts) for texts in DEFAULT_QUESTIONS.values())
    assert do_ensure_default_question_bank() == total
    assert do_ensure_default_question_bank() == 0
    assert CoachQuestion.objects.filter(
        program__isnull=True, text="What are we assuming that might not be true?"
    ).exists()
