"""Inline code keeps each hyphenated word on one line: a browser may break a line after any
hyphen, which on a phone split `-lr` into "-" and "lr" and `eps=1e-08` after "1e-". A word (a run
without spaces) longer than LONGEST characters may still break, so that it cannot overflow a
phone's line. Code blocks (<pre>) scroll and never break; scripts and text areas are left alone."""

import html
import re

LONGEST = 24  # characters: 24 of 12 px code are about 170 px, half a 360 px phone's line
# a block left alone, or an inline code's text (group "text")
CODE = re.compile(
    r"<(pre|script|textarea)\b.*?</\1>|<code>(?P<text>[^<]*)</code>", re.DOTALL | re.IGNORECASE
)
HYPHENATED = re.compile(r"(?=\S*\w)\S*-\S*")  # a word with a letter or digit: not "-" or "-="


def keep(word):
    text = word[0]
    return f'<span class="nobr">{text}</span>' if len(html.unescape(text)) <= LONGEST else text


def inline(match):
    if match["text"] is None:
        return match[0]
    return f"<code>{HYPHENATED.sub(keep, match['text'])}</code>"


def on_post_page(output, page, config):
    return CODE.sub(inline, output)
