"""The directive grammar: block directives, and values and claims quoted from a run's results."""

import pytest

from docrun import directives
from docrun.directives import DirectiveError, format_value, lookup, reference, sentence_around

RESULTS = {"gap": 1.04e-15, "steps": 1234, "winner": "Muon", "loss": {"sgd": [0.5, 0.25]}}


def ref(text):
    return reference(directives.INLINE.search(text))


@pytest.mark.parametrize(
    "name, spec, shown",
    [
        ("gap", ".1e", "1.0e-15"),
        ("gap", ".1sci", "1.0 × 10⁻¹⁵"),
        ("gap", ".2tex", "1.04 \\times 10^{-15}"),
        ("steps", ",", "1,234"),
        ("steps", "", "1234"),
        ("winner", "", "Muon"),
        ("loss.sgd.1", ".0%", "25%"),
        ("loss.sgd.0", ".3f", "0.500"),
    ],
)
def test_a_value_is_the_result_in_the_pages_format(name, spec, shown):
    assert format_value(lookup(RESULTS, name), spec) == shown


def test_powers_of_ten_above_one_and_of_negative_numbers():
    assert format_value(25000.0, ".1sci") == "2.5 × 10⁴"
    assert format_value(-0.003, ".0tex") == "-3 \\times 10^{-3}"


@pytest.mark.parametrize(
    "value, spec, message",
    [
        (0.5, "", "needs a format"),
        (True, "", "not a number or a word"),
        ([1, 2], ".1f", "not a number or a word"),
        ("Muon", ".2f", "format '.2f' for 'Muon'"),
        (0.0, ".1sci", "no power of ten"),
    ],
)
def test_a_value_that_cannot_be_shown_as_asked_is_one_line(value, spec, message):
    with pytest.raises(DirectiveError, match=message):
        format_value(value, spec)


@pytest.mark.parametrize(
    "name, message",
    [
        ("gaps", "no result 'gaps' \\(its results has gap, loss, steps, winner\\)"),
        ("loss.adam", "no result 'loss.adam' \\(loss has sgd\\)"),
        ("loss.sgd.5", "no result 'loss.sgd.5'"),
    ],
)
def test_a_missing_result_names_what_there_is(name, message):
    with pytest.raises(DirectiveError, match=message):
        lookup(RESULTS, name)


def test_references_parse_and_malformed_ones_say_how_to_write_them():
    assert ref("a [[value: nadam.gap.float64 | .1e]] b") == directives.Reference(
        "value", "nadam", "gap.float64", ".1e"
    )
    assert ref("[[claim: cost.below_bound]]").name == "below_bound"
    for bad in ("[[value: nadam | .1e]]", "[[value: na dam.gap]]", "[[claim: a.b | .1f]]"):
        with pytest.raises(DirectiveError, match="write \\[\\["):
            ref(bad)


def test_blocks_parse_and_a_figure_needs_its_number_and_alt_text():
    match = directives.BLOCK.search("x\n    [[figure: home_valley 2 | a valley]]\n")
    block = directives.block(match)
    assert (block.indent, block.kind, block.stem, block.n, block.text) == (
        "    ",
        "figure",
        "home_valley",
        2,
        "a valley",
    )
    with pytest.raises(DirectiveError, match="write \\[\\[figure"):
        directives.block(directives.BLOCK.search("[[figure: home_valley | a valley]]"))


def test_the_sentence_around_a_claim_is_what_an_error_quotes():
    line = "First one. Muon ends lowest [[claim: s.muon]] on this CPU. Next."
    start = line.index("[[")
    end = line.index("]]") + 2
    assert sentence_around(line, start, end) == "Muon ends lowest on this CPU."
    zh = "第一句。Muon 最低[[claim: s.muon]]。下一句。"
    start, end = zh.index("[["), zh.index("]]") + 2
    assert sentence_around(zh, start, end) == "Muon 最低。"


def test_a_number_that_is_not_finite_is_no_value_to_quote():
    for value in (float("nan"), float("inf")):
        with pytest.raises(DirectiveError, match="no number to quote"):
            format_value(value, ".3f")


def test_a_figure_number_in_other_digits_is_a_one_line_error():
    with pytest.raises(DirectiveError, match="write \\[\\[figure"):
        directives.block(directives.BLOCK.search("[[figure: home_valley ² | a valley]]"))
