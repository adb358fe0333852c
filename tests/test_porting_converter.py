"""The porting page's converter (docs/assets/porting.js) in the browser, fed the settings the
porting scripts ran: from each row's settings in one framework, it must give exactly the settings
that ran in the other two, and call them the same run exactly when the run's gap was within
float32 rounding (tests/test_porting.py's TOL)."""

import json
import math

import pytest
from conftest import recorded
from test_porting import TOL

pytestmark = [pytest.mark.site, pytest.mark.xdist_group("porting")]
FRAMEWORKS = ["torch", "keras", "optax"]
MAIN = {"sgd", "adamw", "adam", "nadam", "lion", "trace", "scale_by_amsgrad"}

FILL = """
const [page, from, optimizer, fields, lrChanges] = arguments;
const form = document.querySelector("form.converter");
const fire = (el) => el.dispatchEvent(new Event("input", { bubbles: true }));
form.elements.from.value = from; fire(form.elements.from);
form.elements.optimizer.value = optimizer; fire(form.elements.optimizer);
for (const [name, value] of Object.entries(fields)) {
  const el = form.elements[name];
  if (!el) return { missing: name };
  if (el.type === "checkbox") el.checked = value; else el.value = String(value);
}
if (form.elements.lr_changes) form.elements.lr_changes.checked = lrChanges;
fire(form.querySelector(".converter-fields [name]"));
const error = form.querySelector(".converter-error");
return {
  error: error && error.textContent,
  targets: [...form.querySelectorAll(".converter-target")].map((t) => ({
    framework: t.dataset.framework, settings: JSON.parse(t.dataset.settings),
    exact: t.dataset.exact === "true", text: t.textContent })),
};
"""
PLACEHOLDERS = """
const [from, optimizer] = arguments;
const form = document.querySelector("form.converter");
const fire = (el) => el.dispatchEvent(new Event("input", { bubbles: true }));
form.elements.from.value = from; fire(form.elements.from);
form.elements.optimizer.value = optimizer; fire(form.elements.optimizer);
return Object.fromEntries([...form.querySelectorAll(".converter-fields input[placeholder]")]
  .map((i) => [i.name, i.placeholder]));
"""


def fields(framework, settings, optimizer):
    """The form fields that say what `settings` says, in the framework's own names."""
    out = {}
    if framework != "optax":
        for key, value in settings["kwargs"].items():
            if key == "betas":
                out["betas0"], out["betas1"] = value
            else:
                out[key] = value
        rest = {k: v for k, v in settings.items() if k not in ("optimizer", "kwargs")}
        return out | rest
    decay_field = "add_decayed_weights" if optimizer in ("sgd", "adam_l2") else "weight_decay"
    names = [name for name, _ in settings["chain"]]
    for name, kwargs in settings["chain"]:
        if name in MAIN:
            for key, value in kwargs.items():
                out["momentum" if key == "decay" else key] = value
            if name == "scale_by_amsgrad":
                out["amsgrad"] = True
        elif name == "add_decayed_weights":
            out[decay_field] = kwargs["weight_decay"]
            if optimizer == "sgd":
                after = names.index(name) > names.index("trace" if "trace" in names else "sgd")
                out["decay_position"] = "after" if after else "before"
        elif name == "scale_by_learning_rate":
            out["learning_rate"] = kwargs["learning_rate"]
        elif name == "clip_by_global_norm":
            out["clip_by_global_norm"] = kwargs["max_norm"]
        else:
            raise AssertionError(f"no field for optax.{name}")
    if "multisteps" in settings:
        out["multisteps"] = settings["multisteps"]
    return out


def plain(value):
    """value as the converter's JSON writes it: lists for tuples, "inf" for infinity."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    return value


def cases():
    """(row name, source framework, row) for every row of both porting scripts."""
    out = []
    for stem in ("porting_sgd", "porting_adam"):
        for name, row in recorded(stem).results["rows"].items():
            for source in row.get("sources", list(row["settings"])):
                out.append((name, source, row))
    return out


def pair_gap(row, a, b):
    first, second = sorted((a, b), key=FRAMEWORKS.index)
    return row["gaps"][f"{first}-{second}"]


@pytest.fixture(scope="module")
def porting_page(browser):
    browser.open("porting/")
    browser.wait_until("return document.querySelector('.converter-target') !== null")
    return browser


def test_converter_gives_the_settings_the_runs_matched(porting_page):
    checked, expected = 0, 0
    for name, source, row in cases():
        expected += len(row["settings"]) - 1
        given = fields(source, row["settings"][source], row["optimizer"])
        # what a reader types: numbers as text ("inf" too), check boxes as they are
        given = {k: v if isinstance(v, bool | str) else repr(v) for k, v in given.items()}
        answer = porting_page.run(
            FILL, "", source, row["optimizer"], given, row.get("lr_changes", False)
        )
        where = f"row {name} from {source}"
        assert "missing" not in answer, f"{where}: the form has no field {answer['missing']}"
        assert answer["error"] is None, f"{where}: {answer['error']}"
        targets = {t["framework"]: t for t in answer["targets"]}
        assert set(targets) == set(FRAMEWORKS) - {source}, where
        for target, ran in row["settings"].items():
            if target == source:
                continue
            got = targets[target]
            assert got["settings"] == plain(json.loads(json.dumps(ran))), f"{where} to {target}"
            same = pair_gap(row, source, target) <= TOL
            assert got["exact"] == same, f"{where} to {target}: the run's gap says {same}"
            checked += 1
    assert checked == expected > 0  # every row, from each framework it starts from


def test_converter_defaults_are_the_libraries(porting_page):
    adam = recorded("porting_adam").results
    for optimizer, table in (("adamw", adam["defaults"]), ("lion", adam["lion_defaults"])):
        for framework, defaults in table.items():
            shown = porting_page.run(PLACEHOLDERS, framework, optimizer)
            expected = fields(framework, _as_settings(framework, defaults), optimizer)
            for key, value in expected.items():
                if value is None:  # no default (optax's learning rate, Keras's Lion decay)
                    assert shown.get(key, "") == "", (optimizer, framework, key)
                else:
                    assert float(shown[key]) == value, (optimizer, framework, key)


def _as_settings(framework, defaults):
    """The recorded defaults in the shape of a row's settings."""
    if framework == "optax":
        return {"chain": [["adamw", defaults]]}
    return {"kwargs": defaults}


@pytest.mark.parametrize(
    "given, says",
    [
        ({"lr": "0.1O"}, 'lr must be a number, not "0.1O".'),
        ({"lr": "-1"}, "lr must be above 0."),
        ({"lr": "0.1", "momentum": "0.9", "nesterov": True, "dampening": "0.1"}, "Nesterov"),
        ({"lr": "0.1", "accumulate": "2.5"}, "a whole number"),
    ],
)
def test_bad_input_gets_one_clear_line_and_no_answer(porting_page, given, says):
    answer = porting_page.run(FILL, "", "torch", "sgd", given, False)
    assert answer["error"] and says in answer["error"] and not answer["targets"]


def test_the_chinese_page_answers_in_chinese(browser):
    browser.open("zh/porting/")
    browser.wait_until("return document.querySelector('.converter-target') !== null")
    given = {"lr": "0.02", "momentum": "0.9", "dampening": "0.5"}
    answer = browser.run(FILL, "", "torch", "sgd", given, False)
    keras = next(t for t in answer["targets"] if t["framework"] == "keras")
    assert not keras["exact"] and "没有设置能让训练轨迹完全一致" in keras["text"]
    assert keras["settings"]["kwargs"]["learning_rate"] == 0.01
