"""The comparison's sweep written with Optuna 3.1 + PyTorch 1.13 (Debian's python3-optuna and
python3-torch): random configs (RandomSampler, seeded) of learning rate, hidden width and dropout,
each cross-validated on the exported stratified folds with early stopping, n_jobs trials at once,
per-trial seeds; then the best config retrained on all training digits and scored on the test split.
With --median, Optuna's MedianPruner judges the running cross-validation estimate, reported at
step fold × max-epochs + epoch. The settings come from the manifest the bench wrote from
bench/reference/sweep*.hocon; the search space is the one of those files.
    python3 bench/reference/sweep.py --data DIR --sweep DIR [--median]"""

import argparse
import os
import threading
import time

import numpy as np
import optuna
import torch

from common import CnnTrainer, load_digits, load_json, report, should_stop


def main():
    started = time.time()
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="folder of images.npy and labels.npy")
    parser.add_argument("--sweep", required=True, help="folder of manifest.json, split.json and the orders files")
    parser.add_argument("--median", action="store_true", help="prune with MedianPruner")
    parser.add_argument("--final-threads", type=int, default=os.cpu_count(),
                        help="torch threads of the final retrain, which runs alone (default: every core)")
    args = parser.parse_args()
    manifest = load_json(args.sweep, "manifest.json")
    split = load_json(args.sweep, "split.json")
    if manifest["metric"] != "val-accuracy":
        raise SystemExit(f"{args.sweep}/manifest.json: the reference maximises val-accuracy, the sweep ranks by {manifest['metric']}")
    images, labels = load_digits(args.data)
    seeds = {(s["config"], s["fold"]): s for s in manifest["seeds"]}
    folds, max_epochs, batch = manifest["folds"], manifest["max_epochs"], manifest["batch_size"]
    steps = manifest.get("steps_per_epoch")
    torch.set_num_threads(manifest["threads_per_trial"])
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    timings, timings_lock = {}, threading.Lock()  # hidden width -> [epochs, seconds of training + evaluation]

    def timed(hidden, seconds):
        with timings_lock:
            entry = timings.setdefault(hidden, [0, 0.0])
            entry[0] += 1
            entry[1] += seconds

    def orders(config, fold):
        return np.load(os.path.join(args.sweep, seeds[(config, fold)]["file"]))

    def objective(trial):
        lr = trial.suggest_float("learning-rate", 1e-4, 1e-2, log=True)
        hidden = trial.suggest_categorical("hidden", [64, 128, 256])
        dropout = trial.suggest_float("dropout", 0.0, 0.5)
        bests, best_epochs, epochs = [], [], 0
        for fold in range(folds):
            validation = split["folds"][fold]["validation"]
            trainer = CnnTrainer(images, labels, hidden, dropout, lr, seeds[(trial.number, fold)]["seed"])
            epoch_orders = orders(trial.number, fold)
            history = []
            for epoch in range(1, max_epochs + 1):
                epoch_started = time.perf_counter()
                trainer.train_epoch(epoch_orders[epoch - 1], batch, steps)
                history.append(trainer.evaluate(validation)[1])
                timed(hidden, time.perf_counter() - epoch_started)
                epochs += 1
                trial.set_user_attr("epochs", epochs)
                if args.median:
                    trial.report((sum(bests) + max(history)) / (len(bests) + 1), fold * max_epochs + epoch)
                    if trial.should_prune():
                        raise optuna.TrialPruned()
                if manifest["early_stopping"] and should_stop(history, manifest["patience"], manifest["min_delta"]):
                    break
            bests.append(max(history))
            best_epochs.append(int(np.argmax(history)) + 1)
        trial.set_user_attr("best_epochs", best_epochs)
        return float(np.mean(bests))

    pruner = (optuna.pruners.MedianPruner(n_startup_trials=manifest["min_trials"], n_warmup_steps=manifest["grace_epochs"])
              if args.median else optuna.pruners.NopPruner())
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=manifest["search_seed"]), pruner=pruner)
    study.optimize(objective, n_trials=manifest["samples"], n_jobs=manifest["concurrency"])
    swept = time.time()

    best = study.best_trial
    final_epochs = max(1, round(float(np.mean(best.user_attrs["best_epochs"]))))
    torch.set_num_threads(args.final_threads)
    final = CnnTrainer(images, labels, best.params["hidden"], best.params["dropout"], best.params["learning-rate"],
                       seeds[(best.number, -1)]["seed"])
    final_orders = orders(best.number, -1)
    for epoch in range(final_epochs):
        final.train_epoch(final_orders[epoch], batch, steps)
    _, test_accuracy = final.evaluate(split["test"])
    states = [t.state.name for t in study.trials]
    report({
        "best_cv": best.value, "test_accuracy": test_accuracy, "best_config": best.number, "best_params": best.params,
        "epochs": sum(t.user_attrs.get("epochs", 0) for t in study.trials), "final_epochs": final_epochs,
        "completed": states.count("COMPLETE"), "pruned": states.count("PRUNED"),
        "sweep_seconds": swept - started, "final_seconds": time.time() - swept, "final_threads": args.final_threads,
        "epoch_seconds": sum(seconds for _, seconds in timings.values()),
        **{f"epochs_hidden_{h}": n for h, (n, _) in timings.items()},
        **{f"epoch_seconds_hidden_{h}": seconds for h, (_, seconds) in timings.items()},
    })


if __name__ == "__main__":
    main()
