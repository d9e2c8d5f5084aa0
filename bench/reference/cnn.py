"""The CNN's bare training loop in PyTorch, as CnnLoop's `project` variant: samples/s of Adam steps
on batches of 64 of the exported loop order, after a warm-up.
    python3 bench/reference/cnn.py --data DIR --threads 1 --steps 300 [--startup]"""

import argparse
import time

import numpy as np
import torch

from common import CnnTrainer, load_digits, mark_first_step, report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--startup", action="store_true", help="print the time of the first step, run a few steps, exit")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    batch = 64
    images, labels = load_digits(args.data)
    order = np.load(f"{args.data}/loop-order.npy")
    trainer = CnnTrainer(images, labels, hidden=128, dropout=0.0, learning_rate=1e-3, seed=1)

    def step(s):
        start = s * batch % (len(order) - batch)
        return trainer.train_step(order[start:start + batch])

    if args.startup:
        mark_first_step()
        for s in range(5):
            step(s)
        report({"steps": 5})
        return
    for s in range(args.warmup):
        step(s)
    clock = time.perf_counter()
    for s in range(args.steps):
        step(args.warmup + s)
    elapsed = time.perf_counter() - clock
    report({"samples_per_second": args.steps * batch / elapsed, "threads": args.threads, "steps": args.steps})


if __name__ == "__main__":
    main()
