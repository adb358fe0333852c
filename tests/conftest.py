"""Shared test helpers: load a snippet or example as a module without running its demo."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_script(relpath):
    """Import ROOT/relpath as a module; its `if __name__ == "__main__":` block does not run."""
    path = ROOT / relpath
    name = "script_" + path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def offline_mnist(tmp_path):
    """A dataset root holding the offline MNIST subset, written by docrun.mnist."""
    from docrun import mnist

    mnist.write_offline_mnist(tmp_path / "mnist")
    return tmp_path / "mnist"


@pytest.fixture
def one_thread():
    """Tiny tensors on a shared CPU: one thread is many times faster (as in the examples)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
