"""The GAN's bare training loop in PyTorch, as GanLoop: steps/s of one discriminator and one
generator update (batch 64, z 64, Adam β 0.5, 0.999, lr 2e-4), after a warm-up.
    python3 bench/reference/gan.py --data DIR --threads 1 --steps 200"""

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from common import load_digits, report, seeded

SLOPE = 0.2


def mlp(inputs, hidden, outputs, batch_norm):
    """GanLayers.Mlp: Linear layers, batch norm after every hidden Linear but the first, LeakyReLU(0.2)."""
    layers, width = [], inputs
    for i, h in enumerate(hidden):
        layers.append(nn.Linear(width, h))
        if batch_norm and i > 0:
            layers.append(nn.BatchNorm1d(h))
        layers.append(nn.LeakyReLU(SLOPE))
        width = h
    layers.append(nn.Linear(width, outputs))
    return layers


class Generator(nn.Module):
    def __init__(self, z):
        super().__init__()
        self.layers = nn.Sequential(*mlp(z, [128, 256, 512, 1024], 784, True), nn.Tanh())

    def forward(self, z):
        return self.layers(z).view(-1, 1, 28, 28)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(*mlp(784, [1024, 512, 256], 1, False))

    def forward(self, x):
        return self.layers(x.flatten(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    images, _ = load_digits(args.data)
    order = np.load(f"{args.data}/loop-order.npy")
    z_size, batch, seed = 64, 64, 1
    generator, discriminator = seeded(seed, lambda: (Generator(z_size), Discriminator()))
    g_opt = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    noise = torch.Generator().manual_seed(seed)  # TrialNoise.GanTraining = 0
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)

    def step(s):
        start = s * batch % (len(order) - batch)
        index = torch.from_numpy(order[start:start + batch].astype(np.int64))
        generator.train()
        discriminator.train()
        real = images.index_select(0, index).mul(2).sub_(1)
        fake = generator(torch.randn(batch, z_size, generator=noise))
        d_opt.zero_grad()
        d_loss = (F.binary_cross_entropy_with_logits(discriminator(real), ones)
                  + F.binary_cross_entropy_with_logits(discriminator(fake.detach()), zeros))
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad()
        g_loss = F.binary_cross_entropy_with_logits(discriminator(fake), ones)
        g_loss.backward()
        g_opt.step()
        return d_loss.item(), g_loss.item()

    for s in range(args.warmup):
        step(s)
    clock = time.perf_counter()
    for s in range(args.steps):
        step(args.warmup + s)
    elapsed = time.perf_counter() - clock
    report({"steps_per_second": args.steps / elapsed, "threads": args.threads, "steps": args.steps})


if __name__ == "__main__":
    main()
