"""Font files for letters, and the per-character fallback that keeps every character visible.

A handwriting font covers a few hundred characters at most; a letter may hold accents,
Greek, Cyrillic, Chinese or emoji. Text is therefore split into runs, each drawn with the
first font of a chain whose cmap has the character, so nothing is ever drawn as an empty box.

reportlab embeds TrueType (``glyf``) outlines only, and Debian ships Dancing Script and
Kaushan Script as OpenType with CFF outlines. Those are converted to quadratic TrueType
outlines in memory with fontTools, once per process (about 0.1 s a font), rather than
written to a cache that could go stale when the package is upgraded.
"""

from __future__ import annotations

import functools
import hashlib
import io
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from os1.errors import FontMissing

PLACEHOLDER = "\ufffd"
"""Drawn, and reported, for a character that no installed font can draw."""

INSTALL_HINT = "run `bash scripts/system-deps.sh` (or `sudo apt-get install {package}`)"


@dataclass(frozen=True)
class FontFile:
    """One font file from a Debian package, and how large to draw it beside handwriting.

    ``scale`` matches a fallback font's letters to the handwriting's size: a sans-serif
    drawn at the handwriting's nominal size looks a size too large next to a script face.
    """

    path: Path
    package: str
    subfont: int = 0
    scale: float = 1.0
    swaps: tuple[tuple[str, str], ...] = ()
    """Letters the pen draws with another glyph's outline: a font's double-stroked
    capital I, say, reads as a blot at writing size where its plain ``l`` does not."""

    @functools.cached_property
    def name(self) -> str:
        """The name reportlab knows the font by, unique per file and subfont."""
        digest = hashlib.sha1(f"{self.path}#{self.subfont}".encode()).hexdigest()[:8]
        return f"{self.path.stem}-{self.subfont}-{digest}"


_OPENTYPE = Path("/usr/share/fonts/opentype")
_TRUETYPE = Path("/usr/share/fonts/truetype")

DANCING_SCRIPT = FontFile(
    _OPENTYPE / "dancingscript/DancingScript-Regular.otf", "fonts-dancingscript"
)
DANCING_SCRIPT_BOLD = FontFile(
    _OPENTYPE / "dancingscript/DancingScript-Bold.otf", "fonts-dancingscript"
)
KAUSHAN_SCRIPT = FontFile(
    _OPENTYPE / "kaushanscript/KaushanScript-Regular.otf", "fonts-kaushanscript"
)
DKG_HANDWRITING = FontFile(
    _TRUETYPE / "fifthhorseman/dkg.ttf", "fonts-dkg-handwriting", swaps=(("I", "l"),)
)
RUFSCRIPT = FontFile(_TRUETYPE / "rufscript/Rufscript010.ttf", "fonts-rufscript")
DEJAVU_SANS = FontFile(_TRUETYPE / "dejavu/DejaVuSans.ttf", "fonts-dejavu-core", scale=0.82)
DEJAVU_SERIF = FontFile(_TRUETYPE / "dejavu/DejaVuSerif.ttf", "fonts-dejavu-core")
WQY_MICROHEI = FontFile(_TRUETYPE / "wqy/wqy-microhei.ttc", "fonts-wqy-microhei", scale=0.85)
SYMBOLA = FontFile(_TRUETYPE / "ancient-scripts/Symbola_hint.ttf", "fonts-symbola", scale=0.9)

FALLBACKS: tuple[FontFile, ...] = (DEJAVU_SANS, WQY_MICROHEI, SYMBOLA)
"""Latin, Greek and Cyrillic; Chinese, Japanese kana and Korean; symbols and emoji."""

_IGNORABLE = frozenset(
    [0x200C, 0x200D, 0x2060, 0xFEFF, *range(0xFE00, 0xFE10), *range(0x1F3FB, 0x1F400)]
)
"""Joiners, variation selectors and skin-tone modifiers: dropped when no font draws them,
since the character they modify is still drawn and carries the meaning."""

_lock = threading.Lock()


def load(font: FontFile) -> TTFont:
    """The font registered with reportlab, or :class:`FontMissing` naming its package."""
    with _lock:
        return _load(font)


