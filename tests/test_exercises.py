"""The exercises: each solution's answer, the exercises' format on every page, and their list.

Each page's exercises are the last section, `## Exercises` (zh `## 练习`), made of collapsed
`??? question "title"` blocks, each holding a collapsed `??? success "Solution"` that includes
snippets/exercise_PAGE_N.py and shows its output. docs/exercises.md lists every one of them.
"""

import math
import re

import numpy as np
import pytest
from conftest import ROOT, load_script

DOCS = ROOT / "docs"
LIST = "exercises"
HEADING = {"en": "## Exercises {#exercises}", "zh": "## 练习 {#exercises}"}
SOLUTION = {"en": '??? success "Solution"', "zh": '??? success "解答"'}
QUESTION = re.compile(r'^\?\?\? question "(.+)"\s*$', re.MULTILINE)
# The pages whose exercises are written in these scripts; other pages may add their own.
PAGES_WITH_EXERCISES = ("update_rule", "terminal_velocity", "nesterov", "quadratic", "faq")


def script(name):
    return load_script(f"snippets/exercise_{name}.py")


# --- the update rule ----------------------------------------------------------------------------


def test_update_rule_1_three_steps_with_weight_decay_by_hand_equal_torch():
    ex = script("update_rule_1")
    hand, torch_rows = ex.by_hand(), ex.by_torch()
    assert np.allclose(hand, torch_rows, rtol=0, atol=1e-14)
    # the numbers the solution works out: buffers 1.1, 2.079, 2.93931; theta 0.89, 0.6821, 0.388169
    assert np.allclose(hand, [(1.1, 0.89), (2.079, 0.6821), (2.93931, 0.388169)], atol=1e-12)


def test_update_rule_2_without_zero_grad_momentum_diverges_at_every_lr():
    ex = script("update_rule_2")
    for lr in (0.01, 0.001):
        assert ex.run(lr, zero_grad=True)[-1] < 2e-3  # converging (1.9e-3 at lr 0.001)
        assert ex.run(lr, zero_grad=False)[-1] > 1e4  # from |w - 1| = 4 at the start
    assert all(ex.growth_per_step(lr) > 1 for lr in np.logspace(-8, 0, 49))
    # the second-order estimate of the growth: its excess over 1 within 1 % for small lr
    for lr in (1e-6, 1e-7):
        excess = ex.growth_per_step(lr) - 1
        assert excess == pytest.approx(ex.small_lr_estimate(lr) - 1, rel=0.01)


def test_update_rule_2_the_growth_factor_is_what_the_loop_measures():
    ex = script("update_rule_2")
    dist = ex.run(0.01, zero_grad=False)
    # complex roots: |w - 1| oscillates (period 26 steps); compare the envelopes of two windows
    measured = (dist[-60:].max() / dist[-160:-100].max()) ** (1 / 100)
    assert measured == pytest.approx(ex.growth_per_step(0.01), rel=5e-3)


def test_update_rule_3_distance_after_n_steps_matches_torch_to_1e_12():
    ex = script("update_rule_3")
    for gamma in (0.5, 0.9):
        for n in (1, 2, 10, 100, 1000):
            assert ex.torch_distance(n, gamma) == pytest.approx(ex.closed_form(n, gamma), rel=1e-12)
    lag = ex.LR * ex.G * 1000 / (1 - 0.9) - ex.torch_distance(1000, 0.9)
    assert lag == pytest.approx(ex.LR * ex.G * 0.9 / (1 - 0.9) ** 2, rel=1e-9)  # 9.0


# --- why 1/(1 - gamma) --------------------------------------------------------------------------


