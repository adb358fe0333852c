"""One folded evidence line per section. The Markdown keeps each `<small>Evidence: ...</small>`
beside the claim it backs (where an author checks it); the page gathers a section's lines, outside
collapsed blocks, into one closed `<details>` at the section's end, each link once."""

import re

WORD = {"en": "Evidence", "zh": "证据"}
SECTION = re.compile(r"(?=<h[23][\s>])")
LINE = re.compile(r"\s?<small>(?:Evidence: |证据：)(?P<links>.*?)</small>", re.S)
LINK = re.compile(r'<a\b[^>]*?\bhref="(?P<href>[^"]+)"[^>]*>.*?</a>', re.S)
EMPTY = re.compile(r"<p>\s*</p>\n?")
SUMMARY = {
    "en": lambda tests, scripts: (
        f"Evidence: {tests} test{'s' * (tests != 1)}, {scripts} script{'s' * (scripts != 1)}"
    ),
    "zh": lambda tests, scripts: f"证据：{tests} 个测试，{scripts} 个脚本",
}


def inside_details(html, position):
    return html.count("<details", 0, position) > html.count("</details>", 0, position)


def folded(section, language):
    links = {}

    def take(match):
        if inside_details(section, match.start()):  # a solution's evidence stays in it
            return match.group(0)
        for link in LINK.finditer(match.group("links")):
            links.setdefault(link.group("href"), link.group(0))
        return ""

    body = EMPTY.sub("", LINE.sub(take, section))
    if not links:
        return section
    scripts = sum("source/snippets/" in h or "source/examples/" in h for h in links)
    summary = SUMMARY[language](len(links) - scripts, scripts)
    block = (
        f'<details class="evidence"><summary>{summary}</summary>\n'
        f"<p>{' · '.join(links.values())}</p>\n</details>\n"
    )
    return body.rstrip("\n") + "\n" + block


def on_page_content(html, page, config, files):
    language = config["theme"]["language"] if config["theme"]["language"] in WORD else "en"
    return "".join(folded(section, language) for section in SECTION.split(html))
