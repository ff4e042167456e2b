"""One 784-1000-500-250-30 Fashion-MNIST autoencoder at given settings: its test squared error
per image, wall time and the last epochs' training and validation losses, as one JSON line.

    python benchmarks/fashion_recipe_probe.py EPOCHS '{"batch_size": 128}'

The probes behind the "why the misses" notes of benchmarks/results/hinton2006.md.
"""

import json
import sys
import time

import aekit
from aekit.datasets import load
from aekit.reproduce.measure import squared_error


def main() -> None:
    data = load("fashion-mnist")
    epochs = int(sys.argv[1])
    extra = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    settings = {"loss": "bernoulli", **extra}
    est = aekit.Autoencoder(
        hidden=(1000, 500, 250), code_size=30, epochs=epochs, random_state=0, **settings
    )
    start = time.time()
    est.fit(data.X_train)
    seconds = time.time() - start
    test = squared_error(data.X_test, est.reconstruct(data.X_test))
    history = est.history_
    print(
        json.dumps(
            {
                "epochs": epochs,
                **extra,
                "test": test,
                "train_s": seconds,
                "val_rec_last": history["val_reconstruction"][-5:],
                "rec_last": history["reconstruction"][-5:],
            }
        )
    )


if __name__ == "__main__":
    main()
