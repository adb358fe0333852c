"""examples/mnist_convnet.py: the classic network, the profiles, training, bad input."""

import pytest
import torch
from conftest import load_script

m = load_script("examples/mnist_convnet.py")


pytestmark = pytest.mark.usefixtures("one_thread")


def test_classic_convnet_shapes_and_parameter_count():
    net = m.ConvNet()
    assert net(torch.zeros(5, 1, 28, 28)).shape == (5, 10)
    # conv 1->10 (5x5): 260, conv 10->20 (5x5): 5,020, fc 320->50: 16,050, fc 50->10: 510
    assert sum(p.numel() for p in net.parameters()) == 21_840


@pytest.mark.parametrize(
    ("cuda", "profile", "epochs", "device"),
    [(False, "short", m.PROFILES["short"], "cpu"), (True, "full", 30, "cuda")],
)
def test_auto_profile_is_full_on_gpu_and_short_on_cpu(monkeypatch, cuda, profile, epochs, device):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    args = m.parse_args([])
    assert (args.profile, args.epochs, args.device) == (profile, epochs, device)


def test_epochs_and_profile_options_override_auto():
    assert m.parse_args(["--profile", "full", "--device", "cpu"]).epochs == 30
    assert m.parse_args(["--profile", "full", "--epochs", "2"]).epochs == 2


def synthetic_digits(n, seed):
    """Blobs in [-1, 1] shaped like MNIST whose label is the quadrant holding the bright blob."""
    gen = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (n,), generator=gen)
    x = torch.rand(n, 1, 28, 28, generator=gen) * 0.5 - 1
    for label, (r, c) in enumerate([(0, 0), (0, 14), (14, 0), (14, 14)]):
        x[y == label, :, r + 3 : r + 11, c + 3 : c + 11] = 1.0
    return x, y


def train_once(momentum, epochs=2):
    data = (*synthetic_digits(320, seed=0), *synthetic_digits(200, seed=1))
    torch.manual_seed(0)
    model = m.ConvNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=momentum)
    return m.train(model, opt, data, epochs, batch_size=64, seed=0)


def test_train_reports_test_accuracy_per_epoch_and_samples():
    accs, n = train_once(momentum=0.9, epochs=5)
    assert len(accs) == 5 and n == 5 * 320
    assert all(0 <= a <= 1 for a in accs)
    assert accs[-1] > 0.9  # an easy task: it does learn (chance is 0.25)


def test_same_seed_gives_the_same_run():
    """The comparison is fair: weights, batches and dropout masks depend only on the seed."""
    assert train_once(momentum=0.0, epochs=1) == train_once(momentum=0.0, epochs=1)
    # the batch order: the same for any momentum and whatever the global RNG did before,
    # and a different seed gives a different order
    order = batch_order(momentum=0.0, seed=0)
    assert sorted(i for batch in order[:5] for i in batch) == list(range(320))  # one epoch
    assert order != [list(range(k, min(k + 64, 320))) for k in range(0, 640, 64)]  # shuffled
    assert batch_order(momentum=0.9, seed=0) == order
    assert batch_order(momentum=0.0, seed=0, disturb=True) == order
    assert batch_order(momentum=0.0, seed=1) != order


class BatchRecorder(torch.nn.Module):
    """A tiny model whose input is the sample index: it records the training batches it sees."""

    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(1, 10)
        self.seen = []

    def forward(self, x):
        if self.training:
            self.seen.append(x[:, 0].long().tolist())
        return self.lin(x)


def batch_order(momentum, seed, disturb=False):
    xtr = torch.arange(320, dtype=torch.float32)[:, None]
    data = (xtr, torch.arange(320) % 10, xtr[:10], torch.arange(10))
    torch.manual_seed(123)
    model = BatchRecorder()
    if disturb:
        torch.rand(17)  # move the global generator before training
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=momentum)
    m.train(model, opt, data, 2, batch_size=64, seed=seed)
    return model.seen


@pytest.mark.parametrize(
    "argv", [["--momentum", "1"], ["--epochs", "0"], ["--profile", "long"], ["--lr", "nan"]]
)
def test_bad_options_exit_with_one_line(argv):
    with pytest.raises(SystemExit) as exc:
        m.parse_args(argv)
    assert isinstance(exc.value.code, str) and "\n" not in exc.value.code
    assert argv[0] in exc.value.code and ": error:" in exc.value.code, exc.value.code
