#!/usr/bin/env python3
"""The parameter update's parts alone in PyTorch eager (the peer of `Diffusion.Bench.Training update`): AdamW step
(the default per-parameter implementation, as peer.py uses, and foreach=True, PyTorch's multi-tensor variant), clip_grad_norm_,
the weight average and zero_grad (set_to_none=False, as peer.py) on peer.py's UNet for a pipeline, random gradients,
one thread. Mean milliseconds over --steps calls after 20 warm-up calls.

    /usr/bin/python3 tools/bench-pytorch/update.py [--pipeline pipelines/quickstart.yaml] [--steps 200]
"""
import argparse
import copy
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pipeline", default="pipelines/quickstart.yaml")
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(1)
    model = peer.UNet2D(peer.load_pipeline(args.pipeline))
    params = list(model.parameters())
    for p in params:
        p.grad = torch.randn_like(p)
    average = [p.detach().clone() for p in params]
    optimizer = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.0)
    multi_tensor = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.0, foreach=True)

    def bench(f):
        for _ in range(20):
            f()
        start = time.perf_counter()
        for _ in range(args.steps):
            f()
        return (time.perf_counter() - start) / args.steps * 1e3

    def weight_average():
        with torch.no_grad():
            for a, p in zip(average, params):
                a.mul_(0.99).add_(p, alpha=0.01)

    print(f"parameter tensors {len(params)}, elements {sum(p.numel() for p in params)}")
    print(f"adamw step ms {bench(optimizer.step):.3f}")
    print(f"adamw step ms, foreach=True {bench(multi_tensor.step):.3f}")
    print(f"clip ms {bench(lambda: nn.utils.clip_grad_norm_(params, 1.0)):.3f}")
    print(f"weight average ms {bench(weight_average):.3f}")
    print(f"zero_grad ms {bench(lambda: optimizer.zero_grad(set_to_none=False)):.3f}")


if __name__ == "__main__":
    main()
