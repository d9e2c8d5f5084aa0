"""The reference side of `compare` (docs/PERFORMANCE.md, "Against PyTorch + Optuna"): the project's
models written in PyTorch 1.13 (Debian's python3-torch), reading the digits, split and batch orders
the bench exported (bench/Experiments.Bench/Reference/ReferenceExport.cs), so that both sides train
on identical batches."""

import json
import os
import threading
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DROPOUT_STREAM = 0xD60F0A7B  # TrialNoise.Dropout
EVALUATION_BATCH = 250       # CnnTrainer.EvaluationBatch
_seeded_init = threading.Lock()


def load_digits(directory):
    """images [N,1,28,28] float32 in [0, 1] and labels [N] int64, as the runtime's DigitDataset holds them."""
    images = torch.from_numpy(np.load(os.path.join(directory, "images.npy")))
    labels = torch.from_numpy(np.load(os.path.join(directory, "labels.npy")).astype(np.int64))
    return images, labels


def load_json(directory, name):
    with open(os.path.join(directory, name)) as f:
        return json.load(f)


def seeded(seed, build):
    """SeededInit.Create: the global generator is process-wide, so construction holds a lock."""
    with _seeded_init:
        torch.manual_seed(seed)
        return build()


class TrialDropout(nn.Module):
    """The project's TrialDropout: inverted dropout with masks from the trial's own generator."""

    def __init__(self, rate, generator):
        super().__init__()
        self.rate = rate
        self.generator = generator

    def forward(self, x):
        if not self.training or self.rate == 0:
            return x
        keep = torch.rand(x.shape, dtype=x.dtype, generator=self.generator).ge(self.rate)
        return x.mul(keep).div(1 - self.rate)


class DigitCnn(nn.Module):
    """DigitCnn: Conv2d(1,32,3) → MaxPool2d(2) → ReLU → Flatten → Linear(5408, hidden) → ReLU → Dropout → Linear(hidden, 10)."""

    def __init__(self, hidden, dropout, generator=None):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, 3)
        self.hidden = nn.Linear(32 * 13 * 13, hidden)
        self.dropout = TrialDropout(dropout, generator)
        self.output = nn.Linear(hidden, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv(x), 2))
        x = F.relu(self.hidden(x.flatten(1)))
        return self.output(self.dropout(x))


class CnnTrainer:
    """CnnTrainer: the model, Adam (β 0.9, 0.999, no weight decay) and the trial's dropout generator."""

    def __init__(self, images, labels, hidden, dropout, learning_rate, seed):
        self.images, self.labels = images, labels
        generator = torch.Generator().manual_seed(seed ^ DROPOUT_STREAM)
        self.model = seeded(seed, lambda: DigitCnn(hidden, dropout, generator))
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=learning_rate, betas=(0.9, 0.999))

    def train_step(self, indices):
        self.model.train()
        index = torch.from_numpy(indices.astype(np.int64))
        x, y = self.images.index_select(0, index), self.labels.index_select(0, index)
        self.optimizer.zero_grad()
        loss = F.cross_entropy(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def evaluate(self, indices):
        """Mean cross-entropy and accuracy, in no-grad batches of 250."""
        self.model.eval()
        loss_sum, correct = 0.0, 0
        with torch.no_grad():
            for start in range(0, len(indices), EVALUATION_BATCH):
                index = torch.as_tensor(indices[start:start + EVALUATION_BATCH], dtype=torch.int64)
                logits = self.model(self.images.index_select(0, index))
                y = self.labels.index_select(0, index)
                loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
                correct += logits.argmax(1).eq(y).sum().item()
        return loss_sum / len(indices), correct / len(indices)

    def train_epoch(self, order, batch_size, steps=None):
        """One pass over the epoch's order in batches of batch_size, the last one partial (DataLoader's
        batches), or only its first `steps` batches (training.steps-per-epoch)."""
        for step, start in enumerate(range(0, len(order), batch_size)):
            if steps is not None and step >= steps:
                break
            self.train_step(order[start:start + batch_size])


def should_stop(history, patience, min_delta):
    """EarlyStopping.ShouldStop for a metric to maximise."""
    if len(history) <= patience:
        return False
    best, since = history[0], 0
    for value in history[1:]:
        if value > best + min_delta:
            best, since = value, 0
        else:
            since += 1
    return since >= patience


def report(fields):
    """The one line the bench reads: RESULT {json}, printed when the work is done."""
    print("RESULT " + json.dumps(fields), flush=True)


def mark_first_step():
    """The wall-clock time of the first training step, for the bench's start-up measurement."""
    print("FIRST-STEP " + repr(time.time()), flush=True)
