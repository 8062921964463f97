#!/usr/bin/env python3
"""The default English model's shape (configs/conll2003-en.json) written plainly in PyTorch, for comparison with
`nerve bench --config configs/conll2003-en.json`.

Per token, F feature tables (word, caps, affixes, gazetteers: --tables "size:dim,..."), looked up for the C slots of
the window and concatenated: x = E_1[id(t-m,1)] ++ ... ++ E_F[id(t+m,F)];  h = tanh(W dropout(x) + b1);
s = U dropout(h) + b2, then a linear-chain CRF over each sentence (Collobert et al. 2011 §3.3.2): transitions A (K, K),
start a0 and end an; J = log Z - score(y), Z by the forward algorithm in log space, batched over the sentences of a
step (padded, masked). AdaGrad (the config's optimizer; torch's Adagrad takes the sparse embedding gradients of
nn.Embedding(sparse=True)), or plain SGD. Tagging: the scores of a batch of sentences (about 256
windows) and a batched Viterbi. Synthetic data: sentence lengths uniform in 1..28 (mean 14.5, as CoNLL 2003), ids
Zipfian per table, random labels. With --chars (the default model's character convolution, CharWNN), each token also
has 1..12 random characters between <w> and </w>; a step embeds the characters of the distinct tokens of its windows,
convolves them (width w, same padding as a batch of words of different lengths: to the longest), takes the max over
positions and joins the (filters)-vector of every slot to the window. Prints one JSON object per configuration in the
schema of `nerve bench --json`.
"""
import argparse
import json
import resource
import statistics
import time

import numpy as np
import torch
from torch import nn


class DefaultNet(nn.Module):
    def __init__(self, tables, window, hidden, classes, input_dropout, hidden_dropout, chars=None):
        super().__init__()
        self.emb = nn.ModuleList(nn.Embedding(size, dim, sparse=True) for size, dim in tables)
        width = window * sum(dim for _, dim in tables)
        self.chars = chars
        if chars is not None:  # (alphabet, dim, filters, width, max length)
            alphabet, cdim, filters, cwidth, _ = chars
            self.char_emb = nn.Embedding(alphabet, cdim, padding_idx=0)
            self.conv = nn.Conv1d(cdim, filters, cwidth, padding=cwidth // 2)
            width += window * filters
        self.hidden = nn.Linear(width, hidden)
        self.out = nn.Linear(hidden, classes)
        self.drop_in = nn.Dropout(input_dropout)
        self.drop_h = nn.Dropout(hidden_dropout)
        self.A = nn.Parameter(torch.zeros(classes, classes))
        self.a0 = nn.Parameter(torch.zeros(classes))
        self.an = nn.Parameter(torch.zeros(classes))

    def scores(self, ids, tokens=None, chars=None):  # ids (B, C, F), tokens (B, C) rows of chars (N, L) -> s (B, K)
        x = torch.cat([e(ids[:, :, f]) for f, e in enumerate(self.emb)], dim=2)
        if self.chars is not None:
            distinct, where = torch.unique(tokens, return_inverse=True)
            c = chars[distinct]
            c = c[:, :int((c > 0).sum(1).max())]  # to the longest word of the step
            feature = self.conv(self.char_emb(c).transpose(1, 2)).max(dim=2).values  # (U, filters)
            x = torch.cat([x, feature[where]], dim=2)
        x = x.flatten(1)
        return self.out(self.drop_h(torch.tanh(self.hidden(self.drop_in(x)))))

    def nll(self, s, y, mask):  # s (S, T, K), y (S, T), mask (S, T) bool -> sum over sentences of log Z - score(y)
        S, T, K = s.shape
        alpha = self.a0 + s[:, 0]
        for t in range(1, T):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + self.A, dim=1) + s[:, t]
            alpha = torch.where(mask[:, t:t + 1], nxt, alpha)
        log_z = torch.logsumexp(alpha + self.an, dim=1)
        gold = self.a0[y[:, 0]] + (s.gather(2, y.unsqueeze(2)).squeeze(2) * mask).sum(1)
        gold = gold + (self.A[y[:, :-1], y[:, 1:]] * mask[:, 1:]).sum(1)
        last = y.gather(1, (mask.sum(1) - 1).unsqueeze(1)).squeeze(1)
        return (log_z - gold - self.an[last]).sum()

    def viterbi(self, s, mask):  # s (S, T, K) -> classes (S, T)
        S, T, K = s.shape
        delta = self.a0 + s[:, 0]
        back = []
        for t in range(1, T):
            best, arg = (delta.unsqueeze(2) + self.A).max(dim=1)
            m = mask[:, t:t + 1]
            delta = torch.where(m, best + s[:, t], delta)
            back.append(torch.where(m, arg, torch.arange(K).expand(S, K)))
        path = [(delta + self.an).argmax(1)]
        for bp in reversed(back):
            path.append(bp.gather(1, path[-1].unsqueeze(1)).squeeze(1))
        return torch.stack(path[::-1], dim=1)


