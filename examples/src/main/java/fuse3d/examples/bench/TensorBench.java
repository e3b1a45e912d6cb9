package fuse3d.examples.bench;

import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.ConvKernels;
import fuse3d.tensor.cpu.Parallel;
import fuse3d.tensor.cpu.Sgemm;
import fuse3d.tensor.cpu.Simd;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the CPU kernels against this machine's FMA peak and prints one {@code bench <name> key=value ...}
 * line per figure (the same format as tests/bench/pytorch_tensor_bench.py, so the two can be diffed).
 *
 * <p>Every figure is the median of several timed samples taken after a warm-up that lasts until the
 * timing is stable, because C2 compiles the Vector API kernels only after they have run a while (before
 * that they run boxed and slow). Run with {@code --add-modules jdk.incubator.vector -XX:+UseParallelGC}.
 */
@Command(name = "tensor-bench", mixinStandardHelpOptions = true,
        description = "FMA peak, SGEMM and convolution throughput of the Fuse3D CPU kernels.")
public final class TensorBench implements Runnable {
    private static final VectorSpecies<Float> F = Simd.F;

    @Option(names = "--quick", description = "fewer repetitions (a smoke run, figures are noisier)")
    boolean quick;

    /** Entry point: {@code --quick} shrinks the repetition counts. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new TensorBench()).execute(args));
    }

    @Override
    public void run() {
        run(System.out, quick);
    }

    /** Runs every figure and prints one line each to {@code out}. */
    public static void run(PrintStream out, boolean quick) {
        int all = Parallel.threads();
        out.printf("bench env jdk=%s vm=%s cores=%d threads=%d simd=%s lanes=%d bits=%d shape=%s%n",
                System.getProperty("java.version"), System.getProperty("java.vm.name").replace(' ', '_'),
                Runtime.getRuntime().availableProcessors(), all, Simd.ENABLED ? "on" : "off", F.length(),
                F.vectorBitSize(), F.vectorShape());
        out.flush();
        TreeSet<Integer> counts = new TreeSet<>(Arrays.asList(1, 2, all));
        double[] peak = new double[all + 3];
        for (int t : counts) {
            peak[t] = peak(t, quick);
            out.printf("bench peak threads=%d gflops=%.1f%n", t, peak[t]);
            out.flush();
        }
        for (int n : new int[] {256, 512, 1024, 2048}) {
            for (int t : counts) {
                if (t == all && all > 2) {
                    continue; // the figures asked for are 1 and 2 threads
                }
                double g = sgemm(n, t, quick);
                out.printf("bench sgemm n=%d threads=%d gflops=%.1f ratio_to_peak=%.3f%n", n, t, g, g / peak[t]);
                out.flush();
            }
        }
        conv(out, "conv2d", new int[] {1, 64, 1, 64, 176}, new int[] {1, 3, 3}, 64, quick, all);
        conv(out, "conv3d", new int[] {1, 32, 16, 200, 200}, new int[] {3, 3, 3}, 32, quick, all);
    }

    // ------------------------------------------------------------------------------------------------
    // FMA peak

