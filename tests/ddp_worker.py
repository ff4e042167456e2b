"""Training scenarios of tests/test_distributed.py, run on one process or under torchrun.

    python tests/ddp_worker.py OUT [SCENARIO ...]                  # the single-process reference
    torchrun --standalone --nproc-per-node 2 tests/ddp_worker.py OUT [SCENARIO ...]

Process 0 writes ``OUT/<scenario>.safetensors`` (final weights) and ``OUT/<scenario>.json``
(history, and whether every process ended with process 0's weights). Scenarios train tiny
models for a few epochs on 301 random rows (30 for validation, 271 to train).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from safetensors.torch import save_file

from aekit import DenoisingAutoencoder, StackedAutoencoder, VariationalAutoencoder
from aekit.errors import TrainingInterrupted
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives import corruption, penalties
from aekit.objectives.objective import Objective
from aekit.training import checkpoint, distributed, engine
from aekit.training.settings import TrainSettings

N_ROWS, N_FEATURES = 301, 12
COMMON = dict(precision="float32", device="cpu")
# aekit train options of the "cli" scenario (the test runs them on one process too)
CLI_OPTIONS = ["--hidden", "8", "--code-size", "2", "--batch-size", "32", "--precision", "float32"]


def data() -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(0).random((N_ROWS, N_FEATURES), np.float32))


def mlp(**config) -> torch.nn.Module:
    torch.manual_seed(0)
    return build_module(MLPConfig(n_features=N_FEATURES, code_size=3, **config))


def train_mlp(model, objective, epochs=3, batch_size=33, **kw):
    settings = TrainSettings(epochs=epochs, batch_size=batch_size, **COMMON)
    history = engine.train(model, objective, data(), settings, seed=5, **kw)
    return model, history


# -- scenarios: each returns (module, history) ------------------------------------------------
def plain():
    # 271 training rows in batches of 30: the last batch has 1 row, process 1 gets none of it
    m = mlp(hidden=(9,))
    return train_mlp(m, Objective(m.likelihood), batch_size=30)


def tied_l1():
    m = mlp(hidden=(9,), tied=True)
    return train_mlp(m, Objective(m.likelihood, penalties=[("l1", penalties.l1_activity(0.01))]))


def kl_sparsity():
    m = mlp(hidden=(9,), activation="sigmoid")
    pen = [("sparsity", penalties.kl_sparsity(0.05, 3.0))]
    return train_mlp(m, Objective(m.likelihood, penalties=pen))


def contractive():
    m = mlp(hidden=(), code_activation="sigmoid")  # the closed-form Jacobian
    return train_mlp(m, Objective(m.likelihood, penalties=[("cae", penalties.contractive(0.1))]))


def contractive_deep():
    m = mlp(hidden=(9,), activation="sigmoid")  # the autograd Jacobian
    return train_mlp(m, Objective(m.likelihood, penalties=[("cae", penalties.contractive(0.1))]))


def greedy():
    est = StackedAutoencoder(
        hidden=(10,),
        code_size=3,
        epochs=2,
        pretrain_epochs=2,
        batch_size=32,
        random_state=0,
        **COMMON,
    )
    est.fit(data().numpy())
    return est.module_, est.history_


def greedy_rbm():
    est = StackedAutoencoder(
        hidden=(10,),
        code_size=3,
        epochs=2,
        pretrain_epochs=2,
        batch_size=32,
        random_state=0,
        pretraining="rbm",
        **COMMON,
    )
    est.fit(data().numpy())
    return est.module_, est.history_


def denoising():
    est = DenoisingAutoencoder(
        hidden=(9,),
        code_size=3,
        epochs=2,
        batch_size=32,
        noise="gaussian",
        random_state=None,
        **COMMON,
    )
    est.fit(data().numpy())  # random_state=None: process 0's seed is used by all
    return est.module_, est.history_


def vae():
    est = VariationalAutoencoder(hidden=(9,), code_size=2, epochs=2, batch_size=32, **COMMON)
    est.set_params(random_state=0).fit(data().numpy())
    return est.module_, est.history_


def _noisy():
    m = mlp(hidden=(9,))
    return m, Objective(m.likelihood, corruption=corruption.masking(0.3))


def resume(out: Path):
    """An uninterrupted run, one stopped after epoch 1 and one interrupted mid-epoch 2 by a
    signal that only process 1 sees; both resumed, both must end with the first's weights."""
    rank = distributed.current().rank
    whole, history = train_mlp(*_noisy())

    class StopAfterEpoch1:  # a callback: runs on process 0, decides for all
        def on_epoch_end(self, epoch, logs):
            return epoch == 1

    folder = out / "ckpt_epoch"
    train_mlp(*_noisy(), callbacks=[StopAfterEpoch1()], checkpoint_dir=folder)
    by_epoch, _ = train_mlp(*_noisy(), checkpoint_dir=folder, resume=True)

    steps = iter(range(1, 10_000))

    def signal_on_rank1():  # step 13 is the 4th of epoch 2 (9 steps per epoch)
        return 15 if next(steps) == 13 and rank == 1 else None

    folder = out / "ckpt_signal"
    try:
        train_mlp(*_noisy(), checkpoint_dir=folder, should_stop=signal_on_rank1)
        interrupted = "no"
    except TrainingInterrupted as exc:
        interrupted = str(exc)
    state = checkpoint.load(folder)
    by_signal, _ = train_mlp(*_noisy(), checkpoint_dir=folder, resume=True)
    checks = {
        "interrupted": interrupted,
        "stopped_at": [state.epoch, state.next_begin],
        "noise_rows_differ": bool(
            state.noise_generator.dim() == 2
            and not torch.equal(state.noise_generator[0], state.noise_generator[-1])
        ),
        "by_epoch_max_diff": _max_diff(by_epoch, whole),
        "by_signal_max_diff": _max_diff(by_signal, whole),
    }
    return whole, {**history, "checks": checks}


