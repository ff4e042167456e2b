"""``aekit report``: one self-contained HTML page per run, without a browser (see
test_report_browser.py for the page at work): no URL, size limits, escaping, each kind of
run, and one clear line for each mistake."""

import ast
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import aekit
from aekit.cli.main import main
from aekit.data.dataset import Dataset
from aekit.datasets import load as load_dataset
from aekit.reporting.html import budget, decoder_js, report_inputs, write_report

TINY = ["--hidden", "16", "--code-size", "3", "--epochs", "1", "--quiet", "--no-pictures"]
SCRIPT = "<script>alert(1)</script>"
DATA = re.compile(r'<script type="application/json" id="aekit-data">(.*?)</script>', re.S)
MAX_FUNCTION_LINES = 60


def page_data(html: str) -> dict:
    return json.loads(DATA.search(html).group(1))


def report(run: Path, *extra: str) -> tuple[str, dict]:
    assert main(["report", str(run), "-q", *extra]) == 0
    out = Path(extra[extra.index("--out") + 1]) if "--out" in extra else run / "report.html"
    html = out.read_text(encoding="utf-8")
    return html, page_data(html)


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "digits"
    assert main(["train", "--data", "digits", "--out", str(out), *TINY]) == 0
    return out


@pytest.fixture(scope="module")
def table_csv(tmp_path_factory):
    """A table whose header holds markup, with a label column."""
    rng = np.random.default_rng(0)
    z = rng.normal(size=(200, 2))
    X = z @ rng.normal(size=(2, 5)) * 3 + 1
    path = tmp_path_factory.mktemp("table") / "t.csv"
    names = ["age", SCRIPT, "a & b", "c4", "c5", "label"]
    lines = [",".join(names)] + [
        ",".join(f"{v:.4f}" for v in row) + f",{int(zi > 0)}"
        for row, zi in zip(X, z[:, 0], strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def table_run(table_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "table"
    argv = ["train", "--data", str(table_csv), "--label-column", "label", "--out", str(out)]
    assert main([*argv, *TINY]) == 0
    return out


# -- one file, nothing from the network ----------------------------------------------------
URL = re.compile(
    r"(?i)\b(?:https?|ftp|wss?|file)://|//cdn|[\"'(=\s]//[a-z0-9-]+\.[a-z]|@import|url\("
)
LINK = re.compile(r"(?i)\b(src|href|action)\s*=\s*[\"'](?!data:|#)")


def test_a_digits_report_holds_no_url_and_only_inline_script_and_style(digits_run):
    html, data = report(digits_run)
    assert URL.findall(html) == [] and LINK.findall(html) == []
    assert "<link" not in html and "<script src" not in html
    assert "default-src 'none'" in html  # the page's policy forbids any request
    assert data["kind"] == "images" and data["map"]["n"] == 360  # digits' test rows
    assert data["decoder"]["packed"] and data["decoder"]["relative_error"] < 0.01
    assert [c["term"] for c in data["curves"]] == ["loss", "reconstruction"]


def test_the_summary_sets_the_model_beside_pca_as_metrics_json_records_it(digits_run):
    _, data = report(digits_run)
    metrics = json.loads((digits_run / "metrics.json").read_text())
    rows = {row[0]: row[1:] for row in data["metrics"]["rows"]}
    assert data["metrics"]["columns"] == ["", "model", "PCA (3 components)"]
    error = next(v for k, v in rows.items() if k.startswith("squared error"))
    assert error == [
        f"{metrics['autoencoder_squared_error']:.4f}",
        f"{metrics['pca_squared_error']:.4f}",
    ]
    knn = rows["kNN-5 accuracy on the codes (fit on training rows)"]
    assert all(v.endswith(" %") and 10 < float(v[:-2]) <= 100 for v in knn)
    settings = {name: (value, changed) for name, value, changed in data["settings"]}
    assert settings["code_size"] == ("3", True) and settings["noise"] == ("null", False)


def test_the_run_records_its_data_and_the_report_rereads_the_same_held_out_rows(
    table_run, table_csv, tmp_path, monkeypatch
):
    record = json.loads((table_run / "metrics.json").read_text())["data"]
    assert record["source"] == str(table_csv) and record["label_column"] == "label"
    assert record["held_out"] == "held-out" and record["split_seed"] == 0
    monkeypatch.chdir(tmp_path)  # another folder: the path was kept resolved
    _, data = report(table_run)
    assert (
        data["map"]["n_rows"]
        == 40
        == json.loads((table_run / "metrics.json").read_text())["n_samples"]
    )  # 20 % of 200 rows, as in training


@pytest.mark.slow  # seconds of subprocesses or large files: the slow suite, run by CI
def test_a_report_is_at_most_2_mb_for_2000_points_and_6_mb_for_10000(tmp_path):
    # noisy 28 x 28 images, the hardest to compress: the sprites must shrink to fit
    rng = np.random.default_rng(0)
    low = rng.random((12_000, 7, 7))
    X = np.kron(low, np.ones((4, 4))) + 0.1 * rng.normal(size=(12_000, 28, 28))
    X = np.clip(X, 0, 1).reshape(12_000, 784).astype(np.float32)
    model = aekit.Autoencoder(hidden=(8,), code_size=2, epochs=1, random_state=0).fit(X[:2000])
    model.save(tmp_path / "m")
    data = Dataset("noise", X[:2000], X_test=X[2000:], image_shape=(28, 28))
    run = report_inputs(tmp_path / "m", model, data, "test", "noise")
    for n, limit in ((2000, 2_000_000), (10_000, 6_000_000)):
        written = write_report(run, tmp_path / f"r{n}.html", n_points=n)
        html = written.path.read_text()
        assert written.n_points == n == page_data(html)["map"]["n"]
        assert written.n_bytes == len(html.encode()) <= limit, written
        without = write_report(run, tmp_path / f"a{n}.html", n_points=n, decoder_budget=0)
        assert not without.decoded_in_page and without.n_bytes <= limit, without


def test_a_table_too_wide_for_the_budget_shows_fewer_points_and_says_so(tmp_path):
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(1200, 2)) @ rng.normal(size=(2, 2000))).astype(np.float32)
    model = aekit.Autoencoder(hidden=(4,), code_size=2, epochs=1, random_state=0).fit(X[:200])
    model.save(tmp_path / "m")
    run = report_inputs(
        tmp_path / "m", model, Dataset("wide", X[:200], X_test=X[200:]), "test", "wide"
    )
    written = write_report(run, tmp_path / "r.html", n_points=1000)
    data = page_data(written.path.read_text())
    assert written.n_bytes <= budget(1000) and 1 < written.n_points < 1000
    assert data["map"]["reduced"] == {"asked": 1000, "limit": budget(1000)}


# -- safety: strings from the data are text --------------------------------------------------
def test_a_csv_header_holding_a_script_is_text_in_the_page(table_run):
    html, data = report(table_run)
    assert SCRIPT not in html and not re.search("[<>&]", DATA.search(html).group(1))
    assert html.count("<script") == 2  # the data and the page's own script
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html
    assert SCRIPT in data["columns"] and "a & b" in data["columns"]
    js = (Path(decoder_js.__file__).parent / "report.js").read_text()
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "eval(" not in js


# -- each kind of run ---------------------------------------------------------------------------
def test_a_table_report_names_each_columns_error(table_run):
    _, data = report(table_run)
    columns = data["column_errors"]
    assert columns["names"] == ["age", SCRIPT, "a & b", "c4", "c5"]
    assert len(columns["errors"]) == 5 and all(e >= 0 for e in columns["errors"])
    assert columns["units"] == "after standard scaling"
    assert data["kind"] == "table" and data["grid"] is None
    assert data["map"]["table"]["inputs"]["n"] == 40  # rows for the bar view, packed


def test_a_detector_report_draws_its_score_histogram_and_threshold(table_csv, tmp_path):
    out = tmp_path / "det"
    argv = ["train", "--task", "anomaly", "--data", str(table_csv), "--label-column", "label"]
    assert main([*argv, "--out", str(out), "--epochs", "2", "-q"]) == 0
    _, data = report(out)
    detector = aekit.load(out)
    anomaly = data["anomaly"]
    assert anomaly["threshold"] == pytest.approx(detector.threshold_)
    assert sum(anomaly["counts"]) == anomaly["n"] == 40
    assert len(anomaly["edges"]) == len(anomaly["counts"]) + 1
    assert anomaly["edges"][-1] >= anomaly["threshold"]  # the threshold is on the axis
    assert len(anomaly["worst"]["rows"]) == 10 and len(anomaly["worst"]["top_features"][0]) == 3
    assert data["map"]["colour"]["kind"] == "score"
    assert data["metrics"]["columns"] == ["", "detector"]
    assert [c["term"] for c in data["curves"]][:1] == ["loss"]  # the member's history


def test_a_vae_report_shows_samples_and_every_loss_term(tmp_path):
    out = tmp_path / "vae"
    assert main(["train", "--data", "digits", "--model", "vae", "--out", str(out), *TINY]) == 0
    _, data = report(out)
    assert data["samples"]["sprite"]["n"] == 32
    assert {c["term"] for c in data["curves"]} == {"loss", "reconstruction", "kl"}
    assert all("val" in c for c in data["curves"])
    assert data["decoder"]["packed"]


def test_a_denoising_report_has_clean_corrupted_and_denoised_rows(tmp_path):
    out = tmp_path / "den"
    assert (
        main(["train", "--data", "digits", "--model", "denoising", "--out", str(out), *TINY]) == 0
    )
    _, data = report(out)
    grid = data["grid"]
    assert [r.split(" ")[0] for r in grid["rows"]] == ["clean", "corrupted", "denoised"]
    assert grid["sprite"]["n"] == 3 * grid["per_row"] == 30  # one per digit


def test_a_decoder_too_large_for_the_page_gives_anchor_interpolations(digits_run, tmp_path):
    model = aekit.load(digits_run)
    data = load_dataset("digits")
    run = report_inputs(digits_run, model, data, "test", "digits")
    written = write_report(run, tmp_path / "a.html", decoder_budget=0)
    data = page_data(written.path.read_text())
    assert not written.decoded_in_page and "more than the 0" in data["decoder"]["why"]
    anchors = data["map"]["anchors"]
    assert len(anchors) == 16 and anchors == sorted(set(anchors))
    assert data["map"]["sprites"]["frames"]["n"] == 120 * 6  # every pair, inner steps
    assert data["map"]["sprites"]["recons"]["n"] == 360


@pytest.mark.parametrize(
    "params",
    [
        {"activation": "gelu", "tied": True},
        {"activation": "tanh", "scale": "standard"},
        {"activation": "silu", "code_activation": "sigmoid"},
    ],
)
def test_the_packed_decoder_decodes_as_the_model_does(digits01, params):
    X = digits01[0][:300]
    model = aekit.Autoencoder(hidden=(12,), code_size=3, epochs=1, random_state=0, **params)
    model.fit(X)
    codes = model.transform(X)
    packed = decoder_js.pack(model, codes)
    assert packed["packed"] and packed["relative_error"] < 0.01
    assert (packed["unscale"] is None) == (params.get("scale") is None)


def test_a_conv_decoder_is_not_packed(digits01):
    X = digits01[0][:200].reshape(-1, 8, 8)
    model = aekit.ConvAutoencoder(channels=(2,), code_size=2, epochs=1, random_state=0).fit(X)
    packed = decoder_js.pack(model, model.transform(X))
    assert not packed["packed"] and "not a stack of dense layers" in packed["why"]


def test_data_given_with_data_overrides_the_record(digits_run, tmp_path):
    _, data = report(
        digits_run, "--data", "digits", "--points", "100", "--out", str(tmp_path / "r.html")
    )
    assert data["map"]["n"] == 100 and data["about"]["data"] == "digits"


# -- mistakes: one line, exit 1, nothing written --------------------------------------------
def _fails(argv, capsys, *words):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("aekit report: error: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err, err


def test_a_folder_that_is_no_model_is_one_line(tmp_path, capsys):
    _fails(["report", str(tmp_path)], capsys, "config.json")
    assert list(tmp_path.iterdir()) == []


def test_data_with_the_wrong_number_of_features_is_one_line(digits_run, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n" + "1,2,3\n" * 20)
    out = tmp_path / "r.html"
    _fails(["report", str(digits_run), "--data", str(bad), "--out", str(out)], capsys, "features")
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


def test_an_output_that_cannot_be_written_is_one_line(digits_run, tmp_path, capsys):
    _fails(["report", str(digits_run), "--out", str(tmp_path / "no" / "r.html")], capsys, "no")
    _fails(["report", str(digits_run), "--out", str(tmp_path)], capsys, "is a folder")
    assert list(tmp_path.iterdir()) == []


def test_a_run_without_a_data_record_asks_for_data(digits_run, tmp_path, capsys):
    copy = tmp_path / "old"
    shutil.copytree(digits_run, copy)
    metrics = json.loads((copy / "metrics.json").read_text())
    del metrics["data"]
    (copy / "metrics.json").write_text(json.dumps(metrics))
    before = sorted(p.name for p in copy.iterdir())
    _fails(["report", str(copy)], capsys, "--data")
    assert sorted(p.name for p in copy.iterdir()) == before


def test_a_failure_while_writing_leaves_no_file(digits_run, tmp_path, monkeypatch):
    from aekit.io import atomic

    def full_disk(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    out = tmp_path / "r.html"
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: full_disk(None))
    assert main(["report", str(digits_run), "--out", str(out), "-q"]) == 1
    assert list(tmp_path.iterdir()) == []


def test_no_function_of_the_report_is_longer_than_60_lines():
    from aekit.cli import data_source
    from aekit.cli import report as report_cli

    files = [*Path(decoder_js.__file__).parent.glob("*.py"), Path(report_cli.__file__)]
    long = []
    for path in [*files, Path(data_source.__file__)]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.name}:{node.name} ({lines} lines)")
    assert not long, long
