"""Forms for journal entries, drafts, team reflections, the plan and the check-in."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet

from core.forms import QueryForm, SearchForm
from programs.models import Program, User
from reflections.models import (
    CheckIn,
    CheckInVisibility,
    Draft,
    Prompt,
    Reflection,
    ReminderKind,
    TeamReflection,
    Visibility,
)
from reflections.services import MAX_TAGS, normalize_tags

BODY_LENGTH = 20000
# Said when a reflection is too long; the form shows the text again with it.
BODY_TOO_LONG = (
    "The reflection is %(show_value)d characters long; the limit is %(limit_value)d. "
    "Shorten it, or split it into two entries."
)


class Form(forms.Form):
    """Labels without a trailing colon: several of ours end in a question mark or "…"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


REFLECTION_AUDIENCES = [
    (Visibility.PRIVATE, "Private — only you can read it"),
    (Visibility.COACH, "My coach — you and your learning coach"),
    (Visibility.TEAM, "My team and coach — you, your teammates and your learning coach"),
]
CHECKIN_AUDIENCES = [
    (CheckInVisibility.PRIVATE, "Private — only you can read it"),
    (CheckInVisibility.COACH, "My coach — you and your learning coach"),
    (
        CheckInVisibility.PARTNER,
        "My accountability partner — the program member named in your plan",
    ),
]


class ReflectionForm(Form):
    title = forms.CharField(
        max_length=200,
        help_text="A few words to find the entry again, e.g. “First huddle”.",
        error_messages={"required": "Give the entry a title: a few words to find it again."},
    )
    body = forms.CharField(
        label="Reflection",
        max_length=BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Markdown works: **bold**, *italic*, lists, links. HTML is removed.",
        error_messages={
            "required": "Write the reflection itself; it is empty.",
            "max_length": BODY_TOO_LONG,
        },
    )
    prompt = forms.ModelChoiceField(
        queryset=Prompt.objects.none(), required=False, empty_label="No prompt"
    )
    tags = forms.CharField(
        label="Learning themes",
        max_length=500,
        required=False,
        help_text="Separated by commas, e.g. listening, stakeholders, feedback.",
    )
    visibility = forms.ChoiceField(
        label="Who can read it",
        choices=REFLECTION_AUDIENCES,
        initial=Visibility.PRIVATE,
        widget=forms.RadioSelect,
        help_text="Sponsors and program admins never read journal entries.",
    )
    draft_token = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prompt"].queryset = program.prompts.all()  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, reflection: Reflection) -> dict[str, object]:
        """An entry's fields, to edit it."""
        return {
            "title": reflection.title,
            "body": reflection.body,
            "prompt": reflection.prompt_id,
            "tags": ", ".join(tag.name for tag in reflection.tags.all()),
            "visibility": reflection.visibility,
        }

    @classmethod
    def initial_for_new(
        cls, *, draft_token: str, draft: Draft | None, prompt: Prompt | None
    ) -> dict[str, object]:
        """A new entry: the unsaved draft's fields when continuing it, otherwise the
        week's prompt."""
        initial: dict[str, object] = {"draft_token": draft_token}
        if draft is not None:
            initial |= {
                "title": draft.title,
                "body": draft.body,
                "tags": draft.tags,
                "visibility": draft.visibility,
                "prompt": draft.prompt_id,
            }
        elif prompt is not None:
            initial["prompt"] = prompt.pk
        return initial

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_tags(self) -> list[str]:
        names = normalize_tags(self.cleaned_data["tags"])
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(
                f"Use at most {MAX_TAGS} learning themes; this entry has {len(names)}."
            )
        return names


class JournalSearchForm(SearchForm):
    """The journal's search: words in the title or text, and one learning theme."""

    tag = forms.CharField(required=False)

    def clean_tag(self) -> str:
        return next(iter(normalize_tags(self.cleaned_data["tag"])), "")


class WriteQueryForm(QueryForm):
    """`?draft=continue` takes up the unsaved draft."""

    draft = forms.CharField(required=False)

    def continues_draft(self) -> bool:
        return self.given().get("draft") == "continue"


class NextPageForm(forms.Form):
    """Where to go back to after an action (checked against the host by the view)."""

    next = forms.CharField(required=False)


class DraftForm(Form):
    """What an autosave sends: everything optional, only lengths are checked."""

    draft_token = forms.CharField(max_length=64)
    title = forms.CharField(max_length=200, required=False, strip=False)
    body = forms.CharField(
        max_length=BODY_LENGTH,
        required=False,
        strip=False,
        error_messages={"max_length": BODY_TOO_LONG},
    )
    tags = forms.CharField(max_length=500, required=False)
    visibility = forms.ChoiceField(choices=Visibility.choices, required=False)
    prompt = forms.ModelChoiceField(queryset=Prompt.objects.none(), required=False)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prompt"].queryset = program.prompts.all()  # type: ignore[attr-defined]


class TeamReflectionForm(Form):
    title = forms.CharField(
        max_length=200, error_messages={"required": "Give the team reflection a title."}
    )
    body = forms.CharField(
        label="Reflection",
        max_length=BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Markdown works: **bold**, *italic*, lists, links. HTML is removed.",
        error_messages={
            "required": "Write the reflection itself; it is empty.",
            "max_length": BODY_TOO_LONG,
        },
    )
    share_with_sponsor = forms.BooleanField(
        label="Share with our executive sponsor",
        required=False,
        help_text="The team and its learning coach always read team reflections; the "
        "sponsor only those you share.",
    )
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, entry: TeamReflection) -> dict[str, object]:
        """The team reflection as saved, to edit it from its current version."""
        return {
            "title": entry.title,
            "body": entry.body,
            "share_with_sponsor": entry.share_with_sponsor,
            "version": entry.version,
        }

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())


