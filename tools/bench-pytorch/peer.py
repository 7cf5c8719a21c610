#!/usr/bin/env python3
"""PyTorch eager peer of the project's training step and DDPM sampling (issue 24; docs/benchmarks.md, "Against PyTorch eager").

Re-implements the project's `unet2d` denoiser (plugins/Diffusion.Denoisers/UNet2D) and the train stage's step for the
model, data shape and train stage of a pipeline file, and times them in this process at a fixed thread count:

    python3 tools/bench-pytorch/peer.py --pipeline pipelines/quickstart.yaml --threads 1 --steps 20 --warmup 5 \
        --samples 64 --sample-steps 50

With --check FOLDER it times nothing: it loads the project's initial weights and forward pass written by
`Diffusion.Bench.Training peer --check-out FOLDER` into its own network (by name, every shape checked) and exits 1 unless
the outputs agree, so the timed network is the project's, not merely one of the same size.

It prints one JSON line with the same fields as `Diffusion.Bench.Training peer` (the project side). Data: random
tensors of the data component's item shape (values uniform in [-1, 1], the range of the project's images); a step's
time does not depend on the pixel values. Needs Debian's python3-torch (and python3-yaml, which it pulls in) with an
optimised BLAS: sudo apt-get install -y python3-torch libopenblas0-pthread
"""

import argparse
import json
import math
import os
import platform
import re
import statistics
import sys
import time

APT_HINT = "sudo apt-get install -y python3-torch libopenblas0-pthread"


def fail(message, code=2):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def parse_args():
    parser = argparse.ArgumentParser(description="PyTorch eager peer of Diffusion.Bench.Training's peer mode")
    parser.add_argument("--pipeline", default="pipelines/quickstart.yaml", help="pipeline YAML (its model, data and train stage)")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (and OpenMP/OpenBLAS threads)")
    parser.add_argument("--steps", type=int, default=20, help="timed training steps")
    parser.add_argument("--warmup", type=int, default=5, help="training steps run before the timed ones")
    parser.add_argument("--samples", type=int, default=64, help="images sampled in one batch")
    parser.add_argument("--sample-steps", type=int, default=50, help="DDPM steps")
    parser.add_argument("--check", metavar="FOLDER",
                        help="instead of timing: load FOLDER/check.safetensors (Diffusion.Bench.Training peer --check-out FOLDER), "
                             "the project's initial weights and one forward pass, into this network and compare the outputs")
    args = parser.parse_args()
    for name in ("threads", "steps", "samples", "sample_steps"):
        if getattr(args, name) < 1:
            fail(f"--{name.replace('_', '-')} must be a whole number >= 1 (got {getattr(args, name)})")
    if args.warmup < 0:
        fail(f"--warmup must be a whole number >= 0 (got {args.warmup})")
    return args


ARGS = parse_args()
# Before torch loads: OpenMP (ATen, oneDNN) and OpenBLAS size their pools from these; OpenBLAS's pthread build would
# otherwise use every core whatever torch.set_num_threads says.
os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    fail(f"{sys.executable} cannot import torch ({e}); install Debian's PyTorch and OpenBLAS: {APT_HINT}")
try:
    import yaml
except ImportError as e:
    fail(f"{sys.executable} cannot import yaml ({e}): sudo apt-get install -y python3-yaml")

torch.set_num_threads(ARGS.threads)
torch.set_num_interop_threads(1)


# ---------------------------------------------------------------------------------------------------------------------
# The pipeline: the values the project binds, with the project's defaults (UNet2DOptions, ImageModalityOptions,
# SamplerOptions, TrainStageOptions). Anything the peer does not re-implement is refused rather than ignored.

