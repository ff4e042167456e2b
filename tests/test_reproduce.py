"""``aekit reproduce``: the suites' pipeline (the numbers are the results files' business)."""

import re

import pytest

from aekit.cli.main import main


def _table_rows(text: str, section: str) -> list[list[str]]:
    part = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return [
        [c.strip() for c in line.strip("|").split("|")]
        for line in part.splitlines()
        if line.startswith("| ") and not line.startswith("| model")
    ]


def test_quick_curves_section_writes_the_table_with_the_papers_numbers(tmp_path, capsys):
    out = tmp_path / "results" / "hinton2006.md"
    assert (
        main(["reproduce", "hinton2006", "--quick", "--sections", "curves", "--out", str(out)]) == 0
    )
    text = out.read_text()
    assert "aekit reproduce hinton2006 --quick --sections curves" in text
    assert re.search(r"git revision: \S+", text) and "hardware: " in text
    rows = _table_rows(text, "Curves")
    assert [r[0] for r in rows][-2:] == ["PCA-6", "PCA-18"] and len(rows) == 6
    assert rows[3][0] == "aekit, masking and weight decay (chosen on validation), every curve"
    errors = [float(r[1]) for r in rows]
    assert all(0 < e < 784 for e in errors)
    assert float(rows[-2][2]) == 1.0  # the ratio column is relative to PCA-6
    assert "deep autoencoder 1.44" in text and "mean pixel intensity" in text
    assert (tmp_path / "results" / "hinton2006" / "curves-reconstructions.png").stat().st_size
    assert "written to" in capsys.readouterr().err


def test_a_missing_dataset_is_reported_in_the_file_not_raised(tmp_path):
    out = tmp_path / "h.md"
    code = main(
        [
            "reproduce",
            "hinton2006",
            "--quick",
            "--sections",
            "mnist,tutorial",
            "--data-dir",
            str(tmp_path / "absent"),
            "--out",
            str(out),
        ]
    )
    text = out.read_text()
    assert code == 0 and "## MNIST\n\nNot run: MNIST is read only from IDX files" in text
    assert "Not run: fashion-mnist: path" in text and "no such folder" in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--sections", "curves,nope"], "--sections: unknown nope"),
        (["--out", "results.txt"], "must end in .md"),
    ],
)
def test_bad_options_are_one_line_errors(tmp_path, capsys, argv, message):
    assert main(["reproduce", "hinton2006", "--quick", *argv]) == 1
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_an_unknown_suite_is_an_argument_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["reproduce", "nosuch"])
    assert exit_.value.code == 2 and "hinton2006" in capsys.readouterr().err


@pytest.mark.slow
def test_quick_run_of_every_section(tmp_path):
    out = tmp_path / "h.md"
    assert main(["reproduce", "hinton2006", "--quick", "--out", str(out)]) == 0
    text = out.read_text()
    for heading in ("Curves", "Fashion-MNIST", "MNIST", "2-D codes", "The tutorial network"):
        assert f"## {heading}" in text
    # The Muon row is the image sections' alone: once, under Fashion-MNIST, not under Curves.
    muon = "| aekit, tied, optimizer muon (settings chosen on validation), refitted |"
    assert text.count(muon) == 1 and text.index(muon) > text.index("## Fashion-MNIST")
    # The masking row is the curves' alone.
    masking = "| aekit, masking and weight decay (chosen on validation), every curve |"
    assert text.count(masking) == 1 and text.index(masking) < text.index("## Fashion-MNIST")
