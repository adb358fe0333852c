"""Chinese text loses the line breaks (and a continuation line's indent) that browsers would draw
as a space between two characters. Code, scripts and styles keep theirs."""

import re

CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
CJK_BREAK = re.compile(rf"(?<={CJK})\n[ \t]*(?={CJK})")
VERBATIM = re.compile(r"(<(pre|script|style|textarea)\b.*?</\2>)", re.DOTALL | re.IGNORECASE)


def on_post_page(output, page, config):
    parts = VERBATIM.split(output)  # text, verbatim block, its tag name, text, ...
    return "".join(
        CJK_BREAK.sub("", part) if i % 3 == 0 else part
        for i, part in enumerate(parts)
        if i % 3 != 2
    )
