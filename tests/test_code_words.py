"""hooks/code_words.py: a hyphenated word of inline code is kept on one line, unless it is long;
code blocks are left as they are."""

import importlib.util

from conftest import ROOT

spec = importlib.util.spec_from_file_location("code_words", ROOT / "hooks" / "code_words.py")
code_words = importlib.util.module_from_spec(spec)
spec.loader.exec_module(code_words)


def post(html):
    return code_words.on_post_page(html, None, None)


def test_a_hyphenated_word_is_kept_whole_and_the_others_are_left_alone():
    kept = '<span class="nobr">{}</span>'.format
    assert post("<p>pass <code>-lr</code>.</p>") == f"<p>pass <code>{kept('-lr')}</code>.</p>"
    assert post("<code>nox -s examples</code>") == f"<code>nox {kept('-s')} examples</code>"
    assert post("<code>x &gt;= 1e-3</code>") == f"<code>x &gt;= {kept('1e-3')}</code>"
    assert post("<code>torch.optim.SGD</code>") == "<code>torch.optim.SGD</code>"
    assert post("<code>1 - momentum</code>") == "<code>1 - momentum</code>"  # a lone "-" may break
    assert post("<code>x -= 1</code>") == "<code>x -= 1</code>"


def test_a_long_hyphenated_word_may_still_break():
    long = "a" * code_words.LONGEST + "-b"
    assert post(f"<code>{long}</code>") == f"<code>{long}</code>"
    fits = "&lt;" * (code_words.LONGEST - 2) + "-b"  # entities count as one character each
    assert post(f"<code>{fits}</code>") == f'<code><span class="nobr">{fits}</span></code>'


def test_code_blocks_scripts_and_text_areas_are_untouched():
    block = "<pre><span></span><code>lr = 1e-3\nx = -lr</code></pre>"
    script = "<script>const s = '<code>a-b</code>';</script><textarea><code>-lr</code></textarea>"
    kept = '<code><span class="nobr">-lr</span></code>'
    assert post(block + script + "<code>-lr</code>") == block + script + kept