def test_terminal_velocity_1_a_pulse_travels_one_over_one_minus_gamma_times_as_far():
    ex = script("terminal_velocity_1")
    plain, mom = ex.steps_taken(0.0), ex.steps_taken(ex.GAMMA)
    assert mom.sum() / plain.sum() == pytest.approx(1 / (1 - ex.GAMMA), rel=1e-12)
    assert mom[: ex.PULSE].sum() == pytest.approx(4.1381, abs=5e-5)  # during the pulse
    assert mom[ex.PULSE :].sum() == pytest.approx(5.8619, abs=5e-5)  # coasting afterwards
    assert mom.max() == pytest.approx(ex.LR * (1 - ex.GAMMA**ex.PULSE) / (1 - ex.GAMMA), rel=1e-12)


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_terminal_velocity_2_buffer_lags_gamma_over_one_minus_gamma_steps(gamma):
    ex = script("terminal_velocity_2")
    assert ex.delay(gamma) == pytest.approx(gamma / (1 - gamma), rel=1e-9)
    assert ex.mean_age(gamma) == pytest.approx(gamma / (1 - gamma), rel=1e-9)


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_terminal_velocity_3_period_four_gain_and_unit_gain_period(gamma):
    ex = script("terminal_velocity_3")
    assert ex.measured_gain(gamma, 4) == pytest.approx(1 / math.sqrt(1 + gamma**2), rel=1e-9)
    assert ex.measured_gain(gamma, 4) < 1  # period 4 is damped for every gamma
    omega = 2 * math.pi / ex.unit_gain_period(gamma)
    assert ex.gain(gamma, omega) == pytest.approx(1.0, rel=1e-12)
    assert ex.gain(gamma, 0.99 * omega) > 1 > ex.gain(gamma, 1.01 * omega)
    assert 4 < ex.unit_gain_period(gamma) < 6  # period 6 or slower: always amplified


# --- Nesterov -----------------------------------------------------------------------------------


def test_nesterov_1_nesterov_step_k_is_plain_momentum_step_k_plus_1():
    ex = script("nesterov_1")
    nesterov, plain = ex.torch_steps(True, 50), ex.torch_steps(False, 51)
    for k in range(1, 51):
        assert nesterov[k - 1] == pytest.approx(ex.nesterov_step(k), rel=1e-12)
        assert nesterov[k - 1] == pytest.approx(plain[k], rel=1e-12)
    assert nesterov[0] == pytest.approx(ex.LR * ex.G * (1 + ex.MU), rel=1e-12)  # 0.19, not 0.1


def test_nesterov_2_at_lr_one_over_lambda_nesterov_stays_on_the_minimum():
    ex = script("nesterov_2")
    nesterov, heavy = ex.run("nesterov"), ex.run("heavy ball")
    assert max(abs(x) for x in nesterov[1:]) == 0.0  # exactly, from step 1 on
    assert heavy[1] == 0.0 and heavy[2] == pytest.approx(-ex.MU, rel=1e-12)
    assert ex.steps_to(heavy) == 263
    # heavy ball rings with modulus sqrt(mu) (complex roots), so about ln(tol)/ln(sqrt(mu)) steps
    assert ex.steps_to(heavy) == pytest.approx(
        math.log(ex.TOL) / math.log(math.sqrt(ex.MU)), rel=0.02
    )


@pytest.mark.parametrize("h", [0.001, 0.04, 0.25])
def test_nesterov_3_critical_momentum_gives_rate_one_minus_sqrt_h(h):
    ex = script("nesterov_3")
    mu_c = ex.critical_mu(h)
    assert mu_c * (1 - h) == pytest.approx((1 - math.sqrt(h)) ** 2, rel=1e-12)
    assert ex.rate(h, mu_c) == pytest.approx(1 - math.sqrt(h), abs=1e-6)  # a double root
    mus = np.linspace(0, 0.999, 4000)
    best = mus[np.argmin([ex.rate(h, mu) for mu in mus])]
    assert abs(best - mu_c) < 1e-3
    kappa = 1 / h  # Nesterov's constant momentum for condition number kappa, at lr = 1/L
    assert mu_c == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1), rel=1e-12)


# --- the quadratic picture ----------------------------------------------------------------------


def test_quadratic_1_kappa_25_numbers_and_rates_from_eigenvalues():
    ex = script("quadratic_1")
    alpha, beta = (2 / (1 + math.sqrt(0.04))) ** 2, ((5 - 1) / (5 + 1)) ** 2
    assert (round(alpha, 4), round(beta, 4)) == (2.7778, 0.4444)
    assert ex.rate(alpha, beta) == pytest.approx(2 / 3, abs=1e-6)  # double roots at both ends
    assert ex.rate(2 / 1.04, 0.0) == pytest.approx(24 / 26, rel=1e-12)


