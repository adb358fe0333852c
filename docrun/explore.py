"""Explorable figures: a script's labelled frames, checked to form a full grid of parameters.

A script draws one figure per parameter value and labels it with a standard matplotlib call,

    fig.set_label("gamma=0.9")                       one parameter
    fig.set_label("alpha=0.5, beta=0.7 | rho=0.775")  two, and a readout after the bar

The page shows one slider per parameter; the browser only picks which drawn frame to show.
"""

import itertools
import re
from dataclasses import dataclass

PAIR = re.compile(r"^([A-Za-z_]\w*)=(\S(?:.*\S)?)$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


class ExploreError(ValueError):
    """A problem with a script's frames, said in one line."""


@dataclass
class Frame:
    figure: dict  # the record's figure entry
    params: dict  # name -> value as written ("0.9")
    readout: dict  # name -> value as written


def parse_pairs(text, label):
    pairs = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        match = PAIR.match(item)
        if not match:
            raise ExploreError(f"label {label!r} does not parse: write 'name=value, ... | ...'")
        pairs[match.group(1)] = match.group(2)
    return pairs


def frames_of(figures):
    """The labelled figures as frames; the unlabelled ones are ordinary figures."""
    frames = []
    for figure in figures:
        label = figure.get("label")
        if not label:
            continue
        params_text, _, readout_text = label.partition("|")
        params = parse_pairs(params_text, label)
        if not params:
            raise ExploreError(f"label {label!r} names no parameter")
        for name, value in params.items():
            if not NUMBER.match(value):
                raise ExploreError(f"label {label!r}: {name}={value} is not a number")
        frames.append(Frame(figure, params, parse_pairs(readout_text, label)))
    return frames


def grid(frames):
    """{parameter: sorted values}, once checked that every combination is drawn exactly once."""
    if not frames:
        raise ExploreError("it drew no labelled frames (fig.set_label('name=value'))")
    names = list(frames[0].params)
    if len(names) > 2:
        raise ExploreError(f"{len(names)} parameters ({', '.join(names)}): at most two")
    axes, readouts = {}, sorted(frames[0].readout)
    for frame in frames:
        if list(frame.params) != names:
            raise ExploreError(f"frame {frame.figure['n']} has {list(frame.params)}, not {names}")
        if sorted(frame.readout) != readouts:
            raise ExploreError(f"frame {frame.figure['n']} reads out {sorted(frame.readout)}")
        for name, value in frame.params.items():
            axes.setdefault(name, set()).add(value)
    axes = {name: sorted(values, key=float) for name, values in axes.items()}
    drawn = [tuple(f.params[n] for n in names) for f in frames]
    repeated = {c for c in drawn if drawn.count(c) > 1}
    if repeated:
        raise ExploreError(f"frame drawn twice: {_combo(names, min(repeated))}")
    missing = set(itertools.product(*axes.values())) - set(drawn)
    if missing:
        raise ExploreError(f"missing frame {_combo(names, min(missing))} in the grid")
    return axes


def _combo(names, values):
    return ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True))
