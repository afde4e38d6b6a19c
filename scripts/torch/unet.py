#!/usr/bin/python3
"""PyTorch twin of the trainer's default ε-U-Net (packages/trainer/src/model/), for speed comparisons.

Same architecture and parameter count as `createModel(defaultUNetConfig(28, 1, 0))`:
sinusoidal time embedding → Dense → Swish → Dense; residual blocks GroupNorm → Swish → 3×3 conv,
+ Dense(Swish(time embedding)), GroupNorm → Swish → dropout → 3×3 conv, 1×1 shortcut when the width
changes; single-head self-attention (GroupNorm → qkv → softmax(q·kᵀ/√C)·v → proj, + x) at 7×7;
3×3 stride-2 conv (padding 1) down, 4×4 stride-2 transposed conv (padding 1) up, skip concatenation;
GroupNorm → Swish → 3×3 conv out. Base 32, multipliers [1, 2, 2], 2 blocks per level, 8 groups.

Run with Debian's Python (torch 1.13):
  /usr/bin/python3 scripts/torch/unet.py params
  /usr/bin/python3 scripts/torch/unet.py bench-train --batch 64 [--steps 3] [--warmup 1] [--threads 2]
  /usr/bin/python3 scripts/torch/unet.py bench-infer --batch 16 [--steps 5] [--threads 2]
  /usr/bin/python3 scripts/torch/unet.py export --out unet.onnx [--opset 17]
"""
import argparse
import math
import os
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

GROUP_NORM_EPS = 1e-5


def swish(x):
    return x * torch.sigmoid(x)


class TimeEmbedding(nn.Module):
    """[sin(t·f), cos(t·f)] with f_i = exp(−ln(10000)·i/(half−1)) → Dense → Swish → Dense."""

    def __init__(self, sinusoid_dim, out_dim):
        super().__init__()
        half = sinusoid_dim // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / (half - 1))
        self.register_buffer("frequencies", freqs.float()[None, :], persistent=False)
        self.dense1 = nn.Linear(sinusoid_dim, out_dim)
        self.dense2 = nn.Linear(out_dim, out_dim)

    def forward(self, t):
        angles = t.float()[:, None] * self.frequencies
        sinusoid = torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)
        return self.dense2(swish(self.dense1(sinusoid)))


class ResBlock(nn.Module):
    def __init__(self, in_ch, out_ch, time_dim, groups, dropout):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_ch, eps=GROUP_NORM_EPS)
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.time = nn.Linear(time_dim, out_ch)
        self.norm2 = nn.GroupNorm(groups, out_ch, eps=GROUP_NORM_EPS)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1)
        self.shortcut = nn.Conv2d(in_ch, out_ch, 1) if in_ch != out_ch else None

    def forward(self, x, time_act):
        h = self.conv1(swish(self.norm1(x)))
        h = h + self.time(time_act)[:, :, None, None]
        h = self.conv2(self.dropout(swish(self.norm2(h))))
        return h + (self.shortcut(x) if self.shortcut is not None else x)


class Attention(nn.Module):
    """Single-head self-attention over the H·W positions, with a residual connection."""

    def __init__(self, channels, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels, eps=GROUP_NORM_EPS)
        self.qkv = nn.Linear(channels, 3 * channels)
        self.proj = nn.Linear(channels, channels)

    def forward(self, x):
        n, c, h, w = x.shape
        tokens = self.norm(x).reshape(n, c, h * w).transpose(1, 2)
        q, k, v = self.qkv(tokens).chunk(3, dim=2)
        weights = torch.softmax(torch.bmm(q, k.transpose(1, 2)) * (1.0 / math.sqrt(c)), dim=-1)
        out = self.proj(torch.bmm(weights, v))
        return x + out.transpose(1, 2).reshape(n, c, h, w)


class Stage(nn.Module):
    def __init__(self, in_ch, out_ch, time_dim, groups, dropout, attention):
        super().__init__()
        self.res = ResBlock(in_ch, out_ch, time_dim, groups, dropout)
        self.attn = Attention(out_ch, groups) if attention else None

    def forward(self, x, time_act):
        h = self.res(x, time_act)
        return self.attn(h) if self.attn is not None else h


