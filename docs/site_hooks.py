"""MkDocs hooks for the finished pages: self-contained, bilingual, findable.

- Notebook pages lose nbconvert's CDN loaders (the site typesets formulas with its own KaTeX)
  and get heading ids that match their table of contents.
- Chinese text loses the line breaks that browsers would draw as spaces.
- SITE_URL, when set, is where the site is published (the Pages workflow sets it).
- The sitemap lists the notebook pages, in every language folder.
"""

import gzip
import os
import re
from pathlib import Path

# nbconvert's template loads MathJax and Mermaid from a CDN. The site typesets formulas itself
# (assets/math.js with its own KaTeX) and the notebooks have no diagrams, so both loaders go.
NOTEBOOK_CDN_LOADERS = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->"
    r'|<script type="module">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*</script>',
    re.DOTALL,
)


# A line break inside a Chinese paragraph renders as a space between two characters; code keeps
# its line breaks.
CJK_BREAK = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\n(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])"
)
VERBATIM = re.compile(r"(<(pre|script|style|textarea)\b.*?</\2>)", re.DOTALL | re.IGNORECASE)


HEADING = re.compile(r'(<h[1-6] id=")([^"]*)(".*?</h[1-6]>)', re.DOTALL)


def toc_ids(toc):
    for item in toc:
        yield item.id
        yield from toc_ids(item.children)


def notebook_heading_ids(output, page):
    """nbconvert leaves a Chinese heading's id empty while the table of contents links to its
    Markdown id (_1, _2, ...): the headings get the ids that the table of contents uses."""
    ids = list(toc_ids(page.toc))
    if len(HEADING.findall(output)) != len(ids):
        return output  # not one heading per entry: leave it (the link test will say)
    new = iter(ids)

    def renamed(match):
        old, id_ = match.group(2), next(new)
        rest = match.group(3).replace(f'href="#{old}"', f'href="#{id_}"', 1)
        return f"{match.group(1)}{id_}{rest}"

    return HEADING.sub(renamed, output)


def on_post_page(output, page, config):
    """Notebook pages: no script that fetches from another host, headings where the table of
    contents points. All pages: no stray spaces in Chinese."""
    if page.file.src_uri.endswith(".ipynb"):
        output = notebook_heading_ids(NOTEBOOK_CDN_LOADERS.sub("", output), page)
    parts = VERBATIM.split(output)  # text, verbatim block, its tag name, text, ...
    return "".join(
        CJK_BREAK.sub("", part) if i % 3 == 0 else part
        for i, part in enumerate(parts)
        if i % 3 != 2
    )


def on_config(config):
    """SITE_URL, when set (the Pages workflow sets it), is where the site is published."""
    if os.environ.get("SITE_URL"):
        config.site_url = os.environ["SITE_URL"].rstrip("/") + "/"
    return config


def on_post_build(config):
    """The sitemap lists the notebook pages too (the i18n plugin lists only the pages it found),
    and each language folder gets a copy: Material looks for LANG/sitemap.xml to match pages
    across languages, and follows instantly only the links that the sitemap lists."""
    i18n = config.plugins.get("i18n")
    site = Path(config.site_dir)
    if i18n is None or i18n.current_language == i18n.default_language:
        return  # the last language's build writes the sitemap of all languages
    languages = [i18n.default_language] + [
        lang for lang in i18n.build_languages if lang != i18n.default_language
    ]
    urls = [
        {
            lang: f"{config.site_url or ''}{'' if lang == languages[0] else lang + '/'}{path}"
            for lang in languages
        }
        for path in sorted(f"examples/{p.parent.name}/" for p in site.glob("examples/*/index.html"))
    ]
    entries = "".join(
        f"    <url>\n        <loc>{loc}</loc>\n"
        + "".join(
            f'        <xhtml:link rel="alternate" hreflang="{lang}" href="{href}"/>\n'
            for lang, href in page.items()
        )
        + "    </url>\n"
        for page in urls
        for loc in page.values()
    )
    sitemap = (
        (site / "sitemap.xml")
        .read_text(encoding="utf-8")
        .replace("</urlset>", entries + "</urlset>")
    )
    for folder in [site] + [site / lang for lang in languages[1:]]:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "sitemap.xml").write_text(sitemap, encoding="utf-8")
        (folder / "sitemap.xml.gz").write_bytes(gzip.compress(sitemap.encode(), mtime=0))
