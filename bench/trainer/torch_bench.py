"""PyTorch (CPU) training throughput for the same architecture, batch, context and thread count
as VisionMix's embedded trainer: pre-norm RMSNorm, interleaved rotary positions, causal attention,
GELU(tanh) MLP of width 4C, no biases, tied embeddings, AdamW(0.9, 0.95, wd 0.1 on matrices),
gradient clipping at 1.0, fp32.

usage: torch_bench.py SIZES_JSON --threads N [--size NAME] [--steps S] [--warmup W]
prints a JSON array of {name, parameters, tokens_per_second, final_loss}.
"""
import argparse, json, math, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, c, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(T, hs):
    i = torch.arange(hs // 2, dtype=torch.float64)
    theta = 10000.0 ** (-2.0 * i / hs)
    ang = torch.arange(T, dtype=torch.float64)[:, None] * theta[None, :]
    return torch.cos(ang).float(), torch.sin(ang).float()


def rope(x, cos, sin):  # x (B, NH, T, hs), pairs (2i, 2i+1)
    a, b = x[..., 0::2], x[..., 1::2]
    return torch.stack((a * cos - b * sin, a * sin + b * cos), dim=-1).flatten(-2)


class Block(nn.Module):
    def __init__(self, C, NH):
        super().__init__()
        self.NH = NH
        self.ln1, self.ln2 = RMSNorm(C), RMSNorm(C)
        self.qkv = nn.Linear(C, 3 * C, bias=False)
        self.attproj = nn.Linear(C, C, bias=False)
        self.fc = nn.Linear(C, 4 * C, bias=False)
        self.fcproj = nn.Linear(4 * C, C, bias=False)

    def forward(self, x, cos, sin):
        B, T, C = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.NH, C // self.NH).transpose(1, 2) for t in (q, k, v))
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.attproj(y.transpose(1, 2).reshape(B, T, C))
        return x + self.fcproj(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class LM(nn.Module):
    def __init__(self, V, T, L, C, NH):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.blocks = nn.ModuleList(Block(C, NH) for _ in range(L))
        self.lnf = RMSNorm(C)
        cos, sin = rope_tables(T, C // NH)
        self.register_buffer("cos", cos)
        self.register_buffer("sin", sin)
        for n, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * L) if n.endswith("attproj.weight") or n.endswith("fcproj.weight") else 0.02
                nn.init.normal_(p, std=std)

    def forward(self, idx, targets):
        T = idx.shape[1]
        x = self.wte(idx)
        for b in self.blocks:
            x = b(x, self.cos[:T], self.sin[:T])
        logits = self.lnf(x) @ self.wte.weight.t()
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))


def bench(s, threads, steps, warmup):
    torch.manual_seed(1)
    V, T, B = s["vocabulary"], s["context"], s["batch"]
    model = LM(V, T, s["layers"], s["width"], s["heads"])
    decay = [p for p in model.parameters() if p.dim() == 2]
    other = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                            lr=s["learning_rate"], betas=(0.9, 0.95), eps=1e-8)
    g = torch.Generator().manual_seed(1)
    data = torch.randint(0, V, (steps + warmup, B, T + 1), generator=g)
    loss = None
    for i in range(steps + warmup):
        if i == warmup:
            t0 = time.perf_counter()
        x, y = data[i, :, :-1], data[i, :, 1:]
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    dt = time.perf_counter() - t0
    n = sum(p.numel() for p in model.parameters())
    return {"name": s["name"], "parameters": n, "tokens_per_second": steps * B * T / dt, "final_loss": float(loss)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--size")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    sizes = json.load(open(a.sizes))
    out = [bench(s, a.threads, a.steps, a.warmup) for s in sizes if a.size in (None, s["name"])]
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