class UNet(nn.Module):
    def __init__(self, image_size=28, channels=1, base=32, mults=(1, 2, 2), blocks=2, attention_res=(7,), groups=8, dropout=0.1):
        super().__init__()
        time_dim = 4 * base
        self.time = TimeEmbedding(base, time_dim)
        self.input = nn.Conv2d(channels, base, 3, padding=1)
        widths = [base * m for m in mults]
        skips = [base]
        ch = base
        self.down = nn.ModuleList()
        self.downsample = nn.ModuleList()
        for i, width in enumerate(widths):
            side = image_size // 2**i
            stages = nn.ModuleList()
            for _ in range(blocks):
                stages.append(Stage(ch, width, time_dim, groups, dropout, side in attention_res))
                ch = width
                skips.append(ch)
            self.down.append(stages)
            last = i == len(widths) - 1
            self.downsample.append(nn.Identity() if last else nn.Conv2d(ch, ch, 3, stride=2, padding=1))
            if not last:
                skips.append(ch)
        self.mid1 = ResBlock(ch, ch, time_dim, groups, dropout)
        self.mid_attn = Attention(ch, groups)
        self.mid2 = ResBlock(ch, ch, time_dim, groups, dropout)
        self.up = nn.ModuleList()
        self.upsample = nn.ModuleList()
        for i in reversed(range(len(widths))):
            side = image_size // 2**i
            stages = nn.ModuleList()
            for _ in range(blocks + 1):
                stages.append(Stage(ch + skips.pop(), widths[i], time_dim, groups, dropout, side in attention_res))
                ch = widths[i]
            self.up.append(stages)
            self.upsample.append(nn.ConvTranspose2d(ch, ch, 4, stride=2, padding=1) if i > 0 else nn.Identity())
        assert not skips
        self.out_norm = nn.GroupNorm(groups, ch, eps=GROUP_NORM_EPS)
        self.out_conv = nn.Conv2d(ch, channels, 3, padding=1)
        self.levels = len(widths)

    def forward(self, sample, timestep):
        time_act = swish(self.time(timestep))
        h = self.input(sample)
        skips = [h]
        for i, stages in enumerate(self.down):
            for stage in stages:
                h = stage(h, time_act)
                skips.append(h)
            if i < self.levels - 1:
                h = self.downsample[i](h)
                skips.append(h)
        h = self.mid2(self.mid_attn(self.mid1(h, time_act)), time_act)
        for i, stages in enumerate(self.up):
            for stage in stages:
                h = stage(torch.cat([h, skips.pop()], dim=1), time_act)
            h = self.upsample[i](h)
        return self.out_conv(swish(self.out_norm(h)))


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def forward_macs(model, image_size, channels):
    """Multiply-adds of one image's forward pass (convs, transposed convs, linear layers, attention products)."""
    macs = [0]

    def conv_hook(mod, inp, out):
        macs[0] += out.numel() // out.shape[0] * mod.in_channels * mod.kernel_size[0] * mod.kernel_size[1] // mod.groups

    def convt_hook(mod, inp, out):
        x = inp[0]
        macs[0] += x.numel() // x.shape[0] * mod.out_channels * mod.kernel_size[0] * mod.kernel_size[1]

    def linear_hook(mod, inp, out):
        macs[0] += out.numel() // out.shape[0] * mod.in_features

    def attn_hook(mod, inp, out):
        _, c, h, w = inp[0].shape
        macs[0] += 2 * (h * w) * (h * w) * c

    handles = []
    for m in model.modules():
        if isinstance(m, nn.ConvTranspose2d):
            handles.append(m.register_forward_hook(convt_hook))
        elif isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
        elif isinstance(m, Attention):
            handles.append(m.register_forward_hook(attn_hook))
    with torch.no_grad():
        model.eval()
        model(torch.zeros(1, channels, image_size, image_size), torch.zeros(1, dtype=torch.int64))
    for hd in handles:
        hd.remove()
    return macs[0]