def test_quadratic_2_beta_0_99_is_slower_than_gradient_descent_at_alpha_1_over_l():
    ex = script("quadratic_2")
    rates = {b: max(ex.rate(b, ex.MU), ex.rate(b, ex.L)) for b in (0.0, 0.5, 0.9, 0.99)}
    assert rates[0.0] == pytest.approx(0.99, rel=1e-12)
    assert rates[0.5] < rates[0.0] and rates[0.9] < rates[0.5]
    assert rates[0.9] == pytest.approx(math.sqrt(0.9), rel=1e-12)
    assert rates[0.99] == pytest.approx(math.sqrt(0.99), rel=1e-12) and rates[0.99] > rates[0.0]
    for b, r in rates.items():
        assert ex.measured_rate(b) == pytest.approx(r, abs=3e-4)


@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_quadratic_3_flat_direction_rate_is_one_minus_h_over_one_minus_beta(beta):
    ex = script("quadratic_3")
    for h in (1e-4, 1e-5, 1e-6):
        exact = 1 - ex.rate(h, beta)
        # first order in h; the error is the second-order term beta h^2 / (1 - beta)^3
        assert exact == pytest.approx(h / (1 - beta), rel=1.1 * beta * h / (1 - beta) ** 2)


@pytest.mark.parametrize("kappa", [10, 100, 1000])
def test_quadratic_4_both_tuned_methods_tolerate_exactly_one_plus_one_over_kappa(kappa):
    ex = script("quadratic_4")
    gd, hb = ex.tolerances(kappa)
    assert gd == pytest.approx(1 + 1 / kappa, rel=1e-9)
    assert hb == pytest.approx(1 + 1 / kappa, rel=1e-9)


# --- FAQ ----------------------------------------------------------------------------------------


def test_faq_1_sparse_row_travels_lr_g_one_minus_gamma_n_over_one_minus_gamma():
    ex = script("faq_1")
    for n in (1, 2, 10, 44, 100):
        assert ex.row_distance(n) == pytest.approx(ex.closed_form(n), rel=1e-12)
    assert ex.closed_form(44) >= 0.99 * ex.LR / (1 - ex.GAMMA) > ex.closed_form(43)


def test_faq_2_first_adam_step_with_missing_bias_corrections():
    ex = script("faq_2")
    lr, b1, b2 = ex.LR, ex.B1, ex.B2
    assert ex.torch_first_step() == pytest.approx(lr, rel=1e-6)  # eps = 1e-8 against 0.5
    assert ex.first_step(True, True) == pytest.approx(ex.torch_first_step(), rel=1e-12)
    assert ex.first_step(True, False) == pytest.approx(lr / math.sqrt(1 - b2), rel=1e-6)
    assert ex.first_step(False, True) == pytest.approx(lr * (1 - b1), rel=1e-6)
    assert ex.first_step(False, False) == pytest.approx(lr * (1 - b1) / math.sqrt(1 - b2), rel=1e-6)


def test_faq_3_weight_decay_fixed_points_coupled_and_decoupled():
    ex = script("faq_3")
    assert ex.coupled() == pytest.approx(1 / (1 + ex.WD), rel=1e-12)
    assert ex.decoupled() == pytest.approx(1 / (1 + ex.WD * (1 - ex.GAMMA)), rel=1e-12)
    assert ex.decoupled(ex.WD / (1 - ex.GAMMA)) == pytest.approx(ex.coupled(), rel=1e-12)


# --- the format on every page, and the list -----------------------------------------------------


def pages_with_exercises():
    """English pages with an exercises heading or a question (the list page itself excluded)."""
    found = re.compile(r"^## Exercises\b|^\?\?\? question ", re.MULTILINE)
    return sorted(
        p.stem
        for p in DOCS.glob("*.md")
        if not p.name.endswith(".zh.md")
        and p.stem != LIST
        and found.search(p.read_text(encoding="utf-8"))
    )


def page_file(stem, lang):
    return DOCS / (f"{stem}.md" if lang == "en" else f"{stem}.zh.md")


