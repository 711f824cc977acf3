"""PNG pages from a PDF, made by poppler's ``pdftoppm``.

poppler draws the embedded fonts exactly as PDF viewers do, so the PNG shows what the
PDF shows; reportlab's own bitmap renderer needs extra native libraries and draws
TrueType text differently.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from os1.errors import LetterError

DPI = 300
"""Print resolution: an A4 page is 2480 by 3508 pixels."""


def rasterize(pdf: Path, targets: Sequence[Path], dpi: int = DPI) -> tuple[Path, ...]:
    """Write the PDF's pages as PNG, page N to ``targets[N - 1]``, at ``dpi`` (kept in the file)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise LetterError(
            "PNG pages need pdftoppm, which is not installed.",
            "Install the Debian package poppler-utils: run `bash scripts/system-deps.sh`.",
        )
    with tempfile.TemporaryDirectory(prefix="os1-png-") as scratch:
        stem = Path(scratch) / "page"
        _run([tool, "-png", "-r", str(dpi), str(pdf), str(stem)])
        made = sorted(Path(scratch).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        if len(made) != len(targets):
            raise LetterError(
                f"pdftoppm made {len(made)} pages where {len(targets)} were expected.",
                "Render as PDF instead (--format pdf).",
            )
        for page, target in zip(made, targets, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(page, target)
    return tuple(targets)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise LetterError(
            f"pdftoppm could not turn the letter into PNG: {done.stderr.strip()}",
            "Check that the output folder is writable and has free space.",
        )
