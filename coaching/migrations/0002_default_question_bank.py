from django.db import migrations

# The shared default bank: questions a learning coach asks during the question-first
# round, by purpose. Each program's coaches add their own.
DEFAULT_QUESTIONS = {
    "clarify": [
        "What exactly is the problem we are trying to solve?",
        "What would success look like, and how would we know?",
        "What do we mean when we use that word?",
    ],
    "challenge": [
        "What are we assuming that might not be true?",
        "What would someone who disagrees with us say?",
        "What if we did the opposite?",
    ],
    "process": [
        "How well are we listening to each other right now?",
        "Who has not spoken yet, and what do they think?",
        "Are we asking questions, or giving answers?",
    ],
    "learning": [
        "What have we learned in this session so far?",
        "What will each of us do differently as a result?",
        "What did we learn about ourselves as leaders today?",
    ],
}


def add_default_bank(apps, schema_editor):
    CoachQuestion = apps.get_model("coaching", "CoachQuestion")
    CoachQuestion.objects.bulk_create(
        CoachQuestion(purpose=purpose, text=text, program=None)
        for purpose, texts in DEFAULT_QUESTIONS.items()
        for text in texts
    )


def remove_default_bank(apps, schema_editor):
    apps.get_model("coaching", "CoachQuestion").objects.filter(program__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_team_sessions")]

    operations = [migrations.RunPython(add_default_bank, remove_default_bank)]