# Words that cannot open an "I will …" action: pronouns, articles, and hedges.
NOT_VERBS = frozenset(
    {
        "i",
        "i'm",
        "me",
        "my",
        "mine",
        "myself",
        "we",
        "our",
        "us",
        "you",
        "your",
        "he",
        "she",
        "they",
        "their",
        "it",
        "its",
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "some",
        "more",
        "less",
        "very",
        "really",
        "not",
        "no",
        "maybe",
        "perhaps",
        "hopefully",
        "probably",
        "to",
        "will",
        "would",
        "should",
        "could",
    }
)
ACTION_RULE = (
    "Start with a verb that says what you will do — the sentence already begins with "
    "“I will”. For example: “ask one open question before I give advice in each huddle”."
)


def clean_action(value: str) -> str:
    """The rest of "I will …": a sentence that starts with a verb. Obvious non-verbs
    (pronouns, articles, hedges) are refused; a leading "I will" is dropped, since the
    form already says it."""
    text = " ".join(value.split())
    text = re.sub(r"^i\s+will\b[\s,:;.…-]*", "", text, flags=re.IGNORECASE)
    if not text:
        raise forms.ValidationError(f"Say what you will do. {ACTION_RULE}")
    first = re.match(r"[^\W\d_][\w'’-]*", text)
    if first is None:
        raise forms.ValidationError(f"Start with a word, not a number or a sign. {ACTION_RULE}")
    word = first.group(0).replace("’", "'").lower()
    if word in NOT_VERBS:
        raise forms.ValidationError(f"“{first.group(0)}” is not a verb. {ACTION_RULE}")
    if len(text.split()) < 2:
        raise forms.ValidationError(
            "Make it a sentence: say what, with whom or when — e.g. “listen first in "
            "every huddle”."
        )
    return text


class PlanForm(Form):
    aspect = forms.CharField(
        label="One aspect of my professional life that would benefit from more or "
        "different attention",
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Think of the impact you make on others.",
    )
    action = forms.CharField(
        label="One thing I will do — I will …",
        max_length=300,
        help_text=ACTION_RULE,
    )
    partner_user = forms.ModelChoiceField(
        label="Accountability partner in the program",
        queryset=User.objects.none(),
        required=False,
        empty_label="Someone outside the program (below)",
    )
    partner_name = forms.CharField(
        label="or someone else: their name", max_length=200, required=False
    )
    partner_email = forms.EmailField(
        label="and their email",
        required=False,
        help_text="We send them one email asking whether they agree, with your “I will” "
        "sentence; nothing more unless they agree.",
    )
    notify_partner = forms.BooleanField(
        label="Tell my accountability partner when I check in",
        required=False,
        help_text="Once a week, a short email that you checked in — never what you wrote. "
        "Someone outside the program gets it only after agreeing to be your partner.",
    )
    checkin_weekday = forms.TypedChoiceField(
        label="Weekly check-in day", choices=Program.Weekday.choices, coerce=int
    )
    checkin_time = forms.TimeField(
        label="at", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args: Any, partners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner_user"].queryset = partners  # type: ignore[attr-defined]

    def clean_action(self) -> str:
        return clean_action(self.cleaned_data["action"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        member = data.get("partner_user")
        name = (data.get("partner_name") or "").strip()
        email = data.get("partner_email") or ""
        if self.has_error("partner_email"):
            return data
        if member is not None and (name or email):
            raise forms.ValidationError(
                "Choose one accountability partner: a program member, or someone else's "
                "name and email — not both."
            )
        if member is None:
            if not name and not email:
                raise forms.ValidationError(
                    "Name an accountability partner: choose a program member, or give "
                    "the name and email of someone else."
                )
            if not name:
                self.add_error("partner_name", "Give your partner's name too.")
            if not email:
                self.add_error("partner_email", "Give your partner's email too.")
        return data


class CheckInForm(Form):
    steps_taken = forms.CharField(
        label=CheckIn.STEPS_QUESTION,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "A few words are enough, but answer this question."},
    )
    next_focus = forms.CharField(
        label=CheckIn.FOCUS_QUESTION,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "A few words are enough, but answer this question."},
    )
    progress = forms.TypedChoiceField(
        label="How much progress did I make? (optional)",
        choices=[("", "No rating"), *((str(n), str(n)) for n in range(1, 6))],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "inline-choices"}),
        help_text="1 is none, 5 is a lot.",
    )
    visibility = forms.ChoiceField(
        label="Who can read it",
        choices=CHECKIN_AUDIENCES,
        initial=CheckInVisibility.PRIVATE,
        widget=forms.RadioSelect,
        help_text="Whether you checked in (not what you wrote) is visible to your coach "
        "and the program admins.",
    )

    def __init__(self, *args: Any, has_member_partner: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_member_partner = has_member_partner

    def clean_visibility(self) -> str:
        value: str = self.cleaned_data["visibility"]
        if value == CheckInVisibility.PARTNER and not self.has_member_partner:
            raise forms.ValidationError(
                "Your Be Better Now plan names no accountability partner in the program, "
                "so nobody could read it there. Choose private or your coach, or name a "
                "program member in your plan first."
            )
        return value


class NotificationSettingsForm(Form):
    """One switch per kind of email, on by default."""

    def __init__(self, *args: Any, enabled: dict[str, bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in ReminderKind.choices:
            self.fields[kind] = forms.BooleanField(
                label=label, required=False, initial=enabled.get(kind, True)
            )
