"""The search index reads formulas as text (hooks/search_text.py): previews show no TeX."""

# ruff: noqa: RUF001 (Greek letters are what these strings are about)

from conftest import load_script

search_text = load_script("hooks/search_text.py")


def test_formulas_become_text_with_greek_letters_and_no_markup():
    readable = search_text.readable
    assert readable(r"keep \(\eta/(1-\gamma)\) fixed") == "keep η/(1-γ) fixed"
    assert readable(r"\(\frac{a}{b} + \tfrac12\)") == "a/b + 1/2"
    cases = r"\[\rho = \begin{cases} \sqrt\gamma &amp; t^2 < 4\gamma,\\[2pt] 0 \end{cases}\]"
    assert readable(cases) == "ρ = √γ t^2 < 4γ, 0"
    assert readable(r"\(\theta_{k+1} \leftarrow \theta_k - \eta\, b_k\)") == "θ_(k+1) ← θ_k - η b_k"
    assert readable("no formula, 3 < 4") == "no formula, 3 < 4"
    assert readable(r"\(\tilde\eta = \eta/(\sqrt{\hat s}+\epsilon)\)") == "η\u0303 = η/(√s\u0302+ε)"
    nested = r"\(\frac{\dfrac{1-\mu_t}{1-\prod_{i\le t}\mu_i} g_k}{2}\)"
    assert readable(nested) == "((1-μ_t)/(1-Π_(i≤ t)μ_i) g_k)/2"
    assert readable(r"\(\{0.01, \dots\}\), \(\xi\|\theta\|^2\), \(1\%\)") == "{0.01, …}, ξ‖θ‖^2, 1%"
