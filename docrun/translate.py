"""Figure text in other languages: the runner redraws each figure with its text translated.

A script draws in English and knows nothing of this. Beside the pages of each other language lies
a table (settings: figure_text, e.g. docs/figure_text.zh.yml):

    font: {package: mplfonts, path: fonts/NotoSansCJKsc-Regular.otf}   # what the text needs
    alt: {figure: 一幅图, ...}                               # the words of generated alt text
    text:
      distance to the minimum: 到极小点的距离
      "momentum $\\beta=#$": "动量 $\\beta=#$"                          # stands for any number

Every text a figure shows (titles, labels, legends, annotations, tick labels) that has a word in
it, outside $math$, needs an entry; the record keeps what each text became, and the build stops
on a text with none. Plain numbers and pure mathematics are drawn as they are.
"""

import contextlib
import importlib.resources
import logging
import re
import warnings
from pathlib import Path

MATH = re.compile(r"(?<!\\)\$.*?(?<!\\)\$")
WORD = re.compile(r"[A-Za-z]{2,}")
NUMBER = re.compile(r"(?<![A-Za-z_\\.\d])\d+(?:\.\d+)?(?:e[-+]?\d+)?")
MISSING_GLYPH = re.compile(r"Glyph \d+ .* missing from font|does not have a glyph for")


class TableError(ValueError):
    """A figure-text table that cannot be used, said in one line."""


def needs_translation(text):
    """True when the text has a word outside $math$ (a number or a formula reads the same)."""
    return bool(WORD.search(MATH.sub("", text)))


def translate(text, entries):
    """The text's translation from entries: exact, else with its numbers as #; else None."""
    if text in entries:
        return entries[text]
    numbers = NUMBER.findall(text)
    template = entries.get(NUMBER.sub("#", text)) if numbers else None
    if template is None or template.count("#") != len(numbers):
        return None
    values = iter(numbers)
    return re.sub("#", lambda _: next(values), template)


def load_tables(pattern, root):
    """{language: table} for every table the pattern names (figure_text: docs/x.{language}.yml),
    each with its font resolved to a file; {} when there is no pattern."""
    import yaml

    if not pattern:
        return {}
    folder, name = Path(root, pattern).parent, Path(pattern).name
    if "{language}" not in name:
        raise TableError(f"figure_text {pattern!r}: its file name must contain {{language}}")
    before, after = name.split("{language}")
    tables = {}
    for path in sorted(folder.glob(before + "*" + after)):
        language = path.name[len(before) : len(path.name) - len(after)]
        try:
            table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as err:
            raise TableError(f"{path.name}: not YAML ({err.problem})") from None
        if not isinstance(table.get("text"), dict):
            raise TableError(f"{path.name}: needs a 'text:' mapping of figure texts")
        tables[language] = {
            "font": _font_file(table.get("font"), path.name),
            "alt": {str(k): str(v) for k, v in (table.get("alt") or {}).items()},
            "text": {str(k): str(v) for k, v in table["text"].items()},
        }
    return tables


def _font_file(font, where):
    if font is None:
        return None
    try:
        path = importlib.resources.files(font["package"]) / font["path"]
    except (ModuleNotFoundError, KeyError, TypeError):
        raise TableError(
            f"{where}: font must be {{package: P, path: F}} of an installed package"
        ) from None
    if not path.is_file():
        raise TableError(f"{where}: no font file {font['path']} in {font['package']}")
    return str(path)


@contextlib.contextmanager
def drawn_in(table, seen):
    """While inside, every figure draws its text through the table and in the table's font.
    seen collects {text: translation or None}. A character the font lacks is an error."""
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    from matplotlib.text import Text

    rc = {}
    if table["font"]:
        font_manager.fontManager.addfont(table["font"])
        name = font_manager.FontProperties(fname=table["font"]).get_name()
        rc["font.sans-serif"] = [name, *plt.rcParams["font.sans-serif"]]
    original = Text.get_text

    def get_text(self):
        text = original(self)
        if not needs_translation(text):
            return text
        seen[text] = translate(text, table["text"])
        return seen[text] or text

    logged = _Kept()  # mathtext says so in a log line, plain text in a warning
    Text.get_text = get_text
    logging.getLogger("matplotlib").addHandler(logged)
    try:
        with plt.rc_context(rc), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        Text.get_text = original
        logging.getLogger("matplotlib").removeHandler(logged)
    said = [str(w.message) for w in caught] + logged.messages
    lacking = sorted({m for m in said if MISSING_GLYPH.search(m)})
    if lacking:
        raise RuntimeError(f"the font lacks characters of the translated figure text: {lacking[0]}")


class _Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())
