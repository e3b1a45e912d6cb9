"""PyTorch peer of Fuse3D's nn benchmarks: ResNet-18 and a Transformer encoder layer (/usr/bin/python3, torch 1.13).

Usage: pytorch_nn_bench.py THREADS [--quick]
Prints ``bench <name> key=value ...`` lines in the format of pytorch_tensor_bench.py, each the median of several
timed samples after a warm-up (its ``timed``). For 2 threads run with OMP_WAIT_POLICY=PASSIVE.

  resnet18_fwd / resnet18_fwd_bwd   torchvision-layout ResNet-18 (tests/golden/nn/resnet_tv.py), width 64,
      FEATURES ONLY: stem + layer1..layer4 (no avgpool / fc), input 1x3x256x704 -> 1x512x8x22.
      fwd: eval() under torch.no_grad(); gflops counts 2 x the multiply-adds of the convolutions.
      fwd_bwd: train() (BatchNorm with batch statistics), loss = mean of the layer4 features, backward into
      every parameter (grads set to None before each iteration); no optimizer step.
  transformer_fwd / transformer_fwd_bwd   nn.TransformerEncoderLayer(d_model=256, nhead=8,
      dim_feedforward=1024, dropout=0.0, activation=relu, batch_first=True, norm_first=False), input 1x1000x256.
      fwd: eval() under torch.no_grad() (torch 1.13 then takes its fused "fast path" kernel);
      fwd_bwd: train(), loss = output.mean(), backward into every parameter and not into the input.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


# Importing the tensor bench first pins the thread count from the command line (OMP/OpenBLAS read it from the
# environment when they load, before torch is imported) and gives the shared timing and BLAS helpers.
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "golden", "nn"))
from pytorch_tensor_bench import setup, timed  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402
from resnet_tv import resnet18  # noqa: E402


def conv_flops(model, x):
    """2 x multiply-adds of every Conv2d in one forward pass."""
    total = [0]

    def hook(m, inp, out):
        k = m.weight.shape[1] * m.weight.shape[2] * m.weight.shape[3]
        total[0] += 2 * out.numel() * k

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        model.features(x)
    for h in hs:
        h.remove()
    return total[0]


def main():
    args = setup()

    model = resnet18(width=64)
    x = torch.rand(1, 3, 256, 704) - 0.5
    flops = conv_flops(model.eval(), x)

    def r_fwd():
        with torch.no_grad():
            model.features(x)

    model.eval()
    s = timed(r_fwd, args.quick)
    print(f"bench resnet18_fwd shape=1x3x256x704 head=features mode=eval ms={s * 1e3:.1f} "
          f"gflops={flops / s / 1e9:.1f} threads={args.threads}", flush=True)

    def r_fwd_bwd():
        model.zero_grad(set_to_none=True)
        model.features(x)["layer4"].mean().backward()

    model.train()
    s = timed(r_fwd_bwd, args.quick)
    print(f"bench resnet18_fwd_bwd shape=1x3x256x704 head=features mode=train ms={s * 1e3:.1f} "
          f"threads={args.threads}", flush=True)
    del model

    layer = nn.TransformerEncoderLayer(d_model=256, nhead=8, dim_feedforward=1024, dropout=0.0, activation="relu",
                                       batch_first=True, norm_first=False)
    src = torch.randn(1, 1000, 256)

    def t_fwd():
        with torch.no_grad():
            layer(src)

    layer.eval()
    s = timed(t_fwd, args.quick)
    print(f"bench transformer_fwd batch=1 L=1000 d_model=256 nhead=8 ffn=1024 mode=eval ms={s * 1e3:.2f} "
          f"threads={args.threads}", flush=True)

    def t_fwd_bwd():
        layer.zero_grad(set_to_none=True)
        layer(src).mean().backward()

    layer.train()
    s = timed(t_fwd_bwd, args.quick)
    print(f"bench transformer_fwd_bwd batch=1 L=1000 d_model=256 nhead=8 ffn=1024 mode=train ms={s * 1e3:.2f} "
          f"threads={args.threads}", flush=True)


if __name__ == "__main__":
    main()
