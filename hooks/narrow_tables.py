"""On a phone a wide table reads as a list: readable.css shows each row of a table with three or
more columns as a block, each cell after its column's name. The names ride on the cells as
data-label (the header's text as a screen reader would read it: a formula by its MathML, not
its drawing or its TeX); explicit ARIA roles keep the table a table for screen readers once CSS
makes its cells blocks."""

import re
from html import escape
from html.parser import HTMLParser

TABLE = re.compile(r"<table>(.*?)</table>", re.DOTALL)
ROW = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
CELL = re.compile(r"<(t[hd])(\s[^>]*)?>(.*?)</\1>", re.DOTALL)
ROLES = {"table": "table", "tr": "row", "th": "columnheader", "td": "cell"}


class SpokenText(HTMLParser):
    """The text of an HTML fragment without what is hidden from screen readers."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.hidden or attrs.get("aria-hidden") == "true" or tag == "annotation":
            self.hidden.append(tag)

    def handle_endtag(self, tag):
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def spoken(fragment):
    parser = SpokenText()
    parser.feed(fragment)
    return " ".join("".join(parser.parts).split())


def stacked(match):
    body = match.group(1)
    rows = ROW.findall(body)
    if not rows:
        return match.group(0)
    names = [spoken(cell) for _, _, cell in CELL.findall(rows[0])]
    if len(names) < 3:
        return match.group(0)

    def row(m):
        cells, n = [], 0

        def cell(c):
            nonlocal n
            tag, attrs, inner = c.group(1), c.group(2) or "", c.group(3)
            label = f' data-label="{escape(names[n])}"' if tag == "td" and n < len(names) else ""
            n += 1
            return f'<{tag}{attrs} role="{ROLES[tag]}"{label}>{inner}</{tag}>'

        cells = CELL.sub(cell, m.group(1))
        return f'<tr role="row">{cells}</tr>'

    return f'<table data-stack role="table">{ROW.sub(row, body)}</table>'


def on_page_content(html, page, config, files):
    return TABLE.sub(stacked, html)
