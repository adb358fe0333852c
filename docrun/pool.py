"""Processes to run scripts in: forks of a warmed-up server, or fresh interpreters.

Every script runs in a process of its own, with its own globals and exit status. Starting one from
scratch costs seconds here: importing torch, and the torch._dynamo import that the first
optimizer step triggers. So by default each script runs in a fork of multiprocessing's fork server,
which has imported those once (docrun.warm) and done nothing else: no random number was drawn, no
setting changed, no thread or GPU started. With `fresh`, or where multiprocessing has no fork
server, each script gets a fresh interpreter instead. Either way the process leads its own
process group, so a timeout ends it and everything it started: POSIX (Linux, macOS) only.
"""

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import traceback
from pathlib import Path


def _forked(script, outdir, env, log_path, cwd):
    """In the forked child: become `python SCRIPT` with its output going to log_path."""
    os.setsid()
    sys.stdout.flush()
    sys.stderr.flush()
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    os._exit(run_child(script, outdir))


def run_child(script, outdir):
    """Run the script in this process; its exit status. A traceback starts at the script's own
    code, as `python SCRIPT` would show it, without the frames that ran it."""
    from docrun import execute

    try:
        execute.run(script, outdir)
        status = 0
    except SystemExit as stop:  # as the interpreter treats it: a number, or a message and 1
        status = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
        if not isinstance(stop.code, int | None):
            print(stop.code, file=sys.stderr)
    except BaseException as error:
        tb = error.__traceback__
        while tb and tb.tb_frame.f_code.co_filename != str(script):
            tb = tb.tb_next
        traceback.print_exception(type(error), error, tb or error.__traceback__)
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return status


class Job:
    """One script running in its own process group."""

    def __init__(self, process):
        self.process = process

    @property
    def pid(self):
        return self.process.pid

    def exit_code(self):
        """None while running."""
        if isinstance(self.process, subprocess.Popen):
            return self.process.poll()
        return self.process.exitcode

    def end_group(self):
        """End what the script started and left running in its process group."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)

    def kill(self):
        for kill in (os.killpg, os.kill):  # its group; itself, if it had no group of its own yet
            with contextlib.suppress(ProcessLookupError):  # already ended
                kill(self.pid, signal.SIGKILL)
        if isinstance(self.process, subprocess.Popen):
            self.process.wait()
        else:
            self.process.join()


class Pool:
    def __init__(self, env, cwd, fresh=False):
        self.env, self.cwd = env, cwd
        self.fresh = fresh or "forkserver" not in multiprocessing.get_all_start_methods()
        if not self.fresh:
            # The server (multiprocessing keeps one per process) starts at the first job and
            # inherits this environment: what is read only at interpreter start (hash seed,
            # matplotlib backend) must be set before then, so no other code in this process
            # should have started it first.
            os.environ.update({k: env[k] for k in ("PYTHONHASHSEED", "MPLBACKEND")})
            self.context = multiprocessing.get_context("forkserver")
            self.context.set_forkserver_preload(["docrun.warm"])

    def start(self, script, outdir, log_path):
        if self.fresh:
            with open(log_path, "w") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "docrun.pool", str(script), str(outdir)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.cwd,
                    env=self.env,
                    start_new_session=True,
                )
        else:
            process = self.context.Process(
                target=_forked, args=(script, outdir, self.env, log_path, self.cwd)
            )
            process.start()
        return Job(process)


if __name__ == "__main__":  # a fresh interpreter for one script: python -m docrun.pool SCRIPT OUT
    sys.exit(run_child(Path(sys.argv[1]).resolve(), sys.argv[2]))
