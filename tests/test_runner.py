"""The runner behind `nox -s examples`: isolation, failures, timeouts, caching, device choice."""

import json
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import ROOT

RUNNER = ROOT / "docs" / "_pipeline" / "runner.py"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(tmp_path, *args, env=None):
    """Run the runner over tmp_path/scripts; returns (exit code, stdout, stderr, scripts run)."""
    cmd = [sys.executable, str(RUNNER), str(tmp_path / "scripts"), "--out", str(tmp_path / "out")]
    cmd += ["--lock", str(tmp_path / "uv.lock"), "--device", "cpu", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    executed = {
        line.split()[1].rsplit("/", 1)[-1]
        for line in proc.stdout.splitlines()
        if line.startswith("running ")
    }
    return proc.returncode, proc.stdout, proc.stderr, executed


@pytest.fixture
def project(tmp_path):
    """Three scripts: two share a helper module (one through another module), one stands alone."""
    s = tmp_path / "scripts"
    write(s / "_helper.py", "SCALE = 2\n")
    write(s / "_middle.py", "from _helper import SCALE\n")
    write(s / "uses_helper.py", "import _helper\nprint('scale', _helper.SCALE)\n")
    write(s / "uses_middle.py", "from _middle import SCALE\nprint('scale', SCALE)\n")
    write(s / "alone.py", "print('alone')\n")
    write(tmp_path / "uv.lock", "lock v1\n")
    return tmp_path


def test_no_change_second_run_executes_nothing(project):
    code, _, _, executed = run(project)
    assert code == 0 and executed == {"uses_helper.py", "uses_middle.py", "alone.py"}
    code, out, _, executed = run(project)
    assert code == 0 and executed == set()
    assert "executed 0, cached 3, failed 0" in out


def test_editing_a_helper_reruns_exactly_its_dependents(project):
    run(project)
    write(project / "scripts" / "_helper.py", "SCALE = 3\n")
    code, _, _, executed = run(project)
    assert code == 0 and executed == {"uses_helper.py", "uses_middle.py"}
    assert (project / "out" / "uses_middle" / "output.txt").read_text() == "scale 3\n"


def test_a_deleted_script_loses_its_run(project):
    run(project)
    (project / "scripts" / "alone.py").unlink()
    run(project, "--only", "uses_helper")
    assert not (project / "out" / "alone").exists()
    assert (project / "out" / "uses_middle" / "record.json").exists()


def test_editing_a_script_the_lock_or_forcing_reruns(project):
    run(project)
    write(project / "scripts" / "alone.py", "print('changed')\n")
    assert run(project)[3] == {"alone.py"}
    write(project / "uv.lock", "lock v2\n")
    assert len(run(project)[3]) == 3
    assert len(run(project, "--force")[3]) == 3


def test_failing_script_exits_nonzero_names_it_and_shows_its_traceback(project):
    write(project / "scripts" / "broken.py", "print('before')\n1 / 0\n")
    code, out, err, executed = run(project)
    assert code == 1
    assert "FAILED" in out and "broken.py" in out and "ZeroDivisionError" in out
    assert "Traceback" in out and 'broken.py", line 2' in out
    assert "broken.py" in err
    assert executed == {"broken.py", "uses_helper.py", "uses_middle.py", "alone.py"}
    assert (project / "out" / "alone" / "record.json").exists()  # the others still ran


def test_a_failed_run_leaves_no_half_written_figure(project):
    script = write(
        project / "scripts" / "draws.py",
        """\
        import matplotlib.pyplot as plt
        plt.plot([1, 2, 3])
        plt.show()
        """,
    )
    assert run(project)[0] == 0
    before = (project / "out" / "draws" / "draws-1-light.svg").read_bytes()
    script.write_text(script.read_text() + "plt.plot([3, 2, 1])\nplt.show()\nraise SystemExit(3)\n")
    code, out, _, _ = run(project)
    assert code == 1 and "exit 3" in out
    run_dir = project / "out" / "draws"
    assert sorted(p.name for p in run_dir.glob("*.svg")) == [
        "draws-1-dark.svg",
        "draws-1-light.svg",
    ]
    assert (run_dir / "draws-1-light.svg").read_bytes() == before
    assert not [p for p in (project / "out").iterdir() if p.name.startswith(".")]  # no scratch


def test_script_past_its_timeout_is_killed_and_reported(project):
    write(project / "scripts" / "slow.py", "import time\ntime.sleep(120)\n")
    started = time.perf_counter()
    code, out, _, _ = run(project, "--timeout", "3", "--only", "slow")
    assert code == 1 and "timeout after 3 s" in out and "slow.py" in out
    assert time.perf_counter() - started < 60
    assert not (project / "out" / "slow").exists()


def test_cuda_without_cuda_is_a_one_line_error_with_exit_2(project):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    code, out, err, executed = run(project, "--device", "cuda")
    assert code == 2 and executed == set() and out == ""
    assert err.count("\n") == 1 and "CUDA is not available" in err and "Traceback" not in err


@pytest.mark.parametrize("args", [["--device", "tpu"], ["--timeout", "-1"], ["--only", "nope"]])
def test_bad_input_is_a_one_line_error_with_exit_2(project, args):
    code, out, err, _ = run(project, *args)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("runner: error:")


def test_environment_variable_picks_the_device(project):
    import os

    env = {**os.environ, "MOMENTUM_DEVICE": "tpu"}
    cmd = [sys.executable, str(RUNNER), str(project / "scripts"), "--out", str(project / "out")]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and "'tpu'" in proc.stderr


def test_cpu_runs_hide_the_gpus_from_the_scripts(project):
    write(
        project / "scripts" / "env.py",
        "import os\nprint(repr(os.environ['CUDA_VISIBLE_DEVICES']))\n",
    )
    run(project, "--only", "env")
    assert (project / "out" / "env" / "output.txt").read_text() == "''\n"


def test_record_output_and_figures_in_both_themes(project):
    write(
        project / "scripts" / "plot.py",
        """\
        import matplotlib.pyplot as plt
        print("value", 42)
        fig, ax = plt.subplots()
        ax.plot([1, 10, 100], label="loss")
        ax.set(yscale="log", xlabel="step", ylabel="loss", title="Loss")
        ax.legend()
        plt.show()
        """,
    )
    assert run(project, "--only", "plot")[0] == 0
    run_dir = project / "out" / "plot"
    record = json.loads((run_dir / "record.json").read_text())
    assert record["status"] == "ok" and record["device"].startswith("cpu")
    assert len(record["source_hash"]) == 64 and record["wall_s"] > 0
    assert record["max_rss_bytes"] > 10 * 2**20 and record["data"] is None
    assert record["figures"][0]["alt"] == '"Loss"; x: step; y: loss (log scale); curves: loss'
    assert (run_dir / "output.txt").read_text() == "value 42\n"
    light = (run_dir / "plot-1-light.svg").read_text()
    dark = (run_dir / "plot-1-dark.svg").read_text()
    assert "#1f2328" in light and "#1f2328" not in dark and "#d6dbe1" in dark
    run(project, "--only", "plot", "--force")  # same script, same bytes: stable names and ids
    assert (run_dir / "plot-1-light.svg").read_text() == light


def test_percent_format_example_becomes_an_executed_notebook(project):
    write(
        project / "scripts" / "story.py",
        """\
        # %% [markdown]
        # # A story
        # Told in cells.

        # %%
        import matplotlib.pyplot as plt
        x = 6
        print("first", x)

        # %%
        print("second", x * 7)
        plt.plot([1, 2])
        plt.show()
        """,
    )
    assert run(project, "--only", "story")[0] == 0
    run_dir = project / "out" / "story"
    cells = json.loads((run_dir / "story.ipynb").read_text())["cells"]
    assert [c["cell_type"] for c in cells] == ["markdown", "code", "code"]
    assert "".join(cells[1]["outputs"][0]["text"]) == "first 6\n"
    second = cells[2]["outputs"]
    assert "".join(second[0]["text"]) == "second 42\n"
    assert second[1]["output_type"] == "display_data"
    assert "@run/story/story-1-light.svg#only-light" in "".join(second[1]["data"]["text/html"])
    download = json.loads((run_dir / "story.download.ipynb").read_text())["cells"]
    assert all(not c.get("outputs") for c in download)


def test_mnist_read_is_recorded_and_a_data_change_reruns(project, offline_mnist):
    write(
        project / "scripts" / "reads.py",
        """\
        import os
        from torchvision.datasets import MNIST
        print(len(MNIST(os.environ["MNIST_ROOT"], train=True)))
        """,
    )
    import os

    env = {**os.environ, "MNIST_ROOT": str(offline_mnist)}
    assert run(project, "--only", "reads", env=env)[0] == 0
    record = json.loads((project / "out" / "reads" / "record.json").read_text())
    assert record["data"] == "offline subset of MNIST, 4,000 train / 1,000 test images"
    assert run(project, "--only", "reads", env=env)[3] == set()
    (offline_mnist / "MNIST" / "OFFLINE_SUBSET.txt").unlink()  # now it reads as full MNIST
    assert run(project, "--only", "reads", env=env)[3] == {"reads.py"}
