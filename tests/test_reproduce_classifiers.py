"""``aekit reproduce vincent2010`` and ``rifai2011``: pretrained encoders fine-tuned on labels.

The quick runs check the pipeline and the tables; the numbers are the results files' business.
"""

import ast
import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

import aekit
from aekit.cli.main import main
from aekit.data import datasets as registry
from aekit.data.dataset import Dataset
from aekit.reproduce import contraction, rifai2011_recipes, vincent2010_recipes
from aekit.reproduce.finetune import untrained
from aekit.reproduce.splits import best, carve, labelled
from aekit.reproduce.vincent2010_bench import Bench

FASHION = Path(registry.FASHION_MNIST_DEBIAN_DIR)
needs_fashion = pytest.mark.skipif(
    not FASHION.is_dir(), reason="needs apt-get install dataset-fashion-mnist"
)
SUITE_FILES = ("splits", "finetune", "verdict", "contraction", "vincent2010", "rifai2011")


def _rows(text: str, section: str, header: str) -> list[list[str]]:
    """The body rows of the table under ``## section`` whose header starts with ``header``."""
    part = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    table = part.split(f"| {header}", 1)[1].split("\n\n", 1)[0]
    return [[c.strip() for c in line.strip("|").split("|")] for line in table.splitlines()[2:]]


@pytest.fixture(scope="module")
def vincent(tmp_path_factory):
    out = tmp_path_factory.mktemp("v") / "vincent2010.md"
    assert main(["reproduce", "vincent2010", "--quick", "--out", str(out)]) == 0
    return out.read_text()


@pytest.fixture(scope="module")
def rifai(tmp_path_factory):
    out = tmp_path_factory.mktemp("r") / "rifai2011.md"
    assert main(["reproduce", "rifai2011", "--quick", "--out", str(out)]) == 0
    return out.read_text()


# -- vincent2010 ---------------------------------------------------------------------------
@needs_fashion
def test_vincent2010_chooses_the_masking_level_on_validation_and_records_it(vincent):
    assert "aekit reproduce vincent2010 --quick" in vincent and "(quick: " in vincent
    selection = _rows(vincent, "Fashion-MNIST", "masking fraction")
    assert [r[0] for r in selection] == ["0.10", "0.25", "0.40"]
    assert all(0 <= float(r[1]) <= 100 for r in selection)
    (chosen,) = [r for r in selection if r[2] == "chosen"]
    assert float(chosen[1]) == max(float(r[1]) for r in selection)
    assert f"SdA-3, masking {chosen[0]}" in vincent


@needs_fashion
def test_vincent2010_compares_sda_sae_and_random_init_and_states_the_gaps(vincent):
    models = _rows(vincent, "Fashion-MNIST", "model")
    assert [r[0].split(",")[0] for r in models] == ["SdA-3", "SAE-3", "same network"]
    for r in models:
        accuracy, error = float(r[2]), float(r[3])
        assert 0 <= accuracy <= 100 and accuracy + error == pytest.approx(100, abs=0.1)
    baselines = _rows(vincent, "Fashion-MNIST", "Fashion-MNIST baseline")
    assert [r[0] for r in baselines] == ["SVC, RBF kernel", "MLP"]
    gap = float(baselines[0][2]) - 89.7
    assert float(baselines[0][3]) == pytest.approx(gap, abs=0.1)
    assert "Acceptance: SdA-3 test accuracy" in vincent and "against 90.5 %" in vincent
    assert "## MNIST\n\nNot run: MNIST is read only from IDX files" in vincent


@needs_fashion
def test_vincent2010_few_label_rows_pair_pretrained_and_random_init(vincent):
    rows = _rows(vincent, "Few labels (Fashion-MNIST)", "labels")
    quick_labels = [str(n) for n in vincent2010_recipes.QUICK.few for _ in range(2)]
    assert [r[0] for r in rows] == quick_labels
    assert [r[1] for r in rows] == ["SdA-3 pretrained", "random init"] * 2
    assert all(0 <= float(r[2]) <= 100 and r[3] == "—" for r in rows)  # one seed: no sd
    assert "pretrained − random init =" in vincent and "one seed, no spread" in vincent


# -- rifai2011 -----------------------------------------------------------------------------
@needs_fashion
def test_rifai2011_chooses_each_setting_on_validation(rifai):
    grid = _rows(rifai, "Fashion-MNIST", "model | setting | validation")
    n_settings = sum(len(g) for g in rifai2011_recipes.GRIDS.values())
    assert len(grid) == n_settings == 14
    for model in ("AE+wd", "DAE-b", "DAE-g", "CAE"):
        mine = [r for r in grid if r[0] == model]
        (chosen,) = [r for r in mine if r[3] == "chosen"]
        assert float(chosen[2]) == max(float(r[2]) for r in mine)


