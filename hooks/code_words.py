"""Inline code keeps each hyphenated word on one line: a browser may break a line after any
hyphen, which on a phone split `-lr` into "-" and "lr" and `eps=1e-08` after "1e-". A word (a run
without spaces) longer than LONGEST characters may still break, so that it cannot overflow a
phone's line. Code blocks (<pre>) scroll and never break."""

import html
import re

LONGEST = 24  # characters: 24 of 12 px code are about 170 px, half a 360 px phone's line
PRE = re.compile(r"(<pre\b.*?</pre>)", re.DOTALL | re.IGNORECASE)
INLINE_CODE = re.compile(r"(<code>)([^<]*)(</code>)")
HYPHENATED = re.compile(r"[^\s]*-[^\s]*")


def keep(word):
    text = word[0]
    return f'<span class="nobr">{text}</span>' if len(html.unescape(text)) <= LONGEST else text


def on_post_page(output, page, config):
    parts = PRE.split(output)  # odd indices are code blocks
    for i in range(0, len(parts), 2):
        parts[i] = INLINE_CODE.sub(lambda m: m[1] + HYPHENATED.sub(keep, m[2]) + m[3], parts[i])
    return "".join(parts)
