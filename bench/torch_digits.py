"""The /digits DCGAN in PyTorch on the CPU: the reference a user would otherwise pick.

Same layers, widths, initialisation scale, losses and optimiser as src/core/digits/dcgan.rs
(the ns loss; one D step on a real and a generated batch, then one G step through the updated
D), on real MNIST batches from www/data. Prints training steps/s after a warm-up. Run by
bench/digits_vs_torch.sh, which installs PyTorch from bench/requirements-torch.txt into
bench/.venv-torch and measures the page beside it.

    python bench/torch_digits.py --width 0.125 --batch 32 --seconds 15 [--threads N]
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_mnist():
    for folder in (os.path.join(ROOT, "www", "data"), os.path.join(ROOT, "..", "shared", "data")):
        path = os.path.join(folder, "mnist-train-images.u8.gz")
        if os.path.exists(path):
            with gzip.open(path) as f:
                images = np.frombuffer(f.read(), dtype=np.uint8).reshape(-1, 1, 28, 28)
            return torch.from_numpy(images.astype(np.float32) / 127.5 - 1.0)
    raise SystemExit("MNIST not found: run node scripts/data.mjs (it fills www/data)")


def networks(width, latent):
    c = max(1, round(64 * width))

    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.project = nn.Linear(latent, 49 * 2 * c)
            self.norm0 = nn.BatchNorm2d(2 * c)
            self.up1 = nn.ConvTranspose2d(2 * c, c, 4, 2, 1)
            self.norm1 = nn.BatchNorm2d(c)
            self.up2 = nn.ConvTranspose2d(c, 1, 4, 2, 1)

        def forward(self, z):
            x = self.project(z).view(-1, 2 * c, 7, 7)  # [B, 2C, 7, 7]
            x = torch.relu(self.norm0(x))
            x = torch.relu(self.norm1(self.up1(x)))  # [B, C, 14, 14]
            return torch.tanh(self.up2(x))  # [B, 1, 28, 28]

    class Discriminator(nn.Module):
        def __init__(self):
            super().__init__()
            self.down1 = nn.Conv2d(1, c, 4, 2, 1)
            self.down2 = nn.Conv2d(c, 2 * c, 4, 2, 1)
            self.norm2 = nn.BatchNorm2d(2 * c)
            self.classify = nn.Linear(49 * 2 * c, 1)

        def forward(self, x):
            x = nn.functional.leaky_relu(self.down1(x), 0.2)  # [B, C, 14, 14]
            x = nn.functional.leaky_relu(self.norm2(self.down2(x)), 0.2)  # [B, 2C, 7, 7]
            return self.classify(x.flatten(1))  # [B, 1]

    g, d = Generator(), Discriminator()
    for m in list(g.modules()) + list(d.modules()):  # DCGAN's N(0, 0.02), BN scale N(1, 0.02)
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
    return g, d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=float, default=0.125)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--latent", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--threads", type=int, default=0, help="0: PyTorch's default (one per core)")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    images = load_mnist()
    g, d = networks(args.width, args.latent)
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(args.batch, 1), torch.zeros(args.batch, 1)

    def step():
        real = images[torch.randint(0, len(images), (args.batch,))]
        fake = g(torch.randn(args.batch, args.latent))
        loss_d = bce(d(real), ones) + bce(d(fake.detach()), zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = bce(d(fake), ones)  # non-saturating
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        return loss_d.item(), loss_g.item()

    for _ in range(5):  # warm-up
        step()
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < args.seconds:
        losses = step()
        steps += 1
    elapsed = time.perf_counter() - t0
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "width": args.width, "batch": args.batch,
                      "steps": steps, "seconds": round(elapsed, 2), "stepsPerSec": round(steps / elapsed, 2), "lastLosses": [round(v, 3) for v in losses]}))


if __name__ == "__main__":
    main()