@functools.cache
def _load(font: FontFile) -> TTFont:
    if not font.path.is_file():
        raise FontMissing(
            f"The font file {font.path} (Debian package {font.package}) is not installed.",
            "To install it, " + INSTALL_HINT.format(package=font.package) + ".",
        )
    try:
        with font.path.open("rb") as handle:
            is_cff = handle.read(4) == b"OTTO"
        source: Path | io.BytesIO = _cff_to_truetype(font.path) if is_cff else font.path
        face = TTFont(font.name, source, subfontIndex=font.subfont)
    except Exception as exc:  # reportlab and fontTools raise many kinds on a damaged file
        raise FontMissing(
            f"The font file {font.path} (Debian package {font.package}) is damaged or not "
            f"a font ({type(exc).__name__}: {exc}).",
            f"Reinstall it with `sudo apt-get install --reinstall {font.package}`.",
        ) from exc
    pdfmetrics.registerFont(face)
    return face


def _cff_to_truetype(path: Path) -> io.BytesIO:
    """The same font with its cubic CFF outlines approximated by quadratic ``glyf`` ones."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont as OpenTypeFont
    from fontTools.ttLib import newTable

    otf = OpenTypeFont(str(path))
    order = otf.getGlyphOrder()
    glyph_set = otf.getGlyphSet()
    glyphs = {}
    for glyph_name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[glyph_name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[glyph_name] = pen.glyph()
    otf["loca"] = newTable("loca")
    glyf = otf["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del otf["CFF "]
    glyf.compile(otf)
    metrics = otf["hmtx"]
    for glyph_name, glyph in glyphs.items():
        if hasattr(glyph, "xMin"):
            metrics[glyph_name] = (metrics[glyph_name][0], glyph.xMin)
    maxp = otf["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    post = otf["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    otf.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    otf.save(out)
    out.seek(0)
    return out


def covers(font: FontFile, char: str) -> bool:
    """Whether the font has a real glyph (not ``.notdef``) for the character."""
    glyph: int = load(font).face.charToGlyph.get(ord(char), 0)
    return glyph != 0


def width(font: FontFile, text: str, size: float) -> float:
    """The advance width of text drawn in the font at ``size`` (before ``scale``)."""
    load(font)
    return pdfmetrics.stringWidth(text, font.name, size * font.scale)


class FontChain:
    """A primary font and its fallbacks: splits text into runs each font can draw.

    Characters no font has become :data:`PLACEHOLDER`, and are remembered in
    :attr:`missing` so the caller can tell the person which ones were not drawn.
    """

    def __init__(self, primary: FontFile, fallbacks: Sequence[FontFile] = FALLBACKS) -> None:
        self.fonts = (primary, *fallbacks)
        for font in self.fonts:
            load(font)
        self.missing: set[str] = set()
        self.used: set[FontFile] = set()
        self._choice: dict[str, tuple[FontFile, str] | None] = {}

    def runs(self, text: str) -> list[tuple[FontFile, str]]:
        """Text split into (font, substring) pairs, in order, with every character drawable."""
        out: list[tuple[FontFile, str]] = []
        for char in unicodedata.normalize("NFC", text):
            chosen = self._choose(char)
            if chosen is None:
                continue
            font, drawn = chosen
            self.used.add(font)
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + drawn)
            else:
                out.append((font, drawn))
        return out

    def _choose(self, char: str) -> tuple[FontFile, str] | None:
        if char not in self._choice:
            self._choice[char] = self._find(char)
        chosen = self._choice[char]
        if chosen is not None and chosen[1] != char:
            self.missing.add(char)
        return chosen

    def _find(self, char: str) -> tuple[FontFile, str] | None:
        for font in self.fonts:
            if covers(font, char):
                return font, char
        if ord(char) in _IGNORABLE or unicodedata.category(char) in ("Cc", "Cf"):
            return None
        for font in self.fonts:
            if covers(font, PLACEHOLDER):
                return font, PLACEHOLDER
        return self.fonts[-1], "?"
