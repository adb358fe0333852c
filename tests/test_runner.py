"""The runner: discovery, local imports, cache keys and freshness (in this process), and what
only real processes show: isolation, byte-identical outputs, failures, timeouts and kills."""

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT

from docrun import config, render, runner
from docrun.record import Record
from docrun.rundir import RunDir
from docrun.sources import CAPTURE, UserError, cache_key, discover, local_modules, lock_hash


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


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


def make_runner(project, fresh=False, **options):
    settings = config.validated(
        {"scripts": ["scripts"], "runs_dir": "out", "lock_file": "uv.lock", **options},
        project / "mkdocs.yml",
    )
    return runner.Runner(settings, project, device="cpu", fresh=fresh)


def run_stale(project, **options):
    """Run what is stale; the records of what ran."""
    r = make_runner(project, **options)
    return r.run([(s, k) for s, k, fresh in r.plan() if not fresh], say=lambda _: None)


def docrun_run(cwd, *args):
    """The runner from the command line: in a process whose fork server it starts itself
    (multiprocessing keeps one per process, and other tests here start theirs)."""
    command = [sys.executable, "-m", "docrun", "run", "--device", "cpu", "--force", *args]
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, timeout=600)


def stems(records):
    return {r.stem for r in records}


# --- in this process: discovery, imports, keys, freshness ------------------------------------


def test_discovery_skips_helpers_and_rejects_clashes_and_unknown_names(project):
    assert [p.name for p in discover([project / "scripts"])] == [
        "alone.py",
        "uses_helper.py",
        "uses_middle.py",
    ]
    write(project / "more" / "alone.py", "")
    with pytest.raises(UserError, match="share the name 'alone'"):
        discover([project / "scripts", project / "more"])
    with pytest.raises(UserError, match="no script named 'nope'"):
        discover([project / "scripts"], only=["nope"])


def test_local_imports_are_followed_through_other_modules(project):
    s = project / "scripts"
    assert local_modules(s / "uses_middle.py") == [s / "_helper.py", s / "_middle.py"]
    assert local_modules(s / "alone.py") == []


def test_the_cache_key_changes_with_each_input_and_only_then(project):
    script, lock = project / "scripts" / "uses_middle.py", project / "uv.lock"
    key = cache_key(script, lock, "cpu")
    assert cache_key(script, lock, "cpu") == key
    assert cache_key(script, lock, "cuda:X") != key
    write(lock, "lock v2\n")
    assert cache_key(script, lock, "cpu") != key
    write(lock, "lock v1\n")
    assert cache_key(script, lock, "cpu") == key
    write(project / "scripts" / "_helper.py", "SCALE = 3\n")  # two imports away
    assert cache_key(script, lock, "cpu") != key
    assert {p.name for p in CAPTURE} == {"execute.py", "narrow.py", "theme.py", "translate.py"}


def test_a_record_is_fresh_only_when_complete_and_made_from_the_same_inputs(tmp_path):
    figure = {"n": 1, "light": "a-1-light.svg", "dark": "a-1-dark.svg", "alt": "x", "label": None}
    record = Record(script="a.py", status="ok", wall_s=1, key="k", figures=[figure])
    run_dir = RunDir(tmp_path, "a")
    write(tmp_path / "a-1-light.svg", "<svg/>")
    assert not record.is_fresh(run_dir, "k", {})  # the dark variant is missing
    write(tmp_path / "a-1-dark.svg", "<svg/>")
    assert record.is_fresh(run_dir, "k", {})
    assert not record.is_fresh(run_dir, "other key", {})
    record.status = "exit 1"
    assert not record.is_fresh(run_dir, "k", {})


def test_a_record_of_another_layout_is_not_read(tmp_path):
    run_dir = RunDir(tmp_path, "a")
    Record(script="a.py", status="ok", wall_s=1).save(run_dir)
    assert Record.load(run_dir) is not None
    data = json.loads(run_dir.record.read_text())
    run_dir.record.write_text(json.dumps({**data, "device": "cpu (old, 1 threads)"} | {"x": 1}))
    assert Record.load(run_dir) is None


