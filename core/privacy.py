"""The smallest group a shown figure may describe (DESIGN.md, privacy rule 4): a figure
over fewer people shows "fewer than 5" instead, so that no figure singles out a person."""

from __future__ import annotations

MIN_GROUP = 5