def cli(out: Path):
    """``aekit train`` as every process of the job runs it: process 0 alone writes."""
    from aekit import load
    from aekit.cli.main import main

    argv = ["train", "--data", str(out / "data.npy"), "--out", str(out / "cli_model")]
    argv += ["--epochs", "2", "--checkpoint-every", "1", "-q", *CLI_OPTIONS]
    status = main(argv)
    distributed.barrier()  # process 0 has written the folder
    statuses = [None] * dist.get_world_size() if dist.is_initialized() else [status]
    if dist.is_initialized():
        dist.all_gather_object(statuses, status)
    return load(out / "cli_model").module_, {"statuses": statuses}


def hang(out: Path):
    """Process 1 stops answering in epoch 2: process 0 must give up after the timeout."""

    m, obj = _noisy()
    if distributed.current().rank == 1:
        train_mlp(m, obj, epochs=1)
        time.sleep(600)
    return train_mlp(m, obj, epochs=3)


SCENARIOS = {
    f.__name__: f
    for f in (
        plain,
        tied_l1,
        kl_sparsity,
        contractive,
        contractive_deep,
        greedy,
        greedy_rbm,
        denoising,
        vae,
        resume,
        cli,
        hang,
    )
}
TAKES_OUT = ("resume", "cli", "hang")


def _max_diff(a: torch.nn.Module, b: torch.nn.Module) -> float:
    pairs = zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    return max(float((p - q).abs().max()) for p, q in pairs)


def _in_sync(model: torch.nn.Module) -> bool:
    """True when every process holds process 0's weights, bit for bit."""
    flat = torch.cat([p.detach().flatten() for p in model.state_dict().values()])
    if not dist.is_initialized():
        return True
    parts = [torch.empty_like(flat) for _ in range(dist.get_world_size())]
    dist.all_gather(parts, flat)
    return all(torch.equal(parts[0], p) for p in parts)


def main(out: Path, names: list[str]) -> None:
    torch.set_num_threads(1)
    out.mkdir(parents=True, exist_ok=True)
    with distributed.session() as ctx:  # one process group for all scenarios
        for name in names:
            args = (out,) if name in TAKES_OUT else ()
            started = time.perf_counter()
            model, history = SCENARIOS[name](*args)
            seconds = time.perf_counter() - started
            in_sync = _in_sync(model)
            if ctx.is_primary:
                tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
                save_file(tensors, str(out / f"{name}.safetensors"))
                record = {
                    "history": history,
                    "in_sync": in_sync,
                    "seconds": seconds,
                    "world_size": ctx.world_size,
                    "files": sorted(os.listdir(out)),
                }
                (out / f"{name}.json").write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:] or [n for n in SCENARIOS if n != "hang"])
    distributed.leave(0)  # all written: skip the interpreter shutdown, as `aekit` does