def zipf(rng, size, n):
    p = 1.0 / np.arange(1, size - 2)
    return rng.choice(size - 3, size=n, p=p / p.sum()) + 3  # rows 0-2: unknown, <s>, </s>


def synthetic_chars(rng, n, chars):  # (n + 1, max) char ids of each token, the last row the padding token <s>/</s>
    alphabet, _, _, _, longest = chars
    out = np.zeros((n + 1, longest), np.int64)
    for i in range(n + 1):
        k = min(int(rng.integers(1, 13)), longest - 2) if i < n else 1
        out[i, 0], out[i, 1:k + 1], out[i, k + 1] = 1, rng.integers(3, alphabet, size=k), 2  # <w> ... </w>
    return torch.from_numpy(out)


def synthetic(tokens, tables, window, classes, seed, chars=None):
    rng = np.random.default_rng(seed)
    lengths = []
    while sum(lengths) < tokens:
        lengths.append(int(rng.integers(1, 29)))
    n, m, f = sum(lengths), window // 2, len(tables)
    ids = np.stack([zipf(rng, size, n) for size, _ in tables], axis=1)  # (n, F)
    windows = np.empty((n, window, f), np.int64)
    tokwin = np.empty((n, window), np.int64)  # the token of each slot, n for padding
    at = 0
    for length in lengths:
        padded = np.concatenate([np.full((m, f), 1), ids[at:at + length], np.full((m, f), 2)])
        windows[at:at + length] = np.lib.stride_tricks.sliding_window_view(padded, (window, f))[:, 0]
        toks = np.concatenate([np.full(m, n), np.arange(at, at + length), np.full(m, n)])
        tokwin[at:at + length] = np.lib.stride_tricks.sliding_window_view(toks, window)
        at += length
    labels = rng.integers(0, classes, size=n)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    char_ids = synthetic_chars(rng, n, chars) if chars is not None else None
    return torch.from_numpy(windows), torch.from_numpy(labels), starts, torch.from_numpy(tokwin), char_ids


def pad(values, starts, sentences, fill):
    T = max(starts[s + 1] - starts[s] for s in sentences)
    out = values.new_full((len(sentences), T) + tuple(values.shape[1:]), fill)
    mask = torch.zeros(len(sentences), T, dtype=torch.bool)
    for i, s in enumerate(sentences):
        a, b = starts[s], starts[s + 1]
        out[i, :b - a] = values[a:b]
        mask[i, :b - a] = True
    return out, mask


