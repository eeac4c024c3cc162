"""What deleting an object takes with it, counted before anything is deleted.

Django's own deletion collector walks the same `on_delete` rules that `delete()` follows,
so the count is what the database will lose, including models added later.
"""

from __future__ import annotations

from collections import Counter

from django.db import models, router
from django.db.models.deletion import Collector


def deletion_counts(obj: models.Model) -> dict[type[models.Model], int]:
    """Rows that `obj.delete()` would delete, by model (`obj`'s own model included)."""
    collector = Collector(using=router.db_for_write(type(obj), instance=obj))
    collector.collect([obj])
    counts: Counter[type[models.Model]] = Counter()
    for model, instances in collector.data.items():
        counts[model] += len(instances)
    for queryset in collector.fast_deletes:
        counts[queryset.model] += queryset.count()
    return {model: n for model, n in counts.items() if n}


def describe_counts(counts: dict[type[models.Model], int]) -> list[tuple[str, int]]:
    """The counts in words, largest first; the links Django keeps for many-to-many fields
    are left out (they are not anything a person made)."""
    rows = [
        (str(model._meta.verbose_name if n == 1 else model._meta.verbose_name_plural), n)
        for model, n in counts.items()
        if not model._meta.auto_created
    ]
    return sorted(rows, key=lambda row: (-row[1], row[0]))
