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
WRAPPER = re.compile(r"\\(?:text|math[a-z]+|operatorname|texttt|hat|bar|tilde|widehat)\{([^{}]*)\}")
LAYOUT = re.compile(r"\\\\(?:\[[^\]]*\])?|\\(?:begin|end)\{[^}]*\}")
COMMAND = re.compile(r"\\([A-Za-z]+)|\\[,;:! ]")


def plain(tex):
    """TeX as text: Greek letters and symbols in Unicode, fractions with a slash, no markup."""
    tex = LAYOUT.sub(" ", tex).replace("&amp;", " ")  # line breaks, environments, alignment
    tex = FRACTION.sub(
        lambda m: f"({m[1]})/({m[2]})" if m[1] is not None else f"{m[3]}/{m[4]}",
        WRAPPER.sub(r"\1", tex),
    )
    tex = COMMAND.sub(lambda m: GREEK.get(m[1]) or SYMBOLS.get(m[1], "") if m[1] else " ", tex)
    return " ".join(tex.replace("{", "").replace("}", "").split())


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
