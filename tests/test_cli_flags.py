"""``aekit train``'s flags come from the estimators' declared parameters."""

import argparse
import json

import pytest

from aekit.cli.flags import in_flag_words
from aekit.cli.main import build_parser, main
from aekit.estimators.parts.training import SETTING_NAMES
from aekit.estimators.registry import ESTIMATORS

MODELS = list(ESTIMATORS)


def _train_parser(model):
    parser = build_parser(["train", "--model", model])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["train"]


@pytest.mark.parametrize("model", MODELS)
def test_every_train_flag_has_help_and_shows_its_default(model):
    parser = _train_parser(model)
    formatter = parser._get_formatter()
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, action.option_strings
        assert "(default" in formatter._get_help_string(action), action.option_strings
    text = parser.format_help()
    assert "{autoencoder," in text  # --model lists its choices


@pytest.mark.parametrize("model", MODELS)
def test_defaults_are_the_chosen_models_own_and_every_parameter_has_a_flag(model):
    parser = _train_parser(model)
    cls = ESTIMATORS.get(model)
    for name, param in cls._params.items():
        if not param.cli:
            continue
        expected = 0 if name == "random_state" else param.default  # the CLI repeats runs
        assert parser.get_default(name) == expected, name
    assert set(SETTING_NAMES) - {"verbose"} <= {n for n, p in cls._params.items() if p.cli}
    assert "--weight-decay" in parser.format_help()


def test_the_vae_trains_with_its_own_code_size_and_the_rbm_with_its_own_schedule(tmp_path):
    out = tmp_path / "vae"
    argv = ["train", "--data", "digits", "--out", str(out), "--model", "vae", "--epochs", "1"]
    assert main([*argv, "--no-pictures", "--quiet"]) == 0
    assert json.loads((out / "config.json").read_text())["model"]["code_size"] == 16
    rbm = _train_parser("rbm")
    assert (rbm.get_default("epochs"), rbm.get_default("lr_schedule")) == (20, "constant")
    assert rbm.get_default("optimizer") == "sgd"


def test_a_prefix_of_a_flag_is_not_taken_for_it(tmp_path, capsys):
    out = tmp_path / "m"
    with pytest.raises(SystemExit) as info:
        main(["train", "--data", "digits", "--out", str(out), "--epoch", "2"])
    assert info.value.code == 2
    assert "--epoch" in capsys.readouterr().err
    assert not out.exists()


def test_a_bad_value_is_refused_in_the_flags_own_words(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["train", "--data", "digits", "--out", str(tmp_path / "m"), "--epochs", "0"])
    assert "argument --epochs: expected an integer >= 1, got '0'" in capsys.readouterr().err


def test_errors_from_the_estimator_name_flags_on_the_command_line(tmp_path, capsys):
    argv = ["train", "--data", "digits", "--out", str(tmp_path / "m"), "--model", "sparse"]
    assert main([*argv, "--first-activation", "relu", "--epochs", "1", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "use --first-activation sigmoid (got 'relu')" in err and "activation=" not in err
    assert not (tmp_path / "m").exists()


def test_python_messages_keep_python_names_and_the_cli_rewords_them():
    params = ESTIMATORS.get("autoencoder")._params.values()
    assert in_flag_words("scale='minmax' or loss='gaussian'", params) == (
        "--scale minmax or --loss gaussian"
    )
    assert in_flag_words("The 'weight_decay' parameter of Autoencoder must be a float", params) == (
        "--weight-decay must be a float"
    )
    assert in_flag_words("model.code_size=3", params) == "model.code_size=3"  # not a parameter
