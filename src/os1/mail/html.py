"""HTML mail to plain text, with nothing fetched and nothing hidden carried over.

A mail's HTML is a stranger's page. It is read with BeautifulSoup, which
never loads anything: images (tracking pixels included), scripts, styles and
frames are dropped, not fetched, and text a reader would not see (``display:
none``, zero-size or invisible type, white on white, ``hidden``) is left out
and counted, because hidden text is where instructions meant for an assistant
rather than the person hide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment, Tag

DROPPED = ("script", "style", "head", "noscript", "template", "iframe", "object", "embed", "svg")
BLOCKS = frozenset(
    ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote",
     "pre", "section", "article", "header", "footer", "hr")
)  # fmt: skip
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|$)"
    r"|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$)|max-height\s*:\s*0(?:px)?\s*(?:;|$)"
    r"|color\s*:\s*(?:#fff(?:fff)?|white|transparent|rgba?\(\s*255\s*,\s*255\s*,\s*255)\b",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[ \t\u00a0]+")
_LINES = re.compile(r"\n\s*\n\s*(?:\n\s*)+")


@dataclass(frozen=True)
class Rendered:
    """The text a reader sees, and how many hidden pieces were left out."""

    text: str
    hidden: int


def _hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(str(tag.get("style", ""))))


def html_to_text(html: str) -> Rendered:
    """What the HTML shows as text: links as their words, images as their alt text."""
    soup = BeautifulSoup(html, "lxml")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for name in DROPPED:
        for tag in soup.find_all(name):
            tag.decompose()
    hidden = 0
    for tag in soup.find_all(True):
        if isinstance(tag, Tag) and not tag.decomposed and _hidden(tag):
            if tag.get_text(strip=True):
                hidden += 1
            tag.decompose()
    for img in soup.find_all("img"):
        alt = str(img.get("alt", "")).strip() if isinstance(img, Tag) else ""
        img.replace_with(f"[image: {alt}]" if alt else "")
    for tag in soup.find_all(BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    text = soup.get_text()
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return Rendered(_LINES.sub("\n\n", "\n".join(lines)).strip(), hidden)
