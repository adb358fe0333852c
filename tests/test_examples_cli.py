"""Bad input to an example on the command line: one line on stderr, no traceback, exit != 0."""

import os
import subprocess
import sys

import pytest
import torch
from conftest import ROOT

NO_CUDA = pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
CASES = [
    ("mnist_mlp", ["--lr", "-1"]),
    pytest.param("mnist_mlp", ["--device", "cuda"], marks=NO_CUDA),
    ("mnist_convnet", ["--profile", "long"]),
    pytest.param("mnist_convnet", ["--device", "cuda"], marks=NO_CUDA),
    ("contour_quadratic", ["--momentum", "1.5"]),
    ("adam_from_scratch", ["--lr", "-1"]),
]


@pytest.mark.parametrize("stem, argv", CASES)
def test_bad_input_is_one_line_and_a_nonzero_exit(stem, argv):
    script = ROOT / "examples" / f"{stem}.py"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, script, *argv], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    # The rejection comes from option checking, not from a later failure (e.g. missing MNIST).
    assert argv[0] in proc.stderr and ": error:" in proc.stderr, proc.stderr
    if argv == ["--device", "cuda"]:
        assert "cuda" in proc.stderr.lower(), proc.stderr