@needs_fashion
def test_rifai2011_reports_error_jacobian_norm_and_saturation_of_six_models(rifai):
    results = _rows(rifai, "Fashion-MNIST", "model | setting | test error")
    assert [r[0] for r in results] == ["AE", "AE+wd", "DAE-b", "DAE-g", "CAE", "RBM"]
    for r in results:
        assert 0 <= float(r[2]) <= 100 and float(r[3]) > 0 and 0 <= float(r[4]) <= 1
    assert "below 0.05 or above 0.95" in rifai
    assert rifai.count("Acceptance: ") == 2 and "against the AE's" in rifai


# -- both: a data set that cannot be read ---------------------------------------------------
@pytest.mark.parametrize("suite", ["vincent2010", "rifai2011"])
def test_a_missing_dataset_is_reported_in_the_file_not_raised(tmp_path, suite):
    out = tmp_path / f"{suite}.md"
    argv = ["reproduce", suite, "--quick", "--data-dir", str(tmp_path / "absent")]
    assert main([*argv, "--out", str(out)]) == 0
    text = out.read_text()
    assert "Not run: fashion-mnist: path" in text and "no such folder" in text
    assert "Not run: MNIST is read only from IDX files given with --mnist-dir" in text


def _tiny_mnist(folder, n_train=300, n_test=60):
    """IDX files of random digits-shaped images, ten classes: enough for the tables."""
    folder.mkdir()
    rng = np.random.default_rng(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = np.arange(n, dtype=np.uint8) % 10
        for kind, arr in (("images-idx3", images), ("labels-idx1", labels)):
            head = bytes([0, 0, 0x08, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
            (folder / f"{prefix}-{kind}-ubyte.gz").write_bytes(gzip.compress(head + arr.tobytes()))
    return folder


def test_the_mnist_sections_put_the_published_errors_and_the_gaps_beside_ours(tmp_path):
    mnist = str(_tiny_mnist(tmp_path / "mnist"))
    for suite in ("vincent2010", "rifai2011"):
        out = tmp_path / f"{suite}.md"
        argv = ["reproduce", suite, "--quick", "--sections", "mnist", "--mnist-dir", mnist]
        assert main([*argv, "--out", str(out)]) == 0
        text = out.read_text()
        assert "Not run" not in text
        assert "test error" in text and ("met, by" in text or "missed by" in text)
    sda = _rows((tmp_path / "vincent2010.md").read_text(), "MNIST", "model | published")
    assert [r[0] for r in sda] == ["SdA-3", "SAE-3", "DBN-3", "SVM-rbf"]
    assert float(sda[0][3]) == pytest.approx(float(sda[0][2]) - 1.28, abs=0.01)
    assert sda[2][2] == "—"  # no DBN here
    six = _rows((tmp_path / "rifai2011.md").read_text(), "MNIST", "model | setting | test")
    cae = next(r for r in six if r[0] == "CAE")
    assert float(cae[7]) == 1.14 and float(cae[8]) == pytest.approx(float(cae[2]) - 1.14, abs=0.01)


# -- the helpers ---------------------------------------------------------------------------
def _marked_dataset(n_train=300, n_test=100):
    """Training rows hold values below 1, test rows the marker 5: any test row is visible."""
    rng = np.random.default_rng(0)
    return Dataset(
        "toy",
        rng.random((n_train, 6), dtype=np.float32) * 0.9,
        np.tile(np.arange(10), n_train // 10),
        np.full((n_test, 6), 5.0, np.float32),
        np.tile(np.arange(10), n_test // 10),
    )


def test_the_validation_split_and_pretraining_rows_never_hold_a_test_row():
    budget = vincent2010_recipes.Budget(200, None, validation=50, pretrain_epochs=1, fine_tune=None)
    bench = Bench.of(_marked_dataset(), budget, seed=0)
    for rows in (bench.X_pretrain, bench.split.X_fit, bench.split.X_val):
        assert rows.max() < 1  # no marker
    assert len(bench.split.X_fit) == 150 and len(bench.split.X_val) == 50
    assert (bench.X_test == 5).all() and len(bench.X_test) == 100


def test_carve_holds_out_disjoint_seeded_rows_of_the_training_part():
    X, y = np.arange(100)[:, None], np.arange(100)
    a, b, c = carve(X, y, 20, seed=0), carve(X, y, 20, seed=0), carve(X, y, 20, seed=1)
    assert set(a.y_val).isdisjoint(a.y_fit) and len(a.y_fit) + len(a.y_val) == 100
    assert (a.y_val == b.y_val).all() and not (a.y_val == c.y_val).all()
    assert (a.X_val[:, 0] == a.y_val).all()  # rows keep their labels
    with pytest.raises(aekit.AekitError, match="0 < n_val < 100"):
        carve(X, y, 100, seed=0)


def test_labelled_draws_are_class_balanced_and_seeded():
    X, y = np.arange(1000)[:, None], np.repeat(np.arange(10), 100)
    X_a, y_a = labelled(X, y, 100, seed=0)
    assert np.bincount(y_a).tolist() == [10] * 10 and (y[X_a[:, 0]] == y_a).all()
    assert (labelled(X, y, 100, seed=0)[0] == X_a).all()
    assert labelled(X, y, None, seed=0)[0] is X


def test_best_keeps_the_first_of_equal_scores():
    assert best({0.1: 0.5, 0.25: 0.7, 0.4: 0.7}) == 0.25


def test_untrained_is_fitted_with_the_initial_weights_unchanged(digits01):
    X, _ = digits01
    member = aekit.Autoencoder(hidden=(16,), code_size=4, activation="sigmoid")
    a, b = untrained(member, X, seed=3), untrained(member, X[100:], seed=3)
    b_state = b.module_.state_dict()
    # The start knows the rows' mean (MLPAutoencoder.start_from_data): the stored input mean
    # and the output bias follow the rows, every other weight is the seed's.
    output_bias = f"decoder_layers.{len(a.module_.decoder_layers) - 1}.bias"
    for name, wa in a.module_.state_dict().items():
        if name in ("input_mean", output_bias):
            continue
        assert (wa - b_state[name]).abs().max() < 1e-10, name  # other rows, same network
    assert not torch.equal(
        untrained(member, X, seed=4).module_.encoder_layers[0].weight,
        a.module_.encoder_layers[0].weight,
    )


def test_the_overcomplete_member_fits_a_code_wider_than_its_input(digits01):
    X, _ = digits01
    budget = rifai2011_recipes.Budget(None, None, 10, pretrain_epochs=1, fine_tune=None, units=100)
    est = rifai2011_recipes.member("CAE", {"contraction_weight": 0.1}, budget, seed=0).fit(X)
    assert est.transform(X[:5]).shape == (5, 100) and X.shape[1] == 64
    with pytest.raises(aekit.AekitError, match="not smaller than"):
        aekit.Autoencoder(hidden=(), code_size=100, epochs=1).fit(X)  # the guard elsewhere


def test_jacobian_norms_match_the_estimators_squared_norm_and_autograd(digits01):
    X, _ = digits01
    budget = rifai2011_recipes.Budget(None, None, 10, pretrain_epochs=1, fine_tune=None, units=20)
    ae = rifai2011_recipes.member("AE", {}, budget, seed=0).fit(X)
    norms = contraction.jacobian_norms(ae, X)
    assert np.mean(norms**2) == pytest.approx(ae.jacobian_norm(X), rel=1e-3)  # it: squared
    rbm = rifai2011_recipes.member("RBM", {}, budget, seed=0).fit(X)
    x = torch.from_numpy(X[:3])
    jac = torch.func.vmap(torch.func.jacrev(lambda v: rbm.module_.encode(v[None])[0]))(x)
    expected = jac.detach().double().square().sum(dim=(1, 2)).sqrt().numpy()
    np.testing.assert_allclose(contraction.jacobian_norms(rbm, X[:3]), expected, rtol=1e-4)


def test_saturation_counts_activations_beyond_the_stated_bounds():
    class Fixed:
        def transform(self, X):
            return np.array([[0.01, 0.5, 0.96, 0.05]])

    assert contraction.SATURATED == (0.05, 0.95)
    assert contraction.saturation(Fixed(), None) == 0.5  # 0.01 and 0.96; 0.05 is not below


def test_no_function_of_the_classifier_suites_is_longer_than_60_lines():
    folder = Path(aekit.__file__).parent / "reproduce"
    long = []
    for path in sorted(folder.glob("*.py")):
        if not path.stem.startswith(SUITE_FILES):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > 60:
                long.append(f"{path.name}:{node.name}")
    assert not long, long
