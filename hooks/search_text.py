"""The search index holds formulas as readers read them, `\\(\\gamma = 0.9\\)` as the Greek letter
and "= 0.9", so that a result's preview shows no TeX and a query for the letter finds them."""

import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority

FORMULA = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)
NAMES = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
    "sigma tau phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega"
)
GREEK = dict(zip(NAMES.split(), "αβγδεεζηθικλμνξπρστφφχψωΓΔΘΛΞΠΣΦΨΩ", strict=True))
SYMBOLS = {
    "times": "×", "cdot": "·", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "approx": "≈",
    "neq": "≠", "infty": "∞", "to": "→", "leftarrow": "←", "rightarrow": "→", "sqrt": "√",
    "ldots": "…", "dots": "…", "cdots": "…", "pm": "±", "in": "∈", "sum": "Σ", "prod": "Π",
    "nabla": "∇", "partial": "∂", "lVert": "‖", "rVert": "‖", "star": "*",
}  # fmt: skip
FRACTION = re.compile(r"\\[dt]?frac(?:\{([^{}]*)\}\{([^{}]*)\}|(\d)(\d))")
WRAPPER = re.compile(r"\\(?:text|math[a-z]+|operatorname|texttt)\{([^{}]*)\}")
# an accent over one letter, drawn with the combining character that puts it there
ACCENT = re.compile(r"\\(tilde|hat|widehat|bar)\s*(?:\{([^{}]*)\}|(\\[A-Za-z]+|[A-Za-z]))")
COMBINING = {"tilde": "\u0303", "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304"}
SCRIPT = re.compile(r"([_^])\{([^{}]*)\}")
SQRT = re.compile(r"\\sqrt\{([^{}]*)\}")
ONE_SYMBOL = re.compile(r"(?:\\[A-Za-z]+|\w)[\u0300-\u036f]?")
ESCAPED = {"\\{": "\0L", "\\}": "\0R", "\\|": "‖", "\\_": "_", "\\%": "%", "\\&": "&"}
LAYOUT = re.compile(r"\\\\(?:\[[^\]]*\])?|\\(?:begin|end)\{[^}]*\}")
COMMAND = re.compile(r"\\([A-Za-z]+)|\\[,;:! ]")


def grouped(text):
    """text as one term: in parentheses unless it is one symbol (a letter, a digit, a command)."""
    return text if ONE_SYMBOL.fullmatch(text) else f"({text})"


def script(m):
    return m[1] + grouped(m[2])


def root(m):
    return "√" + grouped(m[1])


def fraction(m):
    return f"{grouped(m[1])}/{grouped(m[2])}" if m[1] is not None else f"{m[3]}/{m[4]}"


def until_stable(pattern, replace, text):
    """pattern replaced from the innermost braces out, until nothing changes."""
    while (new := pattern.sub(replace, text)) != text:
        text = new
    return text


def plain(tex):
    """TeX as text: Greek letters and symbols in Unicode, fractions with a slash, a subscript of
    several characters in parentheses, no markup."""
    for escape, char in ESCAPED.items():
        tex = tex.replace(escape, char)
    tex = LAYOUT.sub(" ", tex).replace("&amp;", " ")  # line breaks, environments, alignment
    tex = ACCENT.sub(lambda m: (m[2] if m[2] is not None else m[3]) + COMBINING[m[1]], tex)
    tex = until_stable(WRAPPER, r"\1", tex)
    # from the innermost braces out: scripts, roots and fractions, each as text
    while (new := FRACTION.sub(fraction, SQRT.sub(root, SCRIPT.sub(script, tex)))) != tex:
        tex = new
    tex = COMMAND.sub(lambda m: GREEK.get(m[1]) or SYMBOLS.get(m[1], "") if m[1] else " ", tex)
    tex = tex.replace("{", "").replace("}", "").replace("\0L", "{").replace("\0R", "}")
    return " ".join(tex.split())


def readable(text):
    return FORMULA.sub(lambda m: plain(m[1] if m[1] is not None else m[2]), text)


@event_priority(-110)  # after mkdocs-static-i18n (-100) has written the index of all languages
def on_post_build(config):
    index = Path(config["site_dir"]) / "search" / "search_index.json"
    if not index.exists():
        return
    data = json.loads(index.read_text(encoding="utf-8"))
    for doc in data["docs"]:
        doc["title"], doc["text"] = readable(doc["title"]), readable(doc["text"])
    index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
