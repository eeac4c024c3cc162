"""`manage.py screenshots` (`make screenshots`): the README's PNGs, taken from the demo in a
scratch database, never the one the command was started with."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from devtools.browser import CHROMIUM
from devtools.screenshots import ROLE_HOMES, WIDTHS, file_name, png_size
from programs.models import Program
from tests.browser import _require


@pytest.mark.django_db
def test_the_command_saves_each_role_home_and_leaves_the_database_alone(tmp_path: Path) -> None:
    _require(f"Chromium at {CHROMIUM}", bool(shutil.which(CHROMIUM)))
    out = StringIO()

    call_command("screenshots", output=str(tmp_path / "shots"), stdout=out)

    for home in ROLE_HOMES:
        for width in WIDTHS:
            assert png_size(tmp_path / "shots" / file_name(home, width))[0] == width
    assert png_size(tmp_path / "shots" / "participant-1280-dark.png")[0] == 1280
    assert f"9 screenshots in {tmp_path / 'shots'}" in out.getvalue()
    assert not Program.objects.exists()