def groups(sentences, per_step):
    return [sentences[i:i + per_step] for i in range(0, len(sentences), per_step)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", required=True, help='"size:dim,..." of the feature tables, the word table first')
    ap.add_argument("--chars", default="", help='"alphabet:dim:filters:width:max" of the character convolution ("" for none)')
    ap.add_argument("--hidden", type=int, default=400)
    ap.add_argument("--window", type=int, default=7)
    ap.add_argument("--classes", type=int, default=17)
    ap.add_argument("--input-dropout", type=float, default=0.3)
    ap.add_argument("--hidden-dropout", type=float, default=0.5)
    ap.add_argument("--tokens", type=int, default=50000)
    ap.add_argument("--batch", default="1", help="sentences per training step")
    ap.add_argument("--optimizer", default="adagrad", choices=["adagrad", "sgd"])
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--mode", default="train,tag")
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--max-seconds", type=float, default=3.0)
    a = ap.parse_args()
    tables = [tuple(int(v) for v in t.split(":")) for t in a.tables.split(",")]
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    chars = tuple(int(v) for v in a.chars.split(":")) if a.chars else None
    windows, labels, starts, tokwin, char_ids = synthetic(a.tokens, tables, a.window, a.classes, 1, chars)
    n_sent = len(starts) - 1
    for mode in a.mode.split(","):
        for batch in ([int(b) for b in a.batch.split(",")] if mode == "train" else [0]):
            model = DefaultNet(tables, a.window, a.hidden, a.classes, a.input_dropout, a.hidden_dropout, chars)
            opt = (torch.optim.Adagrad if a.optimizer == "adagrad" else torch.optim.SGD)(model.parameters(), lr=a.lr)
            gen = torch.Generator().manual_seed(1)

            def run(sentences):  # returns tokens done
                done = 0
                if mode == "train":
                    model.train()
                    for group in groups(sentences, batch):
                        idx = torch.cat([torch.arange(starts[s], starts[s + 1]) for s in group])
                        opt.zero_grad(set_to_none=True)
                        s = model.scores(windows[idx], tokwin[idx], char_ids)
                        # the step's window scores back into padded sentence rows (S, T, K)
                        lens = [starts[g + 1] - starts[g] for g in group]
                        local = np.concatenate([[0], np.cumsum(lens)])
                        sp, mask = pad(s, local, range(len(group)), 0.0)
                        yp, _ = pad(labels[idx], local, range(len(group)), 0)
                        (model.nll(sp, yp, mask) / len(group)).backward()
                        opt.step()
                        done += len(idx)
                else:
                    model.eval()
                    with torch.inference_mode():
                        i = 0
                        while i < len(sentences):
                            group = [sentences[i]]
                            tok = starts[sentences[i] + 1] - starts[sentences[i]]
                            i += 1
                            while i < len(sentences) and tok + starts[sentences[i] + 1] - starts[sentences[i]] <= 256:
                                tok += starts[sentences[i] + 1] - starts[sentences[i]]
                                group.append(sentences[i])
                                i += 1
                            idx = torch.cat([torch.arange(starts[s], starts[s + 1]) for s in group])
                            s = model.scores(windows[idx], tokwin[idx], char_ids)
                            lens = [starts[g + 1] - starts[g] for g in group]
                            local = np.concatenate([[0], np.cumsum(lens)])
                            sp, mask = pad(s, local, range(len(group)), 0.0)
                            model.viterbi(sp, mask)
                            done += len(idx)
                return done

            order = torch.randperm(n_sent, generator=gen).tolist()
            warm = order[:max(20, n_sent // 20)]
            t0 = time.perf_counter()
            rate = run(warm) / (time.perf_counter() - t0)
            take = max(1, min(n_sent, int(rate * a.max_seconds / 14.5)))
            rates, tokens = [], 0
            for _ in range(a.repetitions):
                part = torch.randperm(n_sent, generator=gen).tolist()[:take]
                t0 = time.perf_counter()
                tokens = run(sorted(part) if mode == "tag" else part)
                rates.append(tokens / (time.perf_counter() - t0))
            rates.sort()
            print(json.dumps({
                "impl": "pytorch", "torch": torch.__version__, "config": "default-shape", "output": "crf",
                "tables": len(tables), "chars": a.chars or None, "mode": mode, "optimizer": a.optimizer if mode == "train" else "none",
                "hidden": a.hidden, "window": a.window, "dim": tables[0][1], "classes": a.classes,
                "vocab": tables[0][0], "batch": batch if mode == "train" else 256, "threads": a.threads,
                "workers": a.threads, "tokens": tokens, "repetitions": a.repetitions, "precompute": 0,
                "tokens_per_s": round(statistics.median(rates)), "median": round(statistics.median(rates)),
                "min": round(rates[0]), "max": round(rates[-1]),
                "peak_working_set_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }), flush=True)


if __name__ == "__main__":
    main()
