"""examples/mnist_mlp.py: the hand-written optimizer is PyTorch's, data loading, bad input."""

import pytest
import torch
from conftest import load_script

m = load_script("examples/mnist_mlp.py")


pytestmark = pytest.mark.usefixtures("one_thread")


def synthetic_digits(n=640, seed=0, dtype=torch.float32):
    """Inputs in [-1, 1] shaped like MNIST, labels from a fixed random linear teacher."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 784, generator=gen, dtype=dtype) * 2 - 1
    y = (x @ torch.randn(784, 10, generator=gen, dtype=dtype)).argmax(1)
    return x, y


def train_with(kind, dtype=torch.float32, epochs=30):
    """300 steps (10 batches of 64, 30 epochs) of `kind`; return the parameters and the losses."""
    x, y = synthetic_digits(dtype=dtype)
    model = m.make_mlp(seed=0).to(dtype)
    step = m.make_step(kind, list(model.parameters()), lr=0.01, momentum=0.9)
    means, recorded = m.train(model, step, x, y, epochs, batch_size=64, seed=0)
    return torch.cat([p.detach().flatten() for p in model.parameters()]), means, recorded


def test_hand_written_matches_torch_sgd():
    """Same init, same batches, 300 steps in float32: the same parameters, bit for bit."""
    ours, ours_means, _ = train_with("hand-written")
    torch_, torch_means, _ = train_with("built-in")
    start = torch.cat([p.detach().flatten() for p in m.make_mlp(seed=0).parameters()])
    # torch.optim.SGD (no dampening, the single-tensor path on a CPU) does the same float32
    # operations in the same order: buf.mul_(m).add_(g), p.add_(buf, alpha=-lr)
    assert torch.equal(ours, torch_)
    assert ours_means == torch_means
    assert (ours - start).abs().max().item() > 1e-2  # the weights did move


def test_tutorial_lr_inside_form_matches_torch_sgd_float64_to_1e_12():
    """v <- gamma v + lr g; p <- p - v equals PyTorch's form up to rounding while lr is constant."""
    ours, *_ = train_with("tutorial form", dtype=torch.float64)
    torch_, *_ = train_with("built-in", dtype=torch.float64)
    # The two forms round differently: about one float64 rounding of the parameters (2**-53
    # times their size) per step, carried on by the buffer 1 / (1 - 0.9) times, over 300 steps;
    # a worst case, linear in the steps (about 2e-13 here; 1e-12 in the test's name).
    bound = 300 / (1 - 0.9) * 2.0**-53 * torch_.abs().max().item()
    assert (ours - torch_).abs().max().item() <= bound


def test_zero_buffer_gives_torch_first_step_exactly():
    """Buffer started at zero: after step 1 it holds g exactly, as torch.optim.SGD's does."""
    x, y = synthetic_digits(n=64)
    models = [m.make_mlp(seed=1) for _ in range(2)]
    vs = [torch.zeros_like(p) for p in models[0].parameters()]
    opt = torch.optim.SGD(models[1].parameters(), lr=0.01, momentum=0.9)
    for model in models:
        torch.nn.functional.cross_entropy(model(x), y).backward()
    grads = [p.grad.clone() for p in models[0].parameters()]
    m.sgd_momentum(list(models[0].parameters()), vs, 0.01, 0.9)
    opt.step()
    for v, g, p in zip(vs, grads, models[1].parameters(), strict=True):
        assert torch.equal(v, g)
        assert torch.equal(v, opt.state[p]["momentum_buffer"])
    for p, q in zip(models[0].parameters(), models[1].parameters(), strict=True):
        assert torch.equal(p, q)


def test_sgd_momentum_updates_in_place_without_autograd():
    model = m.make_mlp(seed=0)
    params = list(model.parameters())
    vs = [torch.zeros_like(p) for p in params]
    ptrs = [t.data_ptr() for t in params + vs]
    x, y = synthetic_digits(n=64)
    torch.nn.functional.cross_entropy(model(x), y).backward()
    m.sgd_momentum(params, vs, 0.01, 0.9)
    assert [t.data_ptr() for t in params + vs] == ptrs
    assert all(p.is_leaf and p.requires_grad and p.grad_fn is None for p in params)
    assert all(v.abs().sum() > 0 for v in vs)


def test_train_records_every_30_steps_and_one_mean_per_epoch():
    x, y = synthetic_digits(n=640)  # 10 steps per epoch, 7 epochs: 70 steps
    model = m.make_mlp(seed=0)
    step = m.make_step("built-in", list(model.parameters()), 0.01, 0.9)
    means, recorded = m.train(model, step, x, y, 7, batch_size=64, seed=0)
    assert len(means) == 7
    assert len(recorded) == 3  # steps 0, 30, 60


def test_load_mnist_scales_to_minus_one_one(tmp_path):
    from docrun import mnist

    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images = torch.tensor([[0, 255], [128, 64]], dtype=torch.uint8).repeat(3, 14, 14)
    labels = torch.arange(3)
    for split in ("train", "test"):
        names = mnist.RAW_FILES
        (raw / names[split, "images"]).write_bytes(mnist.idx_bytes(images.numpy()))
        (raw / names[split, "labels"]).write_bytes(mnist.idx_bytes(labels.numpy()))
    xtr, ytr, _, _, source = m.load_mnist(str(tmp_path), "cpu")
    assert xtr.shape == (3, 784) and xtr.dtype == torch.float32
    assert xtr.min().item() == -1.0 and xtr.max().item() == 1.0
    assert torch.equal(ytr, labels) and source == "MNIST"  # no marker file: not the subset


def test_missing_mnist_gives_one_line(monkeypatch):
    import torchvision.datasets

    def offline(*args, **kwargs):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz:\nTried https://...")

    monkeypatch.setattr(torchvision.datasets, "MNIST", offline)
    with pytest.raises(SystemExit) as exc:
        m.load_mnist("nowhere", "cpu")
    assert "\n" not in str(exc.value) and "nox -s mnist_offline" in str(exc.value)


@pytest.mark.parametrize("argv", [["--momentum", "1"], ["--epochs", "0"], ["--device", "tpu"]])
def test_bad_options_exit_with_one_line(argv):
    with pytest.raises(SystemExit) as exc:
        m.parse_args(argv)
    assert isinstance(exc.value.code, str) and "\n" not in exc.value.code
    assert argv[0] in exc.value.code and ": error:" in exc.value.code, exc.value.code