def load_pipeline(path):
    try:
        with open(path, encoding="utf-8") as f:
            document = yaml.safe_load(f)
    except OSError as e:
        fail(f"{path}: {e.strerror}; give a pipeline file such as pipelines/quickstart.yaml")
    except yaml.YAMLError as e:
        fail(f"{path}: not valid YAML ({e})")
    components = document.get("components") or {}
    trains = [s for s in document.get("stages") or [] if s.get("type") == "train"]
    if not trains:
        fail(f"{path}: no stage of type train; the peer times the train stage's step")
    train = trains[0]

    def component(name, plugin):
        spec = components.get(train.get(name))
        if spec is None:
            fail(f"{path}: the train stage's {name} '{train.get(name)}' is not a component")
        if spec.get("plugin") != plugin:
            fail(f"{path}: component '{train.get(name)}' is '{spec.get('plugin')}'; the peer re-implements only {plugin}")
        return spec

    model, data, noise = component("model", "unet2d"), component("data", "image"), component("sampler", "ddpm")
    for key, off in (("class_conditional", False), ("extra_in_channels", 0), ("context_dim", 0), ("text_encoder_layers", 0)):
        if model.get(key, off) != off:
            fail(f"{path}: unet2d option {key}: {model[key]} is not re-implemented by the peer (unconditional models only)")
    for key, default in (("grad_accumulation", 1), ("loss_weighting", "uniform"), ("noise_offset", 0), ("cond_dropout", 0),
                         ("low_res_scale", 0)):
        if train.get(key, default) != default:
            fail(f"{path}: train option {key}: {train[key]} is not re-implemented by the peer")
    if str(noise.get("prediction_type", "epsilon")) != "epsilon" or noise.get("rescale_zero_terminal_snr", False):
        fail(f"{path}: the peer trains epsilon prediction on an unrescaled schedule only")
    if str(train.get("optimizer", "adamw")).lower() != "adamw":
        fail(f"{path}: optimizer {train['optimizer']}: the peer uses AdamW only")
    dataset = str(data.get("dataset", "shapes"))
    size = int(data.get("image_size", 16))
    return {
        "base_channels": int(model.get("base_channels", 32)),
        "channel_mults": [int(m) for m in model.get("channel_mults", [1, 2, 2])],
        "res_blocks": int(model.get("res_blocks", 1)),
        "attention_resolutions": [int(r) for r in model.get("attention_resolutions", [8])],
        "num_heads": int(model.get("num_heads", 4)),
        "groups": int(model.get("groups", 8)),
        "dropout": float(model.get("dropout", 0.0)),
        "channels": int(data.get("channels", 1)),
        "image_size": size,
        # Training items: the shapes dataset's count, Fashion-MNIST's 60,000 (only the index range of the draws).
        "items": 60000 if dataset == "fashion-mnist" else int(data.get("count", 4000)),
        "beta_schedule": str(noise.get("beta_schedule", "linear")),
        "timesteps": int(noise.get("timesteps", 1000)),
        "beta_start": float(noise.get("beta_start", 1e-4)),
        "beta_end": float(noise.get("beta_end", 0.02)),
        "clip_sample": bool(noise.get("clip_sample", True)),
        "clip_range": float(noise.get("clip_range", 1.0)),
        "variance": str(noise.get("variance", "fixed_small")),
        "spacing": str(noise.get("timestep_spacing", "leading")),
        "batch_size": int(train.get("batch_size", 64)),
        "lr": float(train.get("lr", 2e-4)),
        "weight_decay": float(train.get("weight_decay", 0.0)),
        "grad_clip": float(train.get("grad_clip", 1.0)),
        "ema_decay": float(train.get("ema_decay", 0.0)),
    }


def alphas_cumprod(cfg):
    """ᾱ_t (float64) of NoiseSchedule.Create: linear, scaled_linear or cosine (squaredcos_cap_v2, betas capped at 0.999)."""
    n, b0, b1 = cfg["timesteps"], cfg["beta_start"], cfg["beta_end"]
    kind = cfg["beta_schedule"].replace("-", "_")
    betas = []
    for i in range(n):
        f = i / (n - 1)
        if kind == "linear":
            betas.append(b0 + f * (b1 - b0))
        elif kind == "scaled_linear":
            betas.append((math.sqrt(b0) + f * (math.sqrt(b1) - math.sqrt(b0))) ** 2)
        elif kind == "sigmoid":
            betas.append(b0 + (b1 - b0) / (1 + math.exp(-(-6 + 12 * f))))
        elif kind == "cosine":
            bar = lambda t: math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2
            betas.append(min(1 - bar((i + 1) / n) / bar(i / n), 0.999))
        else:
            fail(f"beta_schedule {cfg['beta_schedule']} is not re-implemented by the peer")
    return torch.cumprod(1 - torch.tensor(betas, dtype=torch.float64), 0)


# ---------------------------------------------------------------------------------------------------------------------
# The network: UNet2DNetwork, module for module (same layers, shapes, order and parameter count).

def sinusoidal(t, dim):
    """TimestepEmbedding.Sinusoidal: [cos, sin] of t at frequencies 10000^(-k/half)."""
    half = dim // 2
    exponents = torch.arange(half, dtype=torch.float32) * (-math.log(10000.0) / half)
    args = t.float().unsqueeze(1) * exponents.exp().unsqueeze(0)
    return torch.cat([args.cos(), args.sin()], dim=1)