def exercises_of(stem, lang):
    """[(title, block text)] of the page's exercises, checking they end the page."""
    text = page_file(stem, lang).read_text(encoding="utf-8")
    assert text.count(HEADING[lang]) == 1, f"{stem} ({lang}): one heading {HEADING[lang]!r}"
    section = text.split(HEADING[lang], 1)[1]
    assert not re.search(r"^#{1,2} ", section, re.MULTILINE), f"{stem} ({lang}): not the end"
    starts = list(QUESTION.finditer(section))
    assert starts and not section[: starts[0].start()].strip().startswith("???")
    return [
        (m.group(1), section[m.end() : starts[i + 1].start() if i + 1 < len(starts) else None])
        for i, m in enumerate(starts)
    ]


def test_the_pages_named_have_exercises():
    assert set(PAGES_WITH_EXERCISES) <= set(pages_with_exercises())


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("stem", pages_with_exercises())
def test_each_exercise_hides_a_solution_that_includes_its_script_and_output(stem, lang):
    exercises = exercises_of(stem, lang)
    assert 3 <= len(exercises) <= 6
    for n, (title, block) in enumerate(exercises, start=1):
        name = f"exercise_{stem}_{n}"
        lines = block.splitlines()
        assert f"    {SOLUTION[lang]}" in lines, f"{title}: no nested {SOLUTION[lang]}"
        solution = block.split(SOLUTION[lang], 1)[1]
        assert re.search(rf'^ {{8}}--8<-- "snippets/{name}\.py(:\w+)?"$', solution, re.MULTILINE)
        assert f"        [[output: {name}]]" in solution.splitlines(), f"{title}: no output"
        assert (ROOT / "snippets" / f"{name}.py").exists()


@pytest.mark.parametrize("stem", pages_with_exercises())
def test_exercises_are_the_same_in_both_languages(stem):
    en, zh = exercises_of(stem, "en"), exercises_of(stem, "zh")
    assert len(en) == len(zh)
    include = re.compile(r'--8<-- "([^"]+)"|\[\[output: (\S+)\]\]')
    for (_, a), (_, b) in zip(en, zh, strict=True):
        assert include.findall(a) == include.findall(b)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_question_on_every_page_is_in_the_list(lang):
    listing = page_file(LIST, lang).read_text(encoding="utf-8")
    pages = [p for p in sorted(DOCS.glob("*.md")) if p.name.endswith(".zh.md") == (lang == "zh")]
    missing = [
        f"{page.name}: {title}"
        for page in pages
        if page.name.split(".")[0] != LIST
        for title in QUESTION.findall(page.read_text(encoding="utf-8"))
        if f"[{title}]({page.name.split('.')[0]}.md#exercises)" not in listing
    ]
    assert missing == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_list_names_and_links_every_exercise(lang):
    listing = page_file(LIST, lang).read_text(encoding="utf-8")
    missing = [
        f"{stem}: {title}"
        for stem in pages_with_exercises()
        for title, _ in exercises_of(stem, lang)
        if f"[{title}]({stem}.md#exercises)" not in listing
    ]
    assert missing == []
    listed = re.findall(r"\]\(([\w-]+)\.md#exercises\)", listing)
    assert len(listed) == sum(len(exercises_of(s, lang)) for s in pages_with_exercises())


def test_every_exercise_script_is_on_a_page():
    used = {
        f"exercise_{stem}_{n}"
        for stem in pages_with_exercises()
        for n in range(1, len(exercises_of(stem, "en")) + 1)
    }
    scripts = {p.stem for p in (ROOT / "snippets").glob("exercise_*.py")}
    pages = pages_with_exercises()
    assert {s for s in scripts if any(s.startswith(f"exercise_{p}_") for p in pages)} <= used


@pytest.mark.site
def test_no_directive_is_left_unexpanded_in_the_built_pages():
    """A directive inside an admonition is indented; the build must expand it there too."""
    site = ROOT / "build" / "site"
    if not (site / "index.html").exists():
        pytest.fail("no build/site: run `nox -s docs` first")
    left = [
        str(p.relative_to(site))
        for p in sorted(site.rglob("*.html"))
        if "source" not in p.relative_to(site).parts  # published code may quote a directive
        and re.search(r"\[\[(output|figure|explore|notebook):", p.read_text(encoding="utf-8"))
    ]
    assert left == []