STRINGS = config.load(str(ROOT / "mkdocs.yml"))[0].strings  # the site's own words


def test_a_record_round_trips_and_its_caption_is_worded_in_the_pages_language(tmp_path):
    offline = {"dir": "/d/MNIST/raw", "offline": True, "train": 4000, "test": 1000}
    record = Record(
        script="snippets/a.py",
        status="ok",
        wall_s=2.345,
        device={"kind": "cpu", "model": "AMD EPYC 7B13, 64-Core Processor", "threads": 1},
        torch_version="2.14.1",
        data=[offline],
    )
    record.save(RunDir(tmp_path, "a"))
    assert Record.load(RunDir(tmp_path, "a")) == record
    en, zh = (STRINGS[language] for language in ("en", "zh"))
    short, detail = render.provenance(record, en)
    assert short == [
        "snippets/a.py",
        "CPU",
        "torch 2.14.1",
        "offline subset of MNIST, 4,000 train / 1,000 test images",
    ]
    assert detail == ["cpu (AMD EPYC 7B13, 64-Core Processor, 1 threads)", "ran in 2.3 s"]
    record.results = {"backend": "gloo", "world_size": 4, "samples_per_s": [1234.4, 99.6]}
    short, detail = render.provenance(record, zh)  # the same facts, in the words of a zh page
    assert short[3] == "MNIST 离线子集，训练集 4,000 张 / 测试集 1,000 张图像"
    assert detail == [
        "CPU（AMD EPYC 7B13, 64-Core Processor，1 个线程）",
        "后端 gloo，4 个进程",
        "每秒 1,234 个样本, 每秒 100 个样本",
        "耗时 2.3 秒",
    ]
    record.device = {"kind": "cuda", "name": "H200"}
    assert render.provenance(record, en)[0][1] == "GPU H200"
    assert render.provenance(record, zh)[1][0] == "CUDA（H200）"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--device", "tpu"], "unknown device 'tpu'"),
        (["--timeout", "-1"], "timeout must be positive"),
        (["--only", "nope"], "no script named 'nope'"),
        (["--jobs", "0"], "jobs must be at least 1"),
        (["--config-file", "nowhere.yml"], "cannot read nowhere.yml"),
    ],
)
def test_bad_input_is_one_line_with_exit_2(project, capsys, monkeypatch, argv, message):
    base = [str(project / "scripts"), "--out", str(project / "out"), "--device", "cpu"]
    monkeypatch.chdir(project)
    assert runner.main([*base, *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("runner: error:")
    assert message in err


def test_cuda_without_cuda_is_a_one_line_error(project, capsys, monkeypatch):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    monkeypatch.chdir(project)
    assert runner.main(["scripts", "--device", "cuda"]) == 2
    assert "CUDA is not available" in capsys.readouterr().err


def test_settings_come_from_mkdocs_yml():
    settings, root = config.load(ROOT / "mkdocs.yml")
    assert root == ROOT and settings.run_alone == ["cost_benchmark", "cost_step_share"]
    assert "tests" in settings.sources and settings.names["gamma"]["zh"]


def test_a_misspelt_setting_is_an_error(tmp_path):
    with pytest.raises(UserError, match="runs_dri"):
        config.validated({"runs_dri": "x"}, tmp_path / "mkdocs.yml")


def test_a_syntax_error_is_reported_by_the_scripts_run_not_the_plan(project):
    write(project / "scripts" / "typo.py", "print('a'\n")
    records = {r.stem: r for r in run_stale(project)}
    assert records["typo"].status == "exit 1" and "SyntaxError" in records["typo"].log
    assert records["alone"].ok


# --- in real processes ---------------------------------------------------------------------


def test_no_change_reruns_nothing_and_a_helper_edit_reruns_exactly_its_dependents(project):
    records = run_stale(project)
    assert stems(records) == {"uses_helper", "uses_middle", "alone"}
    assert run_stale(project) == []
    write(project / "scripts" / "_helper.py", "SCALE = 3\n")
    assert stems(run_stale(project)) == {"uses_helper", "uses_middle"}
    assert (project / "out" / "uses_middle" / "output.txt").read_text() == "scale 3\n"
    (project / "scripts" / "alone.py").unlink()
    run_stale(project)
    assert not (project / "out" / "alone").exists()  # a deleted script loses its run


def test_a_failure_is_named_with_its_traceback_and_leaves_the_last_good_run(project):
    script = write(
        project / "scripts" / "draws.py",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()\n",
    )
    run_stale(project)
    before = (project / "out" / "draws" / "draws-1-light.svg").read_bytes()
    script.write_text(script.read_text() + "plt.plot([3, 2, 1])\nplt.show()\n1 / 0\n")
    (record,) = run_stale(project)
    assert record.status == "exit 1" and record.script.endswith("draws.py")
    assert "ZeroDivisionError" in record.log and 'draws.py", line 6' in record.log
    run_dir = project / "out" / "draws"
    assert sorted(p.name for p in run_dir.glob("*.svg")) == [  # a 6.4-inch figure: a phone
        "draws-1-dark.svg",  # layout too (docrun.narrow), and only the last good run's
        "draws-1-light.svg",
        "draws-1-narrow-dark.svg",
        "draws-1-narrow-light.svg",
    ]
    assert (run_dir / "draws-1-light.svg").read_bytes() == before
    assert not [p for p in (project / "out").iterdir() if p.name.startswith(".")]  # no scratch


def test_a_script_past_its_timeout_is_killed_with_what_it_started(project):
    write(
        project / "scripts" / "slow.py",
        """\
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        print(child.pid, flush=True)  # reaches the log although the script never ends
        time.sleep(120)
        """,
    )
    started = time.perf_counter()
    r = make_runner(project, timeout=4)
    (record,) = r.run([(s, k) for s, k, _ in r.plan(only=["slow"])], say=lambda _: None)
    assert record.status == "timeout after 4 s" and time.perf_counter() - started < 30
    grandchild = int(record.log.split()[0])
    time.sleep(0.5)
    assert not alive(grandchild)
    assert not (project / "out" / "slow").exists()


def alive(pid):
    """True while pid runs (a zombie waiting for its parent to read its status has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


SCRIPTS = {
    "env.py": """\
        import os, sys
        print(repr(os.environ['CUDA_VISIBLE_DEVICES']), sys.flags.hash_randomization)
        print(hash('a'))
        """,
    "meddles.py": """\
        import random
        import matplotlib.pyplot as plt
        import numpy as np
        import torch
        random.random(); np.random.rand(); torch.rand(3)
        torch.set_default_dtype(torch.float64); torch.set_num_threads(1)
        plt.rcParams["lines.linewidth"] = 9
        """,
    "observes.py": """\
        import random
        import matplotlib.pyplot as plt
        import numpy as np
        import torch
        torch.manual_seed(0)
        print(torch.rand(2).tolist(), torch.get_default_dtype(), torch.get_num_threads())
        print(plt.rcParams["lines.linewidth"], torch.initial_seed())
        """,
}
# Real scripts with figures in both languages, and an example notebook: their bytes must not
# depend on the process they ran in.
REAL = ["nesterov_eigen", "quadratic_damping", "contour_quadratic"]


@pytest.fixture(scope="module")
def both_modes(tmp_path_factory):
    """The same scripts run from the command line twice, at the same time, each run one script
    at a time (meddles.py before observes.py): in fresh interpreters and in forks of the warmed
    server. {fresh: {file: bytes}} for every file the runs wrote but their records (which hold
    times)."""
    from concurrent.futures import ThreadPoolExecutor

    project = tmp_path_factory.mktemp("modes")
    for name, text in SCRIPTS.items():
        write(project / "scripts" / name, text)

    def run(fresh):
        out = project / f"out-{'fresh' if fresh else 'forked'}"
        argv = [str(project / "scripts"), str(ROOT / "snippets"), str(ROOT / "examples")]
        argv += ["--config-file", str(ROOT / "mkdocs.yml"), "--out", str(out), "--jobs", "1"]
        argv += ["--only", *(Path(n).stem for n in SCRIPTS), *REAL]
        docrun_run(project, *argv, *(["--fresh"] if fresh else []))
        return {
            str(p.relative_to(out)): p.read_bytes()
            for p in out.rglob("*")
            if p.is_file() and p.name != "record.json"
        }

    with ThreadPoolExecutor(2) as pool:
        return dict(zip((True, False), pool.map(run, (True, False)), strict=True))


def test_cpu_runs_hide_the_gpus_and_fix_the_hash_seed(both_modes):
    for outputs in both_modes.values():
        assert outputs["env/output.txt"].decode().startswith("'' 0\n")


def test_one_script_cannot_change_anothers_state(both_modes):
    observed = {
        fresh: outputs["observes/output.txt"].decode() for fresh, outputs in both_modes.items()
    }
    assert observed[True] == observed[False]
    assert "torch.float32" in observed[False] and "9" not in observed[False].split("\n")[1]


def test_forked_runs_give_the_same_bytes_as_fresh_processes(both_modes):
    fresh, forked = both_modes[True], both_modes[False]
    assert fresh.keys() == forked.keys()
    assert (
        sum(name.endswith(".zh.svg") for name in fresh) > 4
        and "contour_quadratic/contour_quadratic.ipynb" in fresh
    )
    for name, data in fresh.items():
        assert forked[name] == data, name


def test_two_scripts_run_side_by_side_but_a_run_alone_script_runs_by_itself_first(tmp_path):
    for name in ("a", "b", "c_bench"):
        write(
            tmp_path / "scripts" / f"{name}.py",
            "import time\nprint(time.time()); time.sleep(1.5); print(time.time())\n",
        )
    r = make_runner(tmp_path, jobs=2, run_alone=["*_bench"])
    r.run([(s, k) for s, k, _ in r.plan()], say=lambda _: None)
    spans = {
        n: [float(x) for x in (tmp_path / "out" / n / "output.txt").read_text().split()]
        for n in ("a", "b", "c_bench")
    }
    assert spans["a"][0] < spans["b"][1] and spans["b"][0] < spans["a"][1]  # overlapped
    assert spans["c_bench"][1] <= min(spans["a"][0], spans["b"][0])  # alone, before both


def test_a_percent_format_example_becomes_an_executed_notebook(project):
    write(
        project / "scripts" / "story.py",
        """\
        # %% [markdown]
        # # A story

        # %% tags=["collapse"]
        import matplotlib.pyplot as plt
        x = 6
        print("first", x)

        # %%
        print("second", x * 7)
        plt.plot([1, 2])
        plt.gcf().set_label("gamma=0.5")
        plt.show()
        """,
    )
    run_stale(project)
    run_dir = project / "out" / "story"
    cells = json.loads((run_dir / "story.ipynb").read_text())["cells"]
    assert [c["cell_type"] for c in cells] == ["markdown", "code", "code"]
    assert cells[1]["metadata"]["tags"] == ["collapse"]
    assert "".join(cells[1]["outputs"][0]["text"]) == "first 6\n"
    assert "".join(cells[2]["outputs"][0]["text"]) == "second 42\n"
    assert cells[2]["outputs"][1]["metadata"] == {"docrun_figure": 1}
    assert Record.load(RunDir(run_dir, "story")).figures[0]["label"] == "gamma=0.5"
    download = json.loads((run_dir / "story.download.ipynb").read_text())["cells"]
    assert all(not c.get("outputs") for c in download)


def test_mnist_read_is_recorded_and_a_data_change_reruns(project, offline_mnist, monkeypatch):
    write(
        project / "scripts" / "reads.py",
        """\
        import os
        from torchvision.datasets import MNIST
        print(len(MNIST(os.environ["MNIST_ROOT"], train=True)))
        """,
    )
    monkeypatch.setenv("MNIST_ROOT", str(offline_mnist))
    run_stale(project)
    record = Record.load(RunDir.of(project / "out", "reads"))
    raw = offline_mnist / "MNIST" / "raw"
    assert record.data == [
        {"dir": str(raw.resolve()), "offline": True, "train": 4000, "test": 1000}
    ]
    assert "reads" not in stems(run_stale(project))
    (offline_mnist / "MNIST" / "OFFLINE_SUBSET.txt").unlink()  # now it reads as full MNIST
    assert "reads" in stems(run_stale(project))


def test_a_terminated_runner_ends_its_scripts_and_leaves_no_scratch(project):
    write(
        project / "scripts" / "sleeps.py",
        "import os, time\nprint(os.getpid(), flush=True)\ntime.sleep(120)\n",
    )
    command = [sys.executable, "-m", "docrun", "run", "scripts", "--out", "out", "--device", "cpu"]
    command.append("--fresh")  # no fork server to warm up: the script imports nothing
    runner_process = subprocess.Popen([*command, "--only", "sleeps"], cwd=project)
    deadline = time.perf_counter() + 120
    logs = []
    while not logs and time.perf_counter() < deadline:
        logs = [p for p in (project / "out").glob(".sleeps-*/log.txt") if p.read_text().strip()]
        time.sleep(0.2)
    script_pid = int(logs[0].read_text().split()[0])
    runner_process.terminate()
    assert runner_process.wait(timeout=60) != 0
    time.sleep(0.5)
    assert not alive(script_pid)
    assert not list((project / "out").glob(".*"))


def test_a_script_that_leaves_a_process_behind_takes_it_along(project):
    write(
        project / "scripts" / "leaves.py",
        """\
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        print(child.pid)
        """,
    )
    (record,) = [r for r in run_stale(project) if r.stem == "leaves"]
    time.sleep(0.5)
    assert record.ok and not alive(int((project / "out" / "leaves" / "output.txt").read_text()))


LOCK = """\
version = 1

[[package]]
name = "proj"
version = "0.1.0"
source = {{ editable = "." }}
dependencies = []

[package.dev-dependencies]
examples = [{{ name = "torch" }}]
test = [{{ name = "pytest" }}]

[[package]]
name = "torch"
version = "2.0"
dependencies = [{{ name = "numpy" }}]

[[package]]
name = "numpy"
version = "{numpy}"

[[package]]
name = "pytest"
version = "{pytest}"
"""


def test_the_lock_hash_of_a_group_follows_only_what_that_group_resolves_to(tmp_path):
    lock = tmp_path / "uv.lock"

    def hashes(numpy, pytest_version):
        lock.write_text(LOCK.format(numpy=numpy, pytest=pytest_version))
        os.utime(lock, ns=(0, 0))  # the same size and time each write: only the content differs
        return lock_hash(lock, ["examples"]), lock_hash(lock)

    group, whole = hashes("1.0", "8.0")
    group_after, whole_after = hashes("1.0", "9.0")  # a new pytest: only the test group has it
    assert group_after == group and whole_after != whole
    assert hashes("2.0", "8.0")[0] != group  # a dependency of a dependency of the group
    with pytest.raises(UserError, match="no dependency group 'docs'"):
        lock_hash(lock, ["docs"])


@pytest.mark.parametrize(
    "results, message",
    [
        ('{"a b": 1}', "result name 'a b': use letters, digits, _ and - only"),
        ('{"gap": {"x.y": 1}}', "result name 'x.y'"),
        ('{"world_size": "four"}', "'world_size' is shown as provenance: a int"),
        ("[1, 2]", "holds a list, not a JSON object"),
        ("{oops", "holds no JSON"),
    ],
)
def test_results_a_page_could_not_quote_stop_the_run_with_one_line(tmp_path, results, message):
    from docrun import execute

    run = execute.Run(tmp_path / "exports.py", RunDir(tmp_path, "exports"), {})
    run.dir.results.write_text(results)  # as the script would have written it
    with pytest.raises(SystemExit, match=re.escape(message)):
        run.results()
