"""PyTorch counterpart of fuse3d.examples.bench.TensorBench (run with /usr/bin/python3, torch 1.13).

Usage: pytorch_tensor_bench.py THREADS [--quick]
Prints the same ``bench <name> key=value ...`` lines as TensorBench for torch.matmul (n = 256..2048) and
the same conv2d / conv3d shapes (stride 1, padding k//2, with bias), each the median of several timed
samples after a warm-up. For 2 threads run with OMP_WAIT_POLICY=PASSIVE, so idle OpenMP workers do not
spin on the core that the other thread needs.
"""
import argparse
import os
import platform
import statistics
import sys
import time


def _threads_from_argv():
    for a in sys.argv[1:]:
        if a.isdigit():
            return a
    return None


# The BLAS under torch (OpenBLAS in Debian's build) sizes its own thread pool from the environment when it
# loads; torch.set_num_threads does not reach it. Pin it before torch is imported.
if _threads_from_argv():
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = _threads_from_argv()

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def timed(fn, quick):
    """Median seconds per call: warm up in batches of calls until two batches in a row agree within 3 %
    (as TensorBench does), then samples of back-to-back calls lasting tens of ms each."""
    min_warm, max_warm = (0.3, 5.0) if quick else (1.5, 20.0)
    start = time.perf_counter()
    prev = float("inf")
    while True:
        b0 = time.perf_counter()
        calls = 0
        while True:
            fn()
            calls += 1
            if time.perf_counter() - b0 >= 0.1:
                break
        per_call = (time.perf_counter() - b0) / calls
        elapsed = time.perf_counter() - start
        if elapsed >= max_warm or (elapsed >= min_warm and abs(per_call - prev) <= 0.03 * prev):
            break
        prev = per_call
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-9)
    inner = int(max(1, min(10000, (0.01 if quick else 0.04) / one)))
    samples = []
    for _ in range(3 if quick else 9):
        a = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - a) / inner)
    return statistics.median(samples)


def blas_name():
    """The BLAS implementation's library as mapped into this process (Debian's libblas.so.3 is an
    alternatives link; the implementation's own library is mapped too)."""
    try:
        with open("/proc/self/maps") as maps:
            libs = {line[line.index("/"):].strip() for line in maps if ".so" in line and "/" in line}
        for key in ("openblas", "blis", "mkl_rt", "libblas"):
            hits = sorted(lib for lib in libs if key in os.path.basename(lib))
            if hits:
                return os.path.basename(os.path.realpath(hits[0]))
    except OSError:
        pass
    return "unknown"


def setup():
    """Parses THREADS [--quick], sets torch's thread count and seed, loads the BLAS library and prints the
    ``bench env`` line; returns the parsed arguments (shared by the PyTorch bench scripts)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("threads", type=int)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    torch.matmul(torch.ones(64, 64), torch.ones(64, 64))  # loads the BLAS library
    print(f"bench env torch={torch.__version__} python={platform.python_version()} threads={torch.get_num_threads()} "
          f"blas={blas_name()} mkldnn={torch.backends.mkldnn.is_available()}", flush=True)
    return args


def main():
    args = setup()
    with torch.no_grad():
        for n in (256, 512, 1024, 2048):
            a = torch.rand(n, n) - 0.5
            b = torch.rand(n, n) - 0.5
            c = torch.empty(n, n)
            flops = 2.0 * n ** 3
            s = timed(lambda: torch.matmul(a, b, out=c), args.quick)
            print(f"bench sgemm n={n} threads={args.threads} gflops={flops / s / 1e9:.1f}", flush=True)
        for name, shape, kernel, cout, fn in (
                ("conv2d", (1, 64, 64, 176), (3, 3), 64, F.conv2d),
                ("conv3d", (1, 32, 16, 200, 200), (3, 3, 3), 32, F.conv3d)):
            x = torch.rand(*shape) - 0.5
            cin = shape[1]
            w = (torch.rand(cout, cin, *kernel) - 0.5) * 0.1
            bias = torch.zeros(cout)
            pad = [k // 2 for k in kernel]
            out_vol = 1
            for d in shape[2:]:
                out_vol *= d  # stride 1, padding k//2: output spatial size = input
            flops = 2.0 * shape[0] * cout * out_vol * cin * torch.tensor(kernel).prod().item()
            s = timed(lambda: fn(x, w, bias, stride=1, padding=pad), args.quick)
            dims = "x".join(str(d) for d in shape)
            ks = "x".join(str(k) for k in kernel)
            print(f"bench {name} shape={dims} kernel={ks} cin={cin} cout={cout} ms={s * 1e3:.2f} "
                  f"gflops={flops / s / 1e9:.1f} threads={args.threads}", flush=True)


if __name__ == "__main__":
    main()