def describe(model):
    macs = forward_macs(model, 28, 1)
    print(f"model: PyTorch twin of the default 28x28x1 U-Net, {parameter_count(model)} parameters")
    print(f"FLOPs per image: forward {2 * macs / 1e9:.3f} GFLOP (2 x {macs / 1e6:.1f} M multiply-adds), training ~ 3x = {6 * macs / 1e9:.3f} GFLOP")
    return 2 * macs


def random_batch(batch, generator):
    x0 = torch.rand(batch, 1, 28, 28, generator=generator) * 2 - 1
    eps = torch.randn(batch, 1, 28, 28, generator=generator)
    t = torch.randint(0, 1000, (batch,), generator=generator)
    return x0, eps, t


def bench_train(args):
    torch.manual_seed(0)
    model = UNet()
    fwd_flops = describe(model)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=2e-4)
    gen = torch.Generator().manual_seed(1)
    alpha_bars = torch.cumprod(1 - torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64), 0).float()

    def step():
        x0, eps, t = random_batch(args.batch, gen)
        ab = alpha_bars[t][:, None, None, None]
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps  # Ho et al. 2020, eq. 4
        loss = F.mse_loss(model(xt, t), eps)  # L_simple, eq. 14
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    ms = (time.perf_counter() - t0) * 1000 / args.steps
    print(f"pytorch eager training (Adam), {torch.get_num_threads()} threads, batch {args.batch}: "
          f"{ms:.0f} ms/step, {1000 * args.batch / ms:.1f} img/s, {3 * fwd_flops * args.batch / ms / 1e6:.1f} GFLOP/s")


def bench_infer(args):
    torch.manual_seed(0)
    model = UNet().eval()
    describe(model)
    gen = torch.Generator().manual_seed(1)
    x, _, t = random_batch(args.batch, gen)
    with torch.no_grad():
        for _ in range(args.warmup):
            model(x, t)
        t0 = time.perf_counter()
        for _ in range(args.steps):
            model(x, t)
    ms = (time.perf_counter() - t0) * 1000 / args.steps
    print(f"pytorch eager inference, {torch.get_num_threads()} threads, batch {args.batch}: {ms:.1f} ms/call")


def export(args):
    torch.manual_seed(0)
    model = UNet().eval()
    describe(model)
    sample = torch.randn(2, 1, 28, 28)
    timestep = torch.tensor([10, 500], dtype=torch.int64)
    tmp = f"{args.out}.tmp-{os.getpid()}"
    try:
        torch.onnx.export(
            model,
            (sample, timestep),
            tmp,
            opset_version=args.opset,
            input_names=["sample", "timestep"],
            output_names=["out_sample"],
            dynamic_axes={"sample": {0: "batch"}, "timestep": {0: "batch"}, "out_sample": {0: "batch"}},
        )
        os.replace(tmp, args.out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    print(f"wrote {args.out} (opset {args.opset}, dynamic batch)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("params", help="print the parameter count and FLOPs")
    train = sub.add_parser("bench-train", help="ms/step and img/s of eager training with Adam")
    train.add_argument("--batch", type=int, default=64)
    train.add_argument("--steps", type=int, default=3)
    train.add_argument("--warmup", type=int, default=1)
    infer = sub.add_parser("bench-infer", help="ms per eager forward call")
    infer.add_argument("--batch", type=int, default=16)
    infer.add_argument("--steps", type=int, default=5)
    infer.add_argument("--warmup", type=int, default=1)
    exp = sub.add_parser("export", help="export the architecture to ONNX")
    exp.add_argument("--out", required=True)
    exp.add_argument("--opset", type=int, default=17)
    for p in (train, infer):
        p.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    for name in ("batch", "steps"):
        if getattr(args, name, 1) < 1:
            parser.error(f"--{name} must be >= 1, got {getattr(args, name)}")
    torch.set_num_threads(getattr(args, "threads", 2))
    if args.command == "params":
        describe(UNet())
    elif args.command == "bench-train":
        bench_train(args)
    elif args.command == "bench-infer":
        bench_infer(args)
    else:
        export(args)


if __name__ == "__main__":
    sys.exit(main())
