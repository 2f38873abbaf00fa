"""Strip a saved HTML page to the text of its main content (selectolax, the Lexbor HTML5 parser).

Boilerplate is the page's navigation, header, footer, asides, forms, scripts and styles, plus
elements whose class or id says so (menu, cookie, breadcrumb, share, sidebar...). The main
content is ``<article>`` or ``<main>`` when the page has one, else ``<body>``. Block elements end
a line, so sentences never run across blocks. Nothing is fetched: no network access at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
             "button", "template")
NOISE = re.compile(r"(^|[-_ ])(menu|nav|cookie|breadcrumb|share|social|sidebar|footer|header|banner-top|"
                   r"newsletter|related|comments?|pub|ads?)([-_ ]|$)", re.I)
BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section", "article",
          "blockquote", "dd", "dt", "figcaption", "time", "ul", "ol", "table")


@dataclass
class Page:
    text: str
    title: str | None
    published: str | None


def _meta(tree, *names: str) -> str | None:
    for name in names:
        node = tree.css_first(f'meta[property="{name}"]') or tree.css_first(f'meta[name="{name}"]')
        if node is not None and node.attributes.get("content"):
            return node.attributes["content"].strip()
    return None


def page_text(html: str) -> Page:
    """The main text of ``html``, its title and its publication day (from the page's metadata)."""
    tree = LexborHTMLParser(html)
    title = _meta(tree, "og:title")
    if not title and tree.css_first("title") is not None:
        title = tree.css_first("title").text(strip=True) or None
    published = _meta(tree, "article:published_time", "date", "DC.date")
    published = published[:10] if published and re.match(r"\d{4}-\d{2}-\d{2}", published) else None
    for node in tree.css(",".join(DROP_TAGS)):
        node.decompose()
    for node in tree.css("[class], [id]"):
        marks = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if NOISE.search(marks) and node.tag not in ("html", "body", "main", "article"):
            node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body
    if root is None:
        return Page("", title, published)
    for node in root.css(",".join(BLOCKS)):
        node.insert_after("\n")
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in root.text(deep=True).split("\n")]
    text = "\n".join(line for line in lines if line)
    return Page(text + "\n" if text else "", title, published)