SDPA = getattr(F, "scaled_dot_product_attention", None)  # PyTorch >= 2.0; Debian 12's 1.13 has none


def attention(q, k, v):
    if SDPA is not None:
        return SDPA(q, k, v)
    weights = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * (q.shape[-1] ** -0.5), dim=-1)
    return torch.matmul(weights, v)


class ResidualBlock(nn.Module):
    def __init__(self, cin, cout, embed, groups, dropout):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_proj = nn.Linear(embed, cout)
        self.norm2 = nn.GroupNorm(groups, cout)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = None if cin == cout else nn.Conv2d(cin, cout, 1)

    def forward(self, x, embedding):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_proj(F.silu(embedding)).unsqueeze(-1).unsqueeze(-1)
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return (x if self.skip is None else self.skip(x)) + h


class AttentionBlock(nn.Module):
    def __init__(self, channels, heads, groups):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.proj = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        parts = self.qkv(self.norm(x)).reshape(b, 3, self.heads, c // self.heads, h * w).permute(1, 0, 2, 4, 3)
        attended = attention(parts[0], parts[1], parts[2])
        return x + self.proj(attended.permute(0, 1, 3, 2).reshape(b, c, h, w))


class UNetBlock(nn.Module):
    def __init__(self, res, attn):
        super().__init__()
        self.res = res
        self.attn = attn

    def forward(self, x, embedding):
        h = self.res(x, embedding)
        return h if self.attn is None else self.attn(h)


class Upsample(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x, like):
        return self.conv(F.interpolate(x, size=like.shape[-2:], mode="nearest"))


class UNet2D(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        base, mults, groups, heads, dropout = cfg["base_channels"], cfg["channel_mults"], cfg["groups"], cfg["num_heads"], cfg["dropout"]
        self.levels, self.res_blocks, self.embed_input = len(mults), cfg["res_blocks"], base
        embed = 4 * base
        attention_at = set(cfg["attention_resolutions"])

        def block(cin, cout, attn):
            return UNetBlock(ResidualBlock(cin, cout, embed, groups, dropout), AttentionBlock(cout, heads, groups) if attn else None)

        self.time_mlp = nn.Sequential(nn.Linear(base, embed), nn.SiLU(), nn.Linear(embed, embed))
        self.conv_in = nn.Conv2d(cfg["channels"], base, 3, padding=1)
        self.down_blocks, self.downsamplers = nn.ModuleList(), nn.ModuleList()
        skips, current, size, sizes = [base], base, cfg["image_size"], []
        for level, mult in enumerate(mults):
            sizes.append(size)
            for _ in range(self.res_blocks):
                self.down_blocks.append(block(current, base * mult, size in attention_at))
                current = base * mult
                skips.append(current)
            if level < self.levels - 1:
                self.downsamplers.append(nn.Conv2d(current, current, 3, stride=2, padding=1))
                skips.append(current)
                size = (size + 1) // 2
        self.mid_block1 = block(current, current, True)
        self.mid_block2 = ResidualBlock(current, current, embed, groups, dropout)
        self.up_blocks, self.upsamplers = nn.ModuleList(), nn.ModuleList()
        for level in reversed(range(self.levels)):
            for _ in range(self.res_blocks + 1):
                self.up_blocks.append(block(current + skips.pop(), base * mults[level], sizes[level] in attention_at))
                current = base * mults[level]
            if level > 0:
                self.upsamplers.append(Upsample(current))
        self.norm_out = nn.GroupNorm(groups, current)
        self.conv_out = nn.Conv2d(current, cfg["channels"], 3, padding=1)

    def forward(self, x, t):
        embedding = self.time_mlp(sinusoidal(t, self.embed_input))
        h = self.conv_in(x)
        skips, block = [h], 0
        for level in range(self.levels):
            for _ in range(self.res_blocks):
                h = self.down_blocks[block](h, embedding)
                skips.append(h)
                block += 1
            if level < self.levels - 1:
                h = self.downsamplers[level](h)
                skips.append(h)
        h = self.mid_block2(self.mid_block1(h, embedding), embedding)
        block, up = 0, 0
        for level in reversed(range(self.levels)):
            for _ in range(self.res_blocks + 1):
                h = self.up_blocks[block](torch.cat([h, skips.pop()], dim=1), embedding)
                block += 1
            if level > 0:
                h = self.upsamplers[up](h, skips[-1])
                up += 1
        return self.conv_out(F.silu(self.norm_out(h)))


# ---------------------------------------------------------------------------------------------------------------------
# Training step (HandLoop.Run and the train stage) and DDPM sampling (DdpmSampler over TimestepSampler).

def train(cfg, model, average, steps):
    """Runs `steps` steps; returns the wall-clock seconds of each."""
    generator = torch.Generator().manual_seed(1234)
    data = torch.rand((cfg["items"], cfg["channels"], cfg["image_size"], cfg["image_size"]), generator=generator) * 2 - 1
    table = alphas_cumprod(cfg)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=cfg["weight_decay"])
    params = list(model.parameters())
    pairs = list(zip(average.parameters(), params)) if average is not None else []
    batch, times = cfg["batch_size"], []
    for step in range(steps):
        start = time.perf_counter()
        index = torch.randint(0, cfg["items"], (batch,), generator=generator)
        x0 = data.index_select(0, index)
        t = torch.randint(0, cfg["timesteps"], (batch,), generator=generator)
        noise = torch.randn(x0.shape, generator=generator)
        ab = table.index_select(0, t).float().view(-1, 1, 1, 1)
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * noise
        loss = F.mse_loss(model(xt, t.float()), noise)
        optimizer.zero_grad(set_to_none=False)  # as TorchSharp 0.107 does (checked): zeroed in place
        loss.backward()
        if cfg["grad_clip"] > 0:
            nn.utils.clip_grad_norm_(params, cfg["grad_clip"])
        optimizer.step()
        loss.item()
        if pairs:  # WeightAverage.Update: d = min(decay, (1 + k)/(10 + k))
            d = min(cfg["ema_decay"], (1.0 + step) / (10.0 + step))
            with torch.no_grad():
                for avg, source in pairs:
                    avg.mul_(d).add_(source, alpha=1 - d)
        times.append(time.perf_counter() - start)
    return times


def sampling_timesteps(total, steps, spacing):
    """SamplingTimesteps.Select (leading and trailing), noisiest first."""
    if steps >= total:
        return list(reversed(range(total)))
    if spacing == "leading":
        return [(steps - 1 - i) * (total // steps) for i in range(steps)]
    if spacing == "trailing":
        return [round(total - i * total / steps) - 1 for i in range(steps)]
    fail(f"timestep_spacing {spacing} is not re-implemented by the peer")


def sample(cfg, model, count, steps):
    """Ancestral DDPM from N(0, I) noise with clipped x0 estimates; returns the wall-clock seconds."""
    table = alphas_cumprod(cfg).tolist()
    timesteps = sampling_timesteps(cfg["timesteps"], steps, cfg["spacing"])
    generator = torch.Generator().manual_seed(1)
    start = time.perf_counter()
    with torch.no_grad():
        x = torch.randn((count, cfg["channels"], cfg["image_size"], cfg["image_size"]), generator=generator)
        for i, t in enumerate(timesteps):
            eps = model(x, torch.full((count,), float(t)))
            ab = table[t]
            x0 = (x - math.sqrt(1 - ab) * eps) / max(math.sqrt(ab), 1e-8)
            if cfg["clip_sample"]:
                x0 = x0.clamp(-cfg["clip_range"], cfg["clip_range"])
            if i == len(timesteps) - 1:
                x = x0
                break
            ab_prev = table[timesteps[i + 1]]
            alpha_step = ab / ab_prev
            beta_step = 1 - alpha_step
            denom = max(1 - ab, 1e-20)
            mean = x0 * (math.sqrt(ab_prev) * beta_step / denom) + x * (math.sqrt(alpha_step) * (1 - ab_prev) / denom)
            variance = beta_step if cfg["variance"] == "fixed_large" else (1 - ab_prev) / denom * beta_step
            x = mean + torch.randn(x.shape, generator=generator) * math.sqrt(max(variance, 1e-20))
    return time.perf_counter() - start


def blas():
    """BLAS_INFO of the build and the BLAS library this process actually mapped (Debian's libblas.so.3 alternative)."""
    config = torch.__config__.show()
    found = re.search(r"BLAS_INFO=([^,\s]+)", config)
    info = found.group(1) if found else "?"
    torch.matmul(torch.ones(64, 64), torch.ones(64, 64))
    libraries = set()
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            for line in maps:
                path = line.split()[-1]
                name = os.path.basename(path)
                if "blas" in name or name.startswith("libmkl"):
                    libraries.add(name)
    except OSError:
        pass
    return f"{info} ({', '.join(sorted(libraries)) or 'no BLAS library mapped'})"


def read_safetensors(path):
    """The tensors of a safetensors file (float32, float64 and int64 only: what the project's check writes)."""
    dtypes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
    with open(path, "rb") as f:
        blob = f.read()
    length = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8:8 + length])
    data = bytearray(blob[8 + length:])
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = dtypes[entry["dtype"]]
        flat = torch.frombuffer(data, dtype=dtype, count=(end - begin) // torch.tensor([], dtype=dtype).element_size(), offset=begin)
        tensors[name] = flat.clone().reshape(entry["shape"])
    return tensors


def check(cfg, folder):
    """Loads the project's weights by name (every name and shape must match) and compares one forward pass."""
    path = os.path.join(folder, "check.safetensors")
    try:
        tensors = read_safetensors(path)
    except OSError as e:
        fail(f"{path}: {e.strerror}; write it first with Diffusion.Bench.Training peer --pipeline FILE --check-out {folder}")
    model = UNet2D(cfg)
    state = {name[len("model."):]: value for name, value in tensors.items() if name.startswith("model.")}
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        print(json.dumps({"side": "peer", "check": path, "passed": False, "error": str(e)}))
        sys.exit(1)
    with torch.no_grad():
        output = model(tensors["check.x"], tensors["check.t"])
    expected = tensors["check.output"]
    difference = (output - expected).abs().max().item()
    scale = expected.abs().max().item()
    passed = difference <= 1e-4 * max(1.0, scale)
    print(json.dumps({"side": "peer", "check": path, "parameters": sum(p.numel() for p in model.parameters()), "tensors": len(state),
                      "max_abs_diff": difference, "max_abs_output": scale, "passed": passed}))
    sys.exit(0 if passed else 1)


def host():
    """The process settings that matter for speed, in the project's words (its JSON says malloc ...; omp wait ...)."""
    env = os.environ
    malloc = f"GLIBC_TUNABLES={env['GLIBC_TUNABLES']}" if "glibc.malloc." in env.get("GLIBC_TUNABLES", "") else "glibc defaults"
    wait = next((f"{name}={env[name]}" for name in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT") if env.get(name)), "libgomp default spinning")
    return f"malloc {malloc}; omp wait {wait}; OMP_NUM_THREADS={env['OMP_NUM_THREADS']} OPENBLAS_NUM_THREADS={env['OPENBLAS_NUM_THREADS']}"


def main():
    cfg = load_pipeline(ARGS.pipeline)
    if ARGS.check:
        check(cfg, ARGS.check)
    torch.manual_seed(1)
    model = UNet2D(cfg)
    model.train()
    average = None
    if cfg["ema_decay"] > 0:
        average = UNet2D(cfg)
        average.load_state_dict(model.state_dict())
        for p in average.parameters():
            p.requires_grad_(False)
        average.eval()
    times = sorted(train(cfg, model, average, ARGS.warmup + ARGS.steps)[ARGS.warmup:])
    sampler_model = average if average is not None else model.eval()
    sample(cfg, sampler_model, ARGS.samples, 2)  # the same warm-up evaluation as the project side
    sampling = sample(cfg, sampler_model, ARGS.samples, ARGS.sample_steps)
    config = torch.__config__.show()
    onednn = next((line.strip()[2:] for line in config.splitlines() if "MKL-DNN" in line or "oneDNN" in line), "?")
    print(json.dumps({
        "side": "peer",
        "pipeline": ARGS.pipeline,
        "threads": ARGS.threads,
        "torch_threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in model.parameters()),
        "batch_size": cfg["batch_size"],
        "items": cfg["items"],
        "lr": cfg["lr"],
        "weight_decay": cfg["weight_decay"],
        "grad_clip": cfg["grad_clip"],
        "ema_decay": cfg["ema_decay"],
        "steps": ARGS.steps,
        "warmup": ARGS.warmup,
        "train_step_median_s": statistics.median(times),
        "train_step_min_s": times[0],
        "train_step_max_s": times[-1],
        "samples": ARGS.samples,
        "sample_steps": ARGS.sample_steps,
        "sampling_s": sampling,
        "framework": f"PyTorch {torch.__version__}",
        "torch_version": torch.__version__,
        "blas": blas(),
        "onednn": onednn,
        "runtime": f"Python {platform.python_version()}",
        "host": host(),
    }))


if __name__ == "__main__":
    main()
