#!/usr/bin/env python3
"""The window network of nerve bench written plainly in PyTorch, for comparison.

x = L[w(t-m)] ++ ... ++ L[w(t+m)];  h = tanh(W x + b1);  s = U h + b2;  J = CE(s, y)
nn.Embedding(sparse=True), Linear, tanh, Linear, cross-entropy, plain SGD.  Same synthetic data as
`nerve bench`: Zipfian word ids (rank r with probability proportional to 1/(r+1)), uniform random labels.
Prints one JSON object per configuration in the schema of `nerve bench --json`.
"""
import argparse
import json
import resource
import statistics
import time

import numpy as np
import torch
from torch import nn


class WindowNet(nn.Module):
    def __init__(self, vocab, dim, window, hidden, classes):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, sparse=True)
        self.hidden = nn.Linear(window * dim, hidden)
        self.out = nn.Linear(hidden, classes)

    def forward(self, ids):  # ids (B, C)
        x = self.emb(ids).flatten(1)  # (B, C*d)
        return self.out(torch.tanh(self.hidden(x)))


def synthetic(tokens, vocab, window, classes, seed):
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, vocab + 1)
    ids = rng.choice(vocab, size=tokens, p=p / p.sum())
    m = window // 2
    padded = np.concatenate([np.zeros(m, np.int64), ids, np.zeros(m, np.int64)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, window).copy()  # (tokens, C)
    labels = rng.integers(0, classes, size=tokens)
    return torch.from_numpy(windows).long(), torch.from_numpy(labels).long()


def train_pass(model, opt, windows, labels, batch, n, gen):
    order = torch.randperm(windows.shape[0], generator=gen)[:n]
    loss_fn = nn.CrossEntropyLoss()
    for start in range(0, n, batch):
        idx = order[start:start + batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(windows[idx]), labels[idx])
        loss.backward()
        opt.step()


@torch.inference_mode()
def tag_pass(model, windows, batch, n):
    for start in range(0, n, batch):
        model(windows[start:start + batch]).softmax(1).argmax(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hidden", type=int, default=100)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--dim", type=int, default=50)
    ap.add_argument("--classes", type=int, default=5)
    ap.add_argument("--vocab", type=int, default=20000)
    ap.add_argument("--tokens", type=int, default=200000)
    ap.add_argument("--batch", default="1,32,256")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--mode", default="train,tag")
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--max-seconds", type=float, default=4.0,
                    help="cap one timed pass at about this long by timing fewer windows (slow batch-1 runs)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    windows, labels = synthetic(a.tokens, a.vocab, a.window, a.classes, 1)
    for mode in a.mode.split(","):
        for batch in [int(b) for b in a.batch.split(",")]:
            model = WindowNet(a.vocab, a.dim, a.window, a.hidden, a.classes)
            opt = torch.optim.SGD(model.parameters(), lr=0.01)
            gen = torch.Generator().manual_seed(1)

            def run(n):
                if mode == "train":
                    train_pass(model, opt, windows, labels, batch, n, gen)
                else:
                    tag_pass(model, windows, batch, n)

            warm = min(a.tokens, max(2000, 4 * batch))
            t0 = time.perf_counter()
            run(warm)
            rate = warm / (time.perf_counter() - t0)
            n = min(a.tokens, max(batch, int(rate * a.max_seconds) // batch * batch))
            rates = []
            for _ in range(a.repetitions):
                t0 = time.perf_counter()
                run(n)
                rates.append(n / (time.perf_counter() - t0))
            rates.sort()
            print(json.dumps({
                "impl": "pytorch", "torch": torch.__version__, "mode": mode,
                "optimizer": "sgd" if mode == "train" else "none",
                "hidden": a.hidden, "window": a.window, "dim": a.dim, "classes": a.classes, "vocab": a.vocab,
                "batch": batch, "threads": a.threads, "workers": a.threads, "tokens": n, "repetitions": a.repetitions,
                "precompute": 0,
                "tokens_per_s": round(statistics.median(rates)), "median": round(statistics.median(rates)),
                "min": round(rates[0]), "max": round(rates[-1]),
                "peak_working_set_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }), flush=True)


if __name__ == "__main__":
    main()
