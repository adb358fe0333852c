"""hooks/narrow_tables.py: a table of three or more columns carries, on each cell, the name of its
column as a screen reader would read it, and the ARIA roles that keep it a table when CSS stacks
it on a phone; a table of two columns is left alone."""

import importlib.util

from conftest import ROOT

spec = importlib.util.spec_from_file_location("narrow_tables", ROOT / "hooks" / "narrow_tables.py")
narrow = importlib.util.module_from_spec(spec)
spec.loader.exec_module(narrow)

KATEX_RHO = (
    '<span class="katex"><span class="katex-mathml"><math><semantics><mrow><mi>\u03c1</mi></mrow>'
    '<annotation encoding="application/x-tex">\\rho</annotation></semantics></math></span>'
    '<span class="katex-html" aria-hidden="true"><span class="mord">\u03c1</span></span></span>'
)


def table(header, *rows):
    cells = lambda tag, row: "".join(f"<{tag}>{c}</{tag}>" for c in row)  # noqa: E731
    body = "".join(f"<tr>\n{cells('td', r)}\n</tr>" for r in rows)
    head = f"<thead>\n<tr>\n{cells('th', header)}\n</tr>\n</thead>"
    return f"<table>\n{head}\n<tbody>{body}</tbody>\n</table>"


def test_each_cell_is_labelled_with_its_column_as_read_aloud():
    html = narrow.on_page_content(
        table(["Setting", f"Gap {KATEX_RHO}", "<code>torch</code>"], ["a", "1e-7", "x"]),
        None,
        None,
        None,
    )
    assert html.startswith('<table data-stack role="table">')
    assert '<td role="cell" data-label="Setting">a</td>' in html
    # the MathML's rho, not the TeX or the letter twice
    assert '<td role="cell" data-label="Gap \u03c1">1e-7</td>' in html
    assert '<td role="cell" data-label="torch">x</td>' in html
    assert '<th role="columnheader">Setting</th>' in html and html.count('role="row"') == 2


def test_a_table_of_two_columns_is_left_alone():
    two = table(["Symbol", "Meaning"], ["η", "learning rate"])
    assert narrow.on_page_content(two, None, None, None) == two
