"""Figure text in other languages: the runner redraws each figure with its text translated.

A script draws in English and knows nothing of this. Beside the pages of each other language lies
a table (settings: figure_text, e.g. docs/figure_text.zh.yml):

    font: {package: mplfonts, path: fonts/NotoSansCJKsc-Regular.otf}   # what the text needs
    alt: {figure: 一幅图, ...}                               # the words of generated alt text
    text:
      distance to the minimum: 到极小点的距离
      "momentum $\\beta=#$": "动量 $\\beta=#$"       # each # stands for a number, in order

Every text a figure shows (titles, labels, legends, annotations, tick labels) that has a word in
it, outside $math$, needs an entry; the record keeps what each text became, and the build stops
on a text with none. Plain numbers and pure mathematics are drawn as they are.
"""

import contextlib
import functools
import hashlib
import importlib.resources
import json
import logging
import re
import warnings
from pathlib import Path

MATH = re.compile(r"(?<!\\)\$.*?(?<!\\)\$")
WORD = re.compile(r"[A-Za-z]{2,}")
NUMBER = re.compile(r"(?<![A-Za-z_\\.\d])\d+(?:\.\d+)?(?:e[-+]?\d+)?")
MISSING_GLYPH = re.compile(r"Glyph \d+ .* missing from font|does not have a glyph for")
# The words of the alt text written from a figure (docrun.theme.describe), which a table's alt:
# may give in its language, with the names of axis scales other than linear
ALT_WORDS = {
    "plot": "a plot",
    "x": "x: {label}",
    "y": "y: {label}",
    "scale": "{label} ({scale} scale)",
    "curves": "curves: {labels}",
    "figure": "A figure",
    "title": '"{title}"',
    "suptitle": "{title}. ",
    "sep": "; ",
    "list": ", ",
    "panels": " | ",
}
SCALES = ("log", "symlog", "logit", "asinh")


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
    if not pattern:
        return {}
    folder, name = Path(root, pattern).parent, Path(pattern).name
    if "{language}" not in name:
        raise TableError(f"figure_text {pattern!r}: its file name must contain {{language}}")
    before, after = name.split("{language}")
    tables = {}
    for path in sorted(folder.glob(before + "*" + after)):
        language = path.name[len(before) : len(path.name) - len(after)]
        tables[language] = _table(path)
    return tables


def _table(path):
    import yaml

    try:
        table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise TableError(f"{path.name}: not YAML{where} ({err.problem or err})") from None
    if not isinstance(table, dict) or not isinstance(table.get("text"), dict):
        raise TableError(f"{path.name}: needs a 'text:' mapping of figure texts")
    alt, text = _strings(table.get("alt") or {}, path.name), _strings(table["text"], path.name)
    unknown = sorted(set(alt) - set(ALT_WORDS) - set(SCALES))
    if unknown:
        raise TableError(f"{path.name}: alt has no word {unknown[0]!r}: {[*ALT_WORDS, *SCALES]}")
    for english, its in text.items():
        if english.count("#") != its.count("#"):
            raise TableError(f"{path.name}: {english!r} and {its!r} differ in their number of #")
    # what else decides the redrawn figures: a change to it makes every run stale
    style = json.dumps([table.get("font"), alt], sort_keys=True, ensure_ascii=False)
    return {
        "font": _font_file(table.get("font"), path.name),
        "alt": alt,
        "text": text,
        "style": hashlib.sha256(style.encode()).hexdigest()[:16],
    }


def _strings(mapping, where):
    if not isinstance(mapping, dict):
        raise TableError(f"{where}: 'alt:' must be a mapping")
    for key, value in mapping.items():
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise TableError(f"{where}: {key!r} has no translation (write one, in quotes)")
    return {str(k): str(v) for k, v in mapping.items()}


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
    from matplotlib.mathtext import MathTextParser
    from matplotlib.text import Text

    rc = {}
    if table["font"]:
        rc["font.sans-serif"] = [_added(table["font"]), *plt.rcParams["font.sans-serif"]]
    original = Text.get_text

    def get_text(self):
        text = original(self)
        if not needs_translation(text):
            return text
        seen[text] = translate(text, table["text"])
        return seen[text] or text

    # mathtext keeps its layouts by font *family* ("sans-serif"), blind to which font that is:
    # emptied on the way in and out, no figure reuses a layout made in the other font
    math_layouts = MathTextParser._parse_cached
    logged = _Kept()  # mathtext says so in a log line, plain text in a warning
    Text.get_text = get_text
    logging.getLogger("matplotlib").addHandler(logged)
    math_layouts.cache_clear()
    try:
        with plt.rc_context(rc), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        Text.get_text = original
        logging.getLogger("matplotlib").removeHandler(logged)
        math_layouts.cache_clear()
    said = [str(w.message) for w in caught] + logged.messages
    lacking = sorted({m for m in said if MISSING_GLYPH.search(m)})
    if lacking:
        raise RuntimeError(f"the font lacks characters of the translated figure text: {lacking[0]}")


@functools.cache
def _added(font_file):
    """The font's family name, once matplotlib knows the file (once per process)."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(font_file)
    return font_manager.FontProperties(fname=font_file).get_name()


class _Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())
