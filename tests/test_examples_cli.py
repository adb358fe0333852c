"""Bad input to an example on the command line: one line on stderr, no traceback, exit != 0.

The options are checked in-process (parse_args raises SystemExit with the message); one run of
a script checks what only a process shows: the line on stderr, no traceback, the exit status.
"""

import os
import subprocess
import sys

import pytest
import torch
from conftest import ROOT, load_script

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
    example = load_script(f"examples/{stem}.py")
    with pytest.raises(SystemExit) as stop:
        example.parse_args(argv)
    message = stop.value.code  # a string: Python prints it to stderr and exits with status 1
    assert isinstance(message, str) and "\n" not in message, message
    # The rejection comes from option checking, not from a later failure (e.g. missing MNIST).
    assert argv[0] in message and ": error:" in message, message
    if argv == ["--device", "cuda"]:
        assert "cuda" in message.lower(), message


def test_a_bad_option_ends_the_process_with_one_line_and_no_traceback():
    script = ROOT / "examples" / "mnist_mlp.py"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, script, "--lr", "-1"], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == ["mnist_mlp.py: error: --lr must be > 0, got -1.0"]