    /** Twelve independent FMA chains: enough to cover FMA latency x throughput on current x86 cores. */
    static float fmaLoop(long iters, float seed) {
        FloatVector m = FloatVector.broadcast(F, 0.9999999f);
        FloatVector k = FloatVector.broadcast(F, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(F, seed), a1 = a0.add(1f), a2 = a0.add(2f), a3 = a0.add(3f);
        FloatVector a4 = a0.add(4f), a5 = a0.add(5f), a6 = a0.add(6f), a7 = a0.add(7f);
        FloatVector a8 = a0.add(8f), a9 = a0.add(9f), a10 = a0.add(10f), a11 = a0.add(11f);
        for (long i = 0; i < iters; i++) {
            a0 = a0.fma(m, k);
            a1 = a1.fma(m, k);
            a2 = a2.fma(m, k);
            a3 = a3.fma(m, k);
            a4 = a4.fma(m, k);
            a5 = a5.fma(m, k);
            a6 = a6.fma(m, k);
            a7 = a7.fma(m, k);
            a8 = a8.fma(m, k);
            a9 = a9.fma(m, k);
            a10 = a10.fma(m, k);
            a11 = a11.fma(m, k);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    static volatile float sink;

    /** GFLOP/s of {@link #fmaLoop} run on {@code threads} threads at once (median of samples). */
    static double peak(int threads, boolean quick) {
        long iters = quick ? 20_000_000L : 60_000_000L;
        for (int w = 0; w < 5; w++) {
            sink = fmaLoop(2_000_000L, w);
        }
        int samples = quick ? 3 : 7;
        double[] g = new double[samples];
        for (int s = 0; s < samples; s++) {
            CountDownLatch start = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(threads);
            AtomicReference<Throwable> err = new AtomicReference<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                        sink = fmaLoop(iters, id);
                    } catch (Throwable e) {
                        err.set(e);
                    } finally {
                        done.countDown();
                    }
                });
                th.setDaemon(true);
                th.start();
            }
            long t0 = System.nanoTime();
            start.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            long dt = System.nanoTime() - t0;
            if (err.get() != null) {
                throw new IllegalStateException(err.get());
            }
            g[s] = 2.0 * 12 * F.length() * iters * threads / dt;
        }
        // A peak is what the machine can reach: other load only ever slows a sample down, so the best
        // sample is the estimate (a median let one disturbed run push ratio_to_peak above 1).
        return java.util.Arrays.stream(g).max().orElseThrow();
    }

    // ------------------------------------------------------------------------------------------------
    // SGEMM and convolution

    static double sgemm(int n, int threads, boolean quick) {
        Random r = new Random(n);
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        float[] c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
            b[i] = r.nextFloat() - 0.5f;
        }
        double flops = 2.0 * n * n * n;
        double ns = time(() -> Sgemm.multiply(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false, threads),
                quick);
        return flops / ns;
    }

    /** shape = {n, cin, d, h, w} (d = 1 for 2-D), kernel = {kd, kh, kw}; stride 1, padding k/2. */
    static void conv(PrintStream out, String name, int[] shape, int[] kernel, int cout, boolean quick, int threads) {
        Random r = new Random(7);
        int n = shape[0];
        int cin = shape[1];
        float[] x = new float[n * cin * shape[2] * shape[3] * shape[4]];
        float[] w = new float[cout * cin * kernel[0] * kernel[1] * kernel[2]];
        float[] bias = new float[cout];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() - 0.5f;
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (r.nextFloat() - 0.5f) * 0.1f;
        }
        int[] stride = {1, 1, 1};
        int[] pad = {kernel[0] / 2, kernel[1] / 2, kernel[2] / 2};
        int[] dil = {1, 1, 1};
        long outVol = (long) ConvKernels.convOutSize(shape[2], kernel[0], 1, pad[0], 1)
                * ConvKernels.convOutSize(shape[3], kernel[1], 1, pad[1], 1)
                * ConvKernels.convOutSize(shape[4], kernel[2], 1, pad[2], 1);
        double flops = 2.0 * n * cout * outVol * cin * kernel[0] * kernel[1] * kernel[2];
        // The output buffer is reused: a fresh array per call would time the JVM's first touch of new
        // heap pages (slow on a VM) rather than the kernel; a tensor runtime recycles its buffers too.
        float[] y = new float[(int) (n * cout * outVol)];
        double ns = time(() -> ConvKernels.conv3dInto(x, n, cin, shape[2], shape[3], shape[4], w, cout, kernel[0],
                kernel[1], kernel[2], bias, stride, pad, dil, 1, y, threads), quick);
        String dims = shape[2] == 1
                ? n + "x" + cin + "x" + shape[3] + "x" + shape[4]
                : n + "x" + cin + "x" + shape[2] + "x" + shape[3] + "x" + shape[4];
        String k = shape[2] == 1 ? kernel[1] + "x" + kernel[2] : kernel[0] + "x" + kernel[1] + "x" + kernel[2];
        out.printf("bench %s shape=%s kernel=%s cin=%d cout=%d ms=%.2f gflops=%.1f threads=%d%n", name, dims, k, cin,
                cout, ns / 1e6, flops / ns, threads);
        out.flush();
        // The same convolution through the public Tensor API (F.conv2d / F.conv3d), which allocates a fresh
        // output tensor per call: what a model actually pays.
        Tensor xt = Tensor.of(x, shape[2] == 1 ? new int[] {n, cin, shape[3], shape[4]} : shape.clone());
        Tensor wt = Tensor.of(w, shape[2] == 1 ? new int[] {cout, cin, kernel[1], kernel[2]} : new int[] {cout, cin, kernel[0], kernel[1], kernel[2]});
        Tensor bt = Tensor.of(bias, cout);
        double apiNs = shape[2] == 1
                ? time(() -> fuse3d.tensor.F.conv2d(xt, wt, bt, new int[] {1, 1}, new int[] {pad[1], pad[2]}, new int[] {1, 1}, 1), quick)
                : time(() -> fuse3d.tensor.F.conv3d(xt, wt, bt, stride, pad, dil, 1), quick);
        out.printf("bench %s_api shape=%s kernel=%s cin=%d cout=%d ms=%.2f gflops=%.1f threads=%d%n", name, dims, k, cin,
                cout, apiNs / 1e6, flops / apiNs, Parallel.threads());
        out.flush();
    }

    /**
     * Median nanoseconds per call. Warm-up runs batches of calls until the per-call time of two batches
     * in a row agrees within 3 % (C2 compiles the kernels in the background, and on a loaded 2-core box
     * that can take seconds; a fixed warm-up count sometimes timed the not-yet-compiled code), then the
     * samples run enough back-to-back calls to last a few tens of ms each.
     */
    static double time(Runnable op, boolean quick) {
        long minWarm = quick ? 300_000_000L : 1_500_000_000L;
        long maxWarm = quick ? 5_000_000_000L : 20_000_000_000L;
        long start = System.nanoTime();
        double prev = Double.MAX_VALUE;
        while (true) {
            long b0 = System.nanoTime();
            int calls = 0;
            do {
                op.run();
                calls++;
            } while (System.nanoTime() - b0 < 100_000_000L);
            double perCall = (double) (System.nanoTime() - b0) / calls;
            long elapsed = System.nanoTime() - start;
            boolean stable = Math.abs(perCall - prev) <= 0.03 * prev;
            if (elapsed >= maxWarm || (elapsed >= minWarm && stable)) {
                break;
            }
            prev = perCall;
        }
        long t0 = System.nanoTime();
        op.run();
        long one = Math.max(1, System.nanoTime() - t0);
        int inner = (int) Math.max(1, Math.min(10_000, (quick ? 10e6 : 40e6) / one));
        int samples = quick ? 3 : 9;
        double[] ns = new double[samples];
        for (int s = 0; s < samples; s++) {
            long a = System.nanoTime();
            for (int i = 0; i < inner; i++) {
                op.run();
            }
            ns[s] = (double) (System.nanoTime() - a) / inner;
        }
        return median(ns);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int h = s.length / 2;
        return s.length % 2 == 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
    }
}
