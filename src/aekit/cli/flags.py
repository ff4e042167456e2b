"""``aekit train`` flags generated from the estimators' declared parameters.

Each parameter a member declares (:class:`aekit.estimators.params.Param`) becomes one flag
of ``aekit train`` with the same name (``weight_decay`` → ``--weight-decay``), its help, its
parser, and as default the chosen model's own: the parser is built for the ``--model``
the command line names (or the one an interrupted run records), so ``aekit train --model
vae --help`` shows the VAE's defaults. A flag that another member takes but the chosen one
does not is a one-line error; errors that name Python parameters are reworded into flags.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aekit.estimators.params import Flag, Param
from aekit.io import layout

DEFAULT_MODEL = "autoencoder"
# The command line's own defaults, where they differ from Python's (said in the help).
CLI_DEFAULTS = {"random_state": 0}  # a run repeats unless told otherwise


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Every flag's help ends with its default."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "(default" in text or action.default is argparse.SUPPRESS:
            return text
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            return text
        shown = "off" if action.default in (None, False) and action.nargs == 0 else "%(default)s"
        return f"{text} (default: {shown})"


def members() -> Any:
    from aekit.estimators.registry import ESTIMATORS

    return ESTIMATORS


def model_from_argv(argv: Sequence[str]) -> str:
    """The ``--model`` of a ``train`` command line; else that of ``--resume DIR``'s run."""
    given = _option_value(argv, "--model")
    if given is not None:
        return given
    resume = _option_value(argv, "--resume")
    if resume is not None:
        try:
            record = json.loads(
                (Path(resume) / layout.CHECKPOINTS / layout.RUN_FILE).read_text(encoding="utf-8")
            )
            return str(record["options"]["model"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # the run folder's own check gives the error
    return DEFAULT_MODEL


def add_model_flags(parser: argparse.ArgumentParser, model: str) -> list[Param]:
    """One flag per command-line parameter of ``model``; returns those parameters."""
    cls = members().get(model)
    group = parser.add_argument_group(f"--model {model} settings")
    params = [p for p in cls._params.values() if p.cli]
    for p in params:
        default = CLI_DEFAULTS.get(p.name, p.default)
        help_text = p.help.replace("%", "%%")
        if p.name in CLI_DEFAULTS:
            help_text += f"; Python's default is {p.shown(p.default)}"
        shown = p.shown(default)
        if p.none and default is None:
            shown = f"none: {p.none_means}"
        if isinstance(p.kind, Flag):
            group.add_argument(
                *p.flags,
                dest=p.name,
                action=argparse.BooleanOptionalAction,
                default=default,
                help=f"{help_text} (default: {shown})",
            )
            continue
        group.add_argument(
            *p.flags,
            dest=p.name,
            type=p.parse,
            default=default,
            metavar=_metavar(p),
            help=f"{help_text} (default: {shown})",
        )
    return params


def other_models_flag(model: str, extra: list[str]) -> str | None:
    """The one-line error for a flag of another model among ``extra``, or None."""
    takes: dict[str, list[str]] = {}
    for name in members():
        for p in members().get(name)._params.values():
            for flag in p.flags if p.cli else ():
                takes.setdefault(flag, []).append(name)
                if isinstance(p.kind, Flag):
                    takes.setdefault("--no-" + flag[2:], []).append(name)
    for word in extra:
        flag = word.split("=", 1)[0]
        if flag in takes:
            return (
                f"--model {model} takes no {flag} (a flag of --model "
                f"{', '.join(sorted(set(takes[flag])))}; see aekit train --model {model} --help)"
            )
    return None


def in_flag_words(message: str, params: Sequence[Param]) -> str:
    """A message naming Python parameters (``scale='minmax'``) reworded in flags."""
    for p in sorted(params, key=lambda p: -len(p.name)):
        flag = p.flags[0]
        message = re.sub(rf"The '{p.name}' parameter of \w+ must be", f"{flag} must be", message)

        def spelled(m: re.Match[str], flag: str = flag) -> str:
            return f"{flag} {m.group(2)}"

        message = re.sub(rf"(?<![\w.-]){p.name}=('?)([^',;)\s]*)\1", spelled, message)
    return message


def _metavar(p: Param) -> str:
    options = getattr(p.kind, "options", None)
    words = [*(options or ()), *p.words, *(["none"] if p.none else [])]
    if options:
        return "{" + ",".join(words) + "}"
    base = {"Int": "N", "Number": "X", "Sizes": "N,N,...", "Text": "TEXT"}[type(p.kind).__name__]
    return "|".join([base, *words])


def _option_value(argv: Sequence[str], option: str) -> str | None:
    for i, word in enumerate(argv):
        if word == option and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith(option + "="):
            return word.split("=", 1)[1]
    return None
