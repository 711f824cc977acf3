"""PNG pages from a PDF, made by poppler's ``pdftoppm``.

poppler draws the embedded fonts exactly as PDF viewers do, so the PNG shows what the
PDF shows; reportlab's own bitmap renderer needs extra native libraries and draws
TrueType text differently.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from os1.errors import LetterError


def rasterize(pdf: Path, target: Path, pages: int, dpi: int = 110) -> tuple[Path, ...]:
    """Write the PDF's pages as PNG: ``target`` for one page, ``stem-N.png`` for several."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise LetterError(
            "PNG pages need pdftoppm, which is not installed.",
            "Install the Debian package poppler-utils: run `bash scripts/system-deps.sh`.",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    stem = target.with_suffix("")
    if pages == 1:
        _run([tool, "-png", "-r", str(dpi), "-singlefile", str(pdf), str(stem)])
        return (stem.with_suffix(".png"),)
    _run([tool, "-png", "-r", str(dpi), str(pdf), str(stem)])
    width = len(str(pages))
    paths = []
    for number in range(1, pages + 1):
        made = stem.parent / f"{stem.name}-{number:0{width}d}.png"
        wanted = stem.parent / f"{stem.name}-{number}.png"
        if made != wanted:
            made.replace(wanted)
        paths.append(wanted)
    return tuple(paths)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise LetterError(
            f"pdftoppm could not turn the letter into PNG: {done.stderr.strip()}",
            "Check that the output folder is writable and has free space.",
        )
