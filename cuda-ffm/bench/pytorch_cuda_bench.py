"""PyTorch counterpart of fuse3d.cuda.bench.CudaBench's tensor figures, on the same GPU.

Usage: python3 pytorch_cuda_bench.py [--quick]
Prints the same ``bench <name> key=value ...`` lines as CudaBench (prefix ``torch_`` instead of ``cuda_``):
torch.matmul at n = 1024, 2048, 4096 in full FP32 (allow_tf32 off) and with TF32, conv2d 8x64x56x56 3x3,
softmax and sum of 4096x1024, relu. Timed with CUDA events after a warm-up, like CudaBench.
"""
import argparse

import torch
import torch.nn.functional as F


def time_ms(fn):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    reps = 1
    while True:
        start.record()
        for _ in range(reps):
            fn()
        end.record()
        end.synchronize()
        ms = start.elapsed_time(end)
        if ms > 200 or reps >= 1 << 12:
            return ms / reps
        reps *= 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    dev = torch.device("cuda")
    p = torch.cuda.get_device_properties(dev)
    print(f"bench env device=cuda:0 name={p.name.replace(' ', '_')} cc={p.major}{p.minor} torch={torch.__version__}")
    g = torch.Generator(device="cpu").manual_seed(7)
    for n in ([1024, 2048] if args.quick else [1024, 2048, 4096]):
        a = (torch.rand(n, n, generator=g) * 2 - 1).to(dev)
        b = (torch.rand(n, n, generator=g) * 2 - 1).to(dev)
        for tf32 in (False, True):
            torch.backends.cuda.matmul.allow_tf32 = tf32
            ms = time_ms(lambda: torch.matmul(a, b))
            kind = "tf32" if tf32 else "fp32"
            print(f"bench torch_sgemm n={n} kernel={kind} ms={ms:.3f} gflops={2.0 * n ** 3 / (ms * 1e6):.1f}")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    x = torch.rand(8, 64, 56, 56, device=dev) * 2 - 1
    w = torch.rand(64, 64, 3, 3, device=dev) * 2 - 1
    ms = time_ms(lambda: F.conv2d(x, w, padding=1))
    print(f"bench torch_conv2d shape=8x64x56x56 kernel=3x3 cin=64 cout=64 ms={ms:.3f} gflops={2.0 * 8 * 64 * 64 * 9 * 56 * 56 / (ms * 1e6):.1f}")
    s = torch.rand(4096, 1024, device=dev) * 8 - 4
    ms = time_ms(lambda: torch.softmax(s, 1))
    print(f"bench torch_softmax shape=4096x1024 ms={ms:.3f} gbps={2.0 * 4 * 4096 * 1024 / (ms * 1e6):.1f}")
    ms = time_ms(lambda: s.sum(1))
    print(f"bench torch_sum shape=4096x1024 dim=1 ms={ms:.3f} gbps={4.0 * 4096 * 1024 / (ms * 1e6):.1f}")
    ms = time_ms(lambda: torch.relu(s))
    print(f"bench torch_relu shape=4096x1024 ms={ms:.3f} gbps={8.0 * 4096 * 1024 / (ms * 1e6):.1f}")


if __name__ == "__main__":
    main()
