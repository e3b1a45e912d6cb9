package fuse3d.sparse.conv;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Dgemm;
import fuse3d.tensor.cpu.Parallel;
import fuse3d.tensor.cpu.Sgemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sparse convolution on a {@link Rulebook} by gather, GEMM, scatter-add per kernel offset, with its backward
 * for features, weight and bias; the differentiable op behind every sparse convolution layer.
 *
 * <p>Shapes: features [numIn, Cin], weight [Cout, k..., Cin] (spconv 2.x's KRSC layout, read as [Cout, K, Cin]),
 * bias [Cout] or null, output [numOut, Cout]. For each offset k with pairs (in, out): {@code y[out] += W[:, k, :]
 * · x[in]}. A submanifold centre (pairs (i, i) for all i) is one plain GEMM with no gather or scatter. The
 * offsets are visited in a fixed order and the pairs of one offset write distinct rows, so results are the
 * same for any thread count. float32 runs on the engine's SGEMM, float64 (for gradient checks) on its DGEMM.
 */
public final class SparseConvFunction {
    private SparseConvFunction() {}

    /** The differentiable op: output features [numOut, Cout]. */
    public static Var apply(String op, Var features, Var weight, Var bias, Rulebook rb) {
        Tensor x = features.data(), w = weight.data(), b = bias == null ? null : bias.data();
        check(op, x, w, b, rb);
        Tensor y = forward(x, w, b, rb);
        Tensor xs = x, ws = w;
        Var[] inputs = bias == null ? new Var[] {features, weight} : new Var[] {features, weight, bias};
        return Var.record(op, y, (g, needs) -> {
            Tensor[] r = new Tensor[inputs.length];
            if (needs[0]) r[0] = backwardInput(g, ws, rb);
            if (needs[1]) r[1] = backwardWeight(xs, g, rb, ws.shape());
            if (inputs.length == 3 && needs[2]) r[2] = g.sum(0).to(ws.dtype());
            return r;
        }, inputs);
    }

    static void check(String op, Tensor x, Tensor w, Tensor b, Rulebook rb) {
        int[] xs = x.shape(), ws = w.shape();
        String shapes = "features " + Shape.str(xs) + ", weight " + Shape.str(ws) + (b == null ? "" : ", bias " + Shape.str(b.shape()))
                + ", " + rb;
        if (xs.length != 2 || xs[0] != rb.numIn)
            throw new IllegalArgumentException(op + ": features must be [" + rb.numIn + ", Cin] for this rulebook (" + shapes + ")");
        if (ws.length != rb.kernelSize.length + 2)
            throw new IllegalArgumentException(op + ": weight must be [Cout, k..., Cin] (" + shapes + ")");
        for (int d = 0; d < rb.kernelSize.length; d++)
            if (ws[1 + d] != rb.kernelSize[d])
                throw new IllegalArgumentException(op + ": weight kernel dims differ from the rulebook's kernel (" + shapes + ")");
        if (ws[ws.length - 1] != xs[1])
            throw new IllegalArgumentException(op + ": weight expects " + ws[ws.length - 1] + " input channels, features have " + xs[1] + " (" + shapes + ")");
        if (b != null && (b.dim() != 1 || b.size(0) != ws[0]))
            throw new IllegalArgumentException(op + ": bias must be [" + ws[0] + "] (" + shapes + ")");
        if (x.dtype() != w.dtype() || (b != null && b.dtype() != w.dtype()) || !w.dtype().isFloating())
            throw new IllegalArgumentException(op + ": features, weight and bias must share one floating dtype, got "
                    + x.dtype().torchName() + ", " + w.dtype().torchName() + (b == null ? "" : ", " + b.dtype().torchName()));
    }

    // ------------------------------------------------------------------ kernels

    /** y [numOut, Cout] = sum over offsets of scatter(gather(x) · W_k^T) (+ bias). */
    static Tensor forward(Tensor x, Tensor w, Tensor b, Rulebook rb) {
        Arith a = Arith.of(w.dtype());
        int cout = w.size(0), cin = w.size(w.dim() - 1), kv = rb.kernelVolume;
        Tensor xc = x.contiguous(), wc = w.contiguous();
        // W_k as a contiguous [Cin, Cout] block per offset, so every GEMM reads B with unit stride
        Object wt = a.alloc(kv * cin * cout);
        a.transposeWeight(wc, wt, cout, kv, cin);
        Object y = a.alloc(rb.numOut * cout);
        int maxPairs = maxPairs(rb);
        Object gbuf = a.alloc(maxPairs * cin), obuf = a.alloc(maxPairs * cout);
        Object xd = a.data(xc);
        int xo = xc.offset();
        if (rb.identityOffset >= 0)
            a.gemm(rb.numIn, cout, cin, xd, xo, cin, 1, wt, rb.identityOffset * cin * cout, cout, 1, y, 0, cout, false);
        for (int k = 0; k < kv; k++) {
            if (k == rb.identityOffset) continue;
            int s = rb.pairStart[k], n = rb.pairStart[k + 1] - s;
            if (n == 0) continue;
            a.gatherGemmScatter(xd, xo, cin, rb.pairIn, rb.pairOut, s, n, gbuf, wt, k * cin * cout, cout, 1, cout, obuf, y);
        }
        if (b != null) a.addRows(y, rb.numOut, cout, b.contiguous());
        return a.wrap(y, rb.numOut, cout);
    }

    /** dL/dx [numIn, Cin] = sum over offsets of scatter_in(gather_out(g) · W_k). */
    static Tensor backwardInput(Tensor g, Tensor w, Rulebook rb) {
        Arith a = Arith.of(w.dtype());
        int cout = w.size(0), cin = w.size(w.dim() - 1), kv = rb.kernelVolume;
        Tensor gc = g.contiguous().to(w.dtype()), wc = w.contiguous();
        Object gd = a.data(gc), wd = a.data(wc);
        int go = gc.offset(), wo = wc.offset();
        Object gx = a.alloc(rb.numIn * cin);
        int maxPairs = maxPairs(rb);
        Object gbuf = a.alloc(maxPairs * cout), ibuf = a.alloc(maxPairs * cin);
        // W_k as B(p = out channel, j = in channel) straight from [Cout, K, Cin]
        if (rb.identityOffset >= 0)
            a.gemm(rb.numOut, cin, cout, gd, go, cout, 1, wd, wo + rb.identityOffset * cin, kv * cin, 1, gx, 0, cin, false);
        for (int k = 0; k < kv; k++) {
            if (k == rb.identityOffset) continue;
            int s = rb.pairStart[k], n = rb.pairStart[k + 1] - s;
            if (n == 0) continue;
            a.gatherGemmScatter(gd, go, cout, rb.pairOut, rb.pairIn, s, n, gbuf, wd, wo + k * cin, kv * cin, 1, cin, ibuf, gx);
        }
        return a.wrap(gx, rb.numIn, cin);
    }

    /** dL/dW [Cout, k..., Cin]: for each offset, gather_out(g)^T · gather_in(x). */
    static Tensor backwardWeight(Tensor x, Tensor g, Rulebook rb, int[] wshape) {
        if (x.dtype() == DType.FLOAT32) return backwardWeightF32(x, g, rb, wshape);
        Arith a = Arith.of(x.dtype());
        int cout = wshape[0], cin = wshape[wshape.length - 1], kv = rb.kernelVolume;
        Tensor xc = x.contiguous(), gc = g.contiguous().to(x.dtype());
        Object xd = a.data(xc), gd = a.data(gc);
        int xo = xc.offset(), go = gc.offset();
        Object gw = a.alloc(cout * kv * cin);
        int maxPairs = maxPairs(rb);
        Object gbuf = a.alloc(maxPairs * cout), ibuf = a.alloc(maxPairs * cin);
        for (int k = 0; k < kv; k++) {
            int s = rb.pairStart[k], n = rb.pairStart[k + 1] - s;
            if (n == 0) continue;
            // C(i = out channel, j = in channel) = sum_p g[out_p, i] * x[in_p, j], written at [i, k, j]
            if (k == rb.identityOffset) {
                a.gemm(cout, cin, n, gd, go, 1, cout, xd, xo, cin, 1, gw, k * cin, kv * cin, false);
            } else {
                a.gather(gd, go, cout, rb.pairOut, s, n, gbuf);
                a.gather(xd, xo, cin, rb.pairIn, s, n, ibuf);
                a.gemm(cout, cin, n, gbuf, 0, 1, cout, ibuf, 0, cin, 1, gw, k * cin, kv * cin, false);
            }
        }
        return a.wrap(gw, wshape);
    }

    /** Pairs per work item of the float32 weight gradient. */
    static final int WEIGHT_GRAD_CHUNK = 2048;
    /** Pairs gathered at a time inside one work item of the blocked weight-gradient kernel (its buffers stay in L2). */
    private static final int WEIGHT_GRAD_BLOCK = 256;

    private static Tensor backwardWeightF32(Tensor x, Tensor g, Rulebook rb, int[] wshape) {
        int cout = wshape[0], cin = wshape[wshape.length - 1];
        long work = rb.totalPairs() * cout * cin;
        return backwardWeightF32(x, g, rb, wshape, work < Parallel.MIN_PARALLEL_WORK * 4 ? 1 : Parallel.threads(), true);
    }

    /**
     * The float32 weight gradient, with the pairs of every offset cut into fixed chunks: each chunk gathers its
     * rows and multiplies into a partial [Cout, Cin] on one thread, all chunks of all offsets in one parallel
     * loop; the partials are then summed per offset in chunk order, so the bits do not depend on the thread
     * count. (Per offset, one GEMM of Cout x Cin x pairs has a long K and a small output, which a GEMM
     * parallelises poorly.)
     *
     * <p>With {@code blocked} (and Cin a multiple of the vector length, Cout of 4) a chunk runs the
     * register-blocked {@link #weightChunk} instead of the engine's SGEMM: 4 output channels x 1 or 2 vectors of
     * input channels held in registers while the chunk's pairs stream by, WEIGHT_GRAD_BLOCK pairs gathered at a
     * time. Each partial element sums its pairs in order, so this too is independent of the thread count.
     */
    static Tensor backwardWeightF32(Tensor x, Tensor g, Rulebook rb, int[] wshape, int threads, boolean blocked) {
        int cout = wshape[0], cin = wshape[wshape.length - 1], kv = rb.kernelVolume;
        Tensor xc = x.contiguous(), gc = g.contiguous().to(DType.FLOAT32);
        float[] xd = xc.storage().floats(), gd = gc.storage().floats();
        int xo = xc.offset(), go = gc.offset();
        int[] itemStart = new int[kv + 1];
        for (int k = 0; k < kv; k++) {
            int n = rb.pairStart[k + 1] - rb.pairStart[k];
            itemStart[k + 1] = itemStart[k] + (n + WEIGHT_GRAD_CHUNK - 1) / WEIGHT_GRAD_CHUNK;
        }
        int items = itemStart[kv];
        int[] itemOffset = new int[items];
        for (int k = 0; k < kv; k++) for (int t = itemStart[k]; t < itemStart[k + 1]; t++) itemOffset[t] = k;
        float[][] partial = new float[items][];
        boolean useBlocked = blocked && fuse3d.tensor.cpu.Simd.ENABLED && cin % V.length() == 0 && cout % 4 == 0;
        Parallel.forRange(0, items, threads, (lo, hi) -> {
            int rows = useBlocked ? WEIGHT_GRAD_BLOCK : WEIGHT_GRAD_CHUNK;
            float[] gb = new float[rows * cout], ib = new float[rows * cin];
            for (int t = lo; t < hi; t++) {
                int k = itemOffset[t];
                int from = rb.pairStart[k] + (t - itemStart[k]) * WEIGHT_GRAD_CHUNK;
                int len = Math.min(WEIGHT_GRAD_CHUNK, rb.pairStart[k + 1] - from);
                float[] c = new float[cout * cin];
                if (useBlocked) {
                    for (int b0 = 0; b0 < len; b0 += WEIGHT_GRAD_BLOCK) {
                        int bl = Math.min(WEIGHT_GRAD_BLOCK, len - b0);
                        for (int p = 0; p < bl; p++) {
                            System.arraycopy(gd, go + rb.pairOut[from + b0 + p] * cout, gb, p * cout, cout);
                            System.arraycopy(xd, xo + rb.pairIn[from + b0 + p] * cin, ib, p * cin, cin);
                        }
                        weightChunk(gb, ib, bl, cout, cin, c);
                    }
                } else {
                    for (int p = 0; p < len; p++) {
                        System.arraycopy(gd, go + rb.pairOut[from + p] * cout, gb, p * cout, cout);
                        System.arraycopy(xd, xo + rb.pairIn[from + p] * cin, ib, p * cin, cin);
                    }
                    // C(i, j) = sum_p g[p, i] x[p, j]: A = gathered g read transposed
                    Sgemm.multiply(cout, cin, len, gb, 0, 1, cout, ib, 0, cin, 1, c, 0, cin, false, 1);
                }
                partial[t] = c;
            }
        });
        float[] gw = new float[cout * kv * cin];
        for (int k = 0; k < kv; k++)
            for (int t = itemStart[k]; t < itemStart[k + 1]; t++) {
                float[] c = partial[t];
                for (int i = 0; i < cout; i++) {
                    int dst = (i * kv + k) * cin, src = i * cin;
                    for (int j = 0; j < cin; j++) gw[dst + j] += c[src + j];
                }
            }
        return Tensor.ofFloats(gw, wshape);
    }

    private static final VectorSpecies<Float> V = fuse3d.tensor.cpu.Simd.F;

    /**
     * c[i, j] += sum over p < len of gb[p, i] * ib[p, j] (gb [len, cout], ib [len, cin], c [cout, cin]), pairs in
     * order for every element: tiles of 4 rows x 4, 2 or 1 vectors of c stay in registers over the pairs.
     */
    static void weightChunk(float[] gb, float[] ib, int len, int cout, int cin, float[] c) {
        int vl = V.length();
        // with Cout a multiple of 8, rows go in pairs of 4-row blocks, so a last single column vector runs as one
        // 8-row tile (8 chains) instead of two 4-row ones (4 chains each)
        int step = cout % 8 == 0 ? 8 : 4;
        for (int i = 0; i < cout; i += step) {
            int j = 0;
            for (int r = i; r < i + step; r += 4) {
                j = 0;
                for (; j + 4 * vl <= cin; j += 4 * vl) weightTile4x4(gb, ib, len, cout, cin, r, j, c);
                for (; j + 2 * vl <= cin; j += 2 * vl) weightTile4x2(gb, ib, len, cout, cin, r, j, c);
            }
            for (; j + vl <= cin; j += vl) {
                if (step == 8) weightTile8x1(gb, ib, len, cout, cin, i, j, c);
                else weightTile4x1(gb, ib, len, cout, cin, i, j, c);
            }
        }
    }

    private static void weightTile4x2(float[] gb, float[] ib, int len, int cout, int cin, int i, int j, float[] c) {
        int vl = V.length();
        int r0 = i * cin + j, r1 = r0 + cin, r2 = r1 + cin, r3 = r2 + cin;
        FloatVector a0 = FloatVector.fromArray(V, c, r0), a1 = FloatVector.fromArray(V, c, r0 + vl);
        FloatVector b0 = FloatVector.fromArray(V, c, r1), b1 = FloatVector.fromArray(V, c, r1 + vl);
        FloatVector c0 = FloatVector.fromArray(V, c, r2), c1 = FloatVector.fromArray(V, c, r2 + vl);
        FloatVector d0 = FloatVector.fromArray(V, c, r3), d1 = FloatVector.fromArray(V, c, r3 + vl);
        for (int p = 0; p < len; p++) {
            int xr = p * cin + j, gr = p * cout + i;
            FloatVector x0 = FloatVector.fromArray(V, ib, xr), x1 = FloatVector.fromArray(V, ib, xr + vl);
            FloatVector g0 = FloatVector.broadcast(V, gb[gr]), g1 = FloatVector.broadcast(V, gb[gr + 1]),
                    g2 = FloatVector.broadcast(V, gb[gr + 2]), g3 = FloatVector.broadcast(V, gb[gr + 3]);
            a0 = x0.fma(g0, a0);
            a1 = x1.fma(g0, a1);
            b0 = x0.fma(g1, b0);
            b1 = x1.fma(g1, b1);
            c0 = x0.fma(g2, c0);
            c1 = x1.fma(g2, c1);
            d0 = x0.fma(g3, d0);
            d1 = x1.fma(g3, d1);
        }
        a0.intoArray(c, r0);
        a1.intoArray(c, r0 + vl);
        b0.intoArray(c, r1);
        b1.intoArray(c, r1 + vl);
        c0.intoArray(c, r2);
        c1.intoArray(c, r2 + vl);
        d0.intoArray(c, r3);
        d1.intoArray(c, r3 + vl);
    }

    private static void weightTile4x1(float[] gb, float[] ib, int len, int cout, int cin, int i, int j, float[] c) {
        int vl = V.length();
        int r0 = i * cin + j, r1 = r0 + cin, r2 = r1 + cin, r3 = r2 + cin;
        FloatVector a0 = FloatVector.fromArray(V, c, r0), b0 = FloatVector.fromArray(V, c, r1), c0 = FloatVector.fromArray(V, c, r2),
                d0 = FloatVector.fromArray(V, c, r3);
        for (int p = 0; p < len; p++) {
            int gr = p * cout + i;
            FloatVector x0 = FloatVector.fromArray(V, ib, p * cin + j);
            a0 = x0.fma(FloatVector.broadcast(V, gb[gr]), a0);
            b0 = x0.fma(FloatVector.broadcast(V, gb[gr + 1]), b0);
            c0 = x0.fma(FloatVector.broadcast(V, gb[gr + 2]), c0);
            d0 = x0.fma(FloatVector.broadcast(V, gb[gr + 3]), d0);
        }
        a0.intoArray(c, r0);
        b0.intoArray(c, r1);
        c0.intoArray(c, r2);
        d0.intoArray(c, r3);
    }

    /** {@link #weightChunk}'s tile of rows i..i+7 and one vector of columns from j: 8 accumulators. */
    private static void weightTile8x1(float[] gb, float[] ib, int len, int cout, int cin, int i, int j, float[] c) {
        int r0 = i * cin + j;
        FloatVector a0 = FloatVector.fromArray(V, c, r0), a1 = FloatVector.fromArray(V, c, r0 + cin),
                a2 = FloatVector.fromArray(V, c, r0 + 2 * cin), a3 = FloatVector.fromArray(V, c, r0 + 3 * cin),
                a4 = FloatVector.fromArray(V, c, r0 + 4 * cin), a5 = FloatVector.fromArray(V, c, r0 + 5 * cin),
                a6 = FloatVector.fromArray(V, c, r0 + 6 * cin), a7 = FloatVector.fromArray(V, c, r0 + 7 * cin);
        for (int p = 0; p < len; p++) {
            int gr = p * cout + i;
            FloatVector x = FloatVector.fromArray(V, ib, p * cin + j);
            a0 = x.fma(FloatVector.broadcast(V, gb[gr]), a0);
            a1 = x.fma(FloatVector.broadcast(V, gb[gr + 1]), a1);
            a2 = x.fma(FloatVector.broadcast(V, gb[gr + 2]), a2);
            a3 = x.fma(FloatVector.broadcast(V, gb[gr + 3]), a3);
            a4 = x.fma(FloatVector.broadcast(V, gb[gr + 4]), a4);
            a5 = x.fma(FloatVector.broadcast(V, gb[gr + 5]), a5);
            a6 = x.fma(FloatVector.broadcast(V, gb[gr + 6]), a6);
            a7 = x.fma(FloatVector.broadcast(V, gb[gr + 7]), a7);
        }
        a0.intoArray(c, r0);
        a1.intoArray(c, r0 + cin);
        a2.intoArray(c, r0 + 2 * cin);
        a3.intoArray(c, r0 + 3 * cin);
        a4.intoArray(c, r0 + 4 * cin);
        a5.intoArray(c, r0 + 5 * cin);
        a6.intoArray(c, r0 + 6 * cin);
        a7.intoArray(c, r0 + 7 * cin);
    }

    /** {@link #weightChunk}'s tile of rows i..i+3 and 4 vectors of columns from j: 16 accumulators. */
    private static void weightTile4x4(float[] gb, float[] ib, int len, int cout, int cin, int i, int j, float[] c) {
        int vl = V.length();
        int r0 = i * cin + j, r1 = r0 + cin, r2 = r1 + cin, r3 = r2 + cin;
        FloatVector a0 = FloatVector.fromArray(V, c, r0), a1 = FloatVector.fromArray(V, c, r0 + vl), a2 = FloatVector.fromArray(V, c, r0 + 2 * vl),
                a3 = FloatVector.fromArray(V, c, r0 + 3 * vl);
        FloatVector b0 = FloatVector.fromArray(V, c, r1), b1 = FloatVector.fromArray(V, c, r1 + vl), b2 = FloatVector.fromArray(V, c, r1 + 2 * vl),
                b3 = FloatVector.fromArray(V, c, r1 + 3 * vl);
        FloatVector c0 = FloatVector.fromArray(V, c, r2), c1 = FloatVector.fromArray(V, c, r2 + vl), c2 = FloatVector.fromArray(V, c, r2 + 2 * vl),
                c3 = FloatVector.fromArray(V, c, r2 + 3 * vl);
        FloatVector d0 = FloatVector.fromArray(V, c, r3), d1 = FloatVector.fromArray(V, c, r3 + vl), d2 = FloatVector.fromArray(V, c, r3 + 2 * vl),
                d3 = FloatVector.fromArray(V, c, r3 + 3 * vl);
        for (int p = 0; p < len; p++) {
            int xr = p * cin + j, gr = p * cout + i;
            FloatVector x0 = FloatVector.fromArray(V, ib, xr), x1 = FloatVector.fromArray(V, ib, xr + vl),
                    x2 = FloatVector.fromArray(V, ib, xr + 2 * vl), x3 = FloatVector.fromArray(V, ib, xr + 3 * vl);
            FloatVector g = FloatVector.broadcast(V, gb[gr]);
            a0 = x0.fma(g, a0);
            a1 = x1.fma(g, a1);
            a2 = x2.fma(g, a2);
            a3 = x3.fma(g, a3);
            g = FloatVector.broadcast(V, gb[gr + 1]);
            b0 = x0.fma(g, b0);
            b1 = x1.fma(g, b1);
            b2 = x2.fma(g, b2);
            b3 = x3.fma(g, b3);
            g = FloatVector.broadcast(V, gb[gr + 2]);
            c0 = x0.fma(g, c0);
            c1 = x1.fma(g, c1);
            c2 = x2.fma(g, c2);
            c3 = x3.fma(g, c3);
            g = FloatVector.broadcast(V, gb[gr + 3]);
            d0 = x0.fma(g, d0);
            d1 = x1.fma(g, d1);
            d2 = x2.fma(g, d2);
            d3 = x3.fma(g, d3);
        }
        a0.intoArray(c, r0);
        a1.intoArray(c, r0 + vl);
        a2.intoArray(c, r0 + 2 * vl);
        a3.intoArray(c, r0 + 3 * vl);
        b0.intoArray(c, r1);
        b1.intoArray(c, r1 + vl);
        b2.intoArray(c, r1 + 2 * vl);
        b3.intoArray(c, r1 + 3 * vl);
        c0.intoArray(c, r2);
        c1.intoArray(c, r2 + vl);
        c2.intoArray(c, r2 + 2 * vl);
        c3.intoArray(c, r2 + 3 * vl);
        d0.intoArray(c, r3);
        d1.intoArray(c, r3 + vl);
        d2.intoArray(c, r3 + 2 * vl);
        d3.intoArray(c, r3 + 3 * vl);
    }

    /** The float32 pair kernel (register-blocked), for tests: outCols a multiple of {@link #pairKernelLanes()}. */
    static void pairRowsF32(float[] s, int cols, int[] inRows, int[] outRows, int p0, int p1, float[] w, int rsB, int outCols, float[] d) {
        F32.pairRows(s, 0, cols, inRows, outRows, p0, p1, w, 0, rsB, outCols, d);
    }

    /** The plain one-chain-per-vector pair kernel that {@link #pairRowsF32} must equal bit for bit. */
    static void pairRowsSimpleF32(float[] s, int cols, int[] inRows, int[] outRows, int p0, int p1, float[] w, int rsB, int outCols, float[] d) {
        F32.pairRowsSimple(s, 0, cols, inRows, outRows, p0, p1, w, 0, rsB, outCols, 0, outCols, d);
    }

    static int pairKernelLanes() { return fuse3d.tensor.cpu.Simd.F.length(); }

    private static int maxPairs(Rulebook rb) {
        int m = 0;
        for (int k = 0; k < rb.kernelVolume; k++) if (k != rb.identityOffset) m = Math.max(m, rb.pairStart[k + 1] - rb.pairStart[k]);
        return m;
    }

    /** The float32 / float64 primitives the kernels are written in (one algorithm, two element types). */
    private abstract static sealed class Arith permits F32, F64 {
        static Arith of(DType dt) {
            return switch (dt) {
                case FLOAT32 -> F32.INSTANCE;
                case FLOAT64 -> F64.INSTANCE;
                default -> throw new IllegalArgumentException("sparse conv: floating dtype expected, got " + dt.torchName());
            };
        }

        abstract Object alloc(int n);

        abstract Object data(Tensor t);

        abstract Tensor wrap(Object data, int... shape);

        abstract void transposeWeight(Tensor w, Object dst, int cout, int kv, int cin);

        /** dst[p, :] = src[srcOff + rows[from + p] * cols, :] for p < n. */
        abstract void gather(Object src, int srcOff, int cols, int[] rows, int from, int n, Object dst);

        /** dst[dstOff + rows[from + p] * cols, :] += src[p, :] for p < n (rows distinct). */
        abstract void scatterAdd(Object src, int cols, int[] rows, int from, int n, Object dst, int dstOff);

        abstract void gemm(int m, int n, int k, Object a, int aOff, int rsA, int csA, Object b, int bOff, int rsB, int csB,
                           Object c, int cOff, int ldc, boolean acc);

        abstract void addRows(Object y, int rows, int cols, Tensor bias);

        /**
         * One offset's dst[outRows[p]] += src[inRows[p]] · B for its n pairs, B [cols, outCols] at bOff with
         * strides (rsB, csB). The pairs are split among threads, each gathering, multiplying and scattering
         * its own share in one pass: one fork per offset instead of three, the gathered rows still in cache
         * for the GEMM, and no conflicts because an offset's output rows are distinct.
         */
        void gatherGemmScatter(Object src, int srcOff, int cols, int[] inRows, int[] outRows, int from, int n, Object gbuf, Object b, int bOff,
                               int rsB, int csB, int outCols, Object obuf, Object dst) {
            gather(src, srcOff, cols, inRows, from, n, gbuf);
            gemm(n, outCols, cols, gbuf, 0, cols, 1, b, bOff, rsB, csB, obuf, 0, outCols, false);
            scatterAdd(obuf, outCols, outRows, from, n, dst, 0);
        }
    }

    private static final class F32 extends Arith {
        static final F32 INSTANCE = new F32();

        Object alloc(int n) { return new float[n]; }

        Object data(Tensor t) { return t.storage().floats(); }

        Tensor wrap(Object data, int... shape) { return Tensor.ofFloats((float[]) data, shape); }

        void transposeWeight(Tensor w, Object dst, int cout, int kv, int cin) {
            float[] s = w.storage().floats(), d = (float[]) dst;
            int o = w.offset();
            for (int j = 0; j < cout; j++)
                for (int k = 0; k < kv; k++)
                    for (int p = 0; p < cin; p++) d[(k * cin + p) * cout + j] = s[o + (j * kv + k) * cin + p];
        }

        void gather(Object src, int srcOff, int cols, int[] rows, int from, int n, Object dst) {
            float[] s = (float[]) src, d = (float[]) dst;
            Parallel.forWork(n, (long) n * cols, (lo, hi) -> {
                for (int p = lo; p < hi; p++) System.arraycopy(s, srcOff + rows[from + p] * cols, d, p * cols, cols);
            });
        }

        void scatterAdd(Object src, int cols, int[] rows, int from, int n, Object dst, int dstOff) {
            float[] s = (float[]) src, d = (float[]) dst;
            Parallel.forWork(n, (long) n * cols, (lo, hi) -> {
                for (int p = lo; p < hi; p++) {
                    int o = dstOff + rows[from + p] * cols, q = p * cols;
                    for (int c = 0; c < cols; c++) d[o + c] += s[q + c];
                }
            });
        }

        void gemm(int m, int n, int k, Object a, int aOff, int rsA, int csA, Object b, int bOff, int rsB, int csB,
                  Object c, int cOff, int ldc, boolean acc) {
            Sgemm.multiply(m, n, k, (float[]) a, aOff, rsA, csA, (float[]) b, bOff, rsB, csB, (float[]) c, cOff, ldc, acc);
        }

        @Override
        void gatherGemmScatter(Object src, int srcOff, int cols, int[] inRows, int[] outRows, int from, int n, Object gbuf, Object b, int bOff,
                               int rsB, int csB, int outCols, Object obuf, Object dst) {
            float[] s = (float[]) src, g = (float[]) gbuf, w = (float[]) b, o = (float[]) obuf, d = (float[]) dst;
            long work = (long) n * cols * outCols;
            int threads = work < Parallel.MIN_PARALLEL_WORK * 4 ? 1 : Parallel.threads();
            if (csB == 1 && outCols % V.length() == 0 && fuse3d.tensor.cpu.Simd.ENABLED) {
                // Channel counts are small (16..128), so a GEMM per offset spends its time packing and copying;
                // instead each pair's output row takes x_row . W_k straight from x and W (which stays in L1).
                // Output rows are distinct within one offset, so pairs split over threads without races.
                Parallel.forRange(0, n, threads, (lo, hi) -> pairRows(s, srcOff, cols, inRows, outRows, from + lo, from + hi, w, bOff, rsB, outCols, d));
                return;
            }
            Parallel.forRange(0, n, threads, (lo, hi) -> {
                int len = hi - lo;
                // each share uses its own rows [lo, hi) of the scratch buffers
                for (int p = lo; p < hi; p++) System.arraycopy(s, srcOff + inRows[from + p] * cols, g, p * cols, cols);
                Sgemm.multiply(len, outCols, cols, g, lo * cols, cols, 1, w, bOff, rsB, csB, o, lo * outCols, outCols, false, 1);
                for (int p = lo; p < hi; p++) {
                    int t = outRows[from + p] * outCols, q = p * outCols;
                    for (int c = 0; c < outCols; c++) d[t + c] += o[q + c];
                }
            });
        }

        private static final VectorSpecies<Float> V = fuse3d.tensor.cpu.Simd.F;

        /**
         * d[outRows[p]] += s[inRows[p]] . W for pairs p in [p0, p1): W row c at bOff + c * rsB, outCols wide.
         *
         * <p>Register-blocked: the output columns go in blocks of 4, 2 or 1 vectors, and within a block several
         * pairs run together (2 pairs x 4 vectors, 4 x 2, 4 x 1), so 4 to 8 independent FMA chains are in flight
         * instead of one. Every output element still starts from d and adds c = 0, 1, ... in order, so the bits
         * equal {@link #pairRowsSimple}'s.
         */
        static void pairRows(float[] s, int srcOff, int cols, int[] inRows, int[] outRows, int p0, int p1, float[] w, int bOff, int rsB,
                             int outCols, float[] d) {
            int vl = V.length();
            int v = 0;
            for (; v + 4 * vl <= outCols; v += 4 * vl) {
                int p = p0;
                for (; p + 2 <= p1; p += 2) rows2x4(s, srcOff, cols, inRows, outRows, p, w, bOff + v, rsB, outCols, v, d);
                if (p < p1) pairRowsSimple(s, srcOff, cols, inRows, outRows, p, p1, w, bOff + v, rsB, outCols, v, 4 * vl, d);
            }
            for (; v + 2 * vl <= outCols; v += 2 * vl) {
                int p = p0;
                for (; p + 4 <= p1; p += 4) rows4x2(s, srcOff, cols, inRows, outRows, p, w, bOff + v, rsB, outCols, v, d);
                if (p < p1) pairRowsSimple(s, srcOff, cols, inRows, outRows, p, p1, w, bOff + v, rsB, outCols, v, 2 * vl, d);
            }
            for (; v + vl <= outCols; v += vl) {
                int p = p0;
                for (; p + 4 <= p1; p += 4) rows4x1(s, srcOff, cols, inRows, outRows, p, w, bOff + v, rsB, outCols, v, d);
                if (p < p1) pairRowsSimple(s, srcOff, cols, inRows, outRows, p, p1, w, bOff + v, rsB, outCols, v, vl, d);
            }
        }

        /** The plain per-pair kernel over output columns [v0, v0 + width) (W already offset to v0): one chain per vector. */
        static void pairRowsSimple(float[] s, int srcOff, int cols, int[] inRows, int[] outRows, int p0, int p1, float[] w, int bOff, int rsB,
                                   int outCols, int v0, int width, float[] d) {
            int vl = V.length();
            for (int p = p0; p < p1; p++) {
                int xi = srcOff + inRows[p] * cols, yo = outRows[p] * outCols + v0;
                for (int v = 0; v < width; v += vl) {
                    FloatVector acc = FloatVector.fromArray(V, d, yo + v);
                    for (int c = 0; c < cols; c++)
                        acc = FloatVector.fromArray(V, w, bOff + c * rsB + v).fma(FloatVector.broadcast(V, s[xi + c]), acc);
                    acc.intoArray(d, yo + v);
                }
            }
        }

        private static void rows2x4(float[] s, int srcOff, int cols, int[] inRows, int[] outRows, int p, float[] w, int wo, int rsB,
                                    int outCols, int v0, float[] d) {
            int vl = V.length();
            int xa = srcOff + inRows[p] * cols, xb = srcOff + inRows[p + 1] * cols;
            int ya = outRows[p] * outCols + v0, yb = outRows[p + 1] * outCols + v0;
            FloatVector a0 = FloatVector.fromArray(V, d, ya), a1 = FloatVector.fromArray(V, d, ya + vl),
                    a2 = FloatVector.fromArray(V, d, ya + 2 * vl), a3 = FloatVector.fromArray(V, d, ya + 3 * vl);
            FloatVector b0 = FloatVector.fromArray(V, d, yb), b1 = FloatVector.fromArray(V, d, yb + vl),
                    b2 = FloatVector.fromArray(V, d, yb + 2 * vl), b3 = FloatVector.fromArray(V, d, yb + 3 * vl);
            for (int c = 0; c < cols; c++) {
                int r = wo + c * rsB;
                FloatVector w0 = FloatVector.fromArray(V, w, r), w1 = FloatVector.fromArray(V, w, r + vl),
                        w2 = FloatVector.fromArray(V, w, r + 2 * vl), w3 = FloatVector.fromArray(V, w, r + 3 * vl);
                FloatVector sa = FloatVector.broadcast(V, s[xa + c]), sb = FloatVector.broadcast(V, s[xb + c]);
                a0 = w0.fma(sa, a0);
                a1 = w1.fma(sa, a1);
                a2 = w2.fma(sa, a2);
                a3 = w3.fma(sa, a3);
                b0 = w0.fma(sb, b0);
                b1 = w1.fma(sb, b1);
                b2 = w2.fma(sb, b2);
                b3 = w3.fma(sb, b3);
            }
            a0.intoArray(d, ya);
            a1.intoArray(d, ya + vl);
            a2.intoArray(d, ya + 2 * vl);
            a3.intoArray(d, ya + 3 * vl);
            b0.intoArray(d, yb);
            b1.intoArray(d, yb + vl);
            b2.intoArray(d, yb + 2 * vl);
            b3.intoArray(d, yb + 3 * vl);
        }

        private static void rows4x2(float[] s, int srcOff, int cols, int[] inRows, int[] outRows, int p, float[] w, int wo, int rsB,
                                    int outCols, int v0, float[] d) {
            int vl = V.length();
            int xa = srcOff + inRows[p] * cols, xb = srcOff + inRows[p + 1] * cols, xc = srcOff + inRows[p + 2] * cols,
                    xd = srcOff + inRows[p + 3] * cols;
            int ya = outRows[p] * outCols + v0, yb = outRows[p + 1] * outCols + v0, yc = outRows[p + 2] * outCols + v0,
                    yd = outRows[p + 3] * outCols + v0;
            FloatVector a0 = FloatVector.fromArray(V, d, ya), a1 = FloatVector.fromArray(V, d, ya + vl);
            FloatVector b0 = FloatVector.fromArray(V, d, yb), b1 = FloatVector.fromArray(V, d, yb + vl);
            FloatVector c0 = FloatVector.fromArray(V, d, yc), c1 = FloatVector.fromArray(V, d, yc + vl);
            FloatVector d0 = FloatVector.fromArray(V, d, yd), d1 = FloatVector.fromArray(V, d, yd + vl);
            for (int c = 0; c < cols; c++) {
                int r = wo + c * rsB;
                FloatVector w0 = FloatVector.fromArray(V, w, r), w1 = FloatVector.fromArray(V, w, r + vl);
                FloatVector sa = FloatVector.broadcast(V, s[xa + c]), sb = FloatVector.broadcast(V, s[xb + c]),
                        sc = FloatVector.broadcast(V, s[xc + c]), sd = FloatVector.broadcast(V, s[xd + c]);
                a0 = w0.fma(sa, a0);
                a1 = w1.fma(sa, a1);
                b0 = w0.fma(sb, b0);
                b1 = w1.fma(sb, b1);
                c0 = w0.fma(sc, c0);
                c1 = w1.fma(sc, c1);
                d0 = w0.fma(sd, d0);
                d1 = w1.fma(sd, d1);
            }
            a0.intoArray(d, ya);
            a1.intoArray(d, ya + vl);
            b0.intoArray(d, yb);
            b1.intoArray(d, yb + vl);
            c0.intoArray(d, yc);
            c1.intoArray(d, yc + vl);
            d0.intoArray(d, yd);
            d1.intoArray(d, yd + vl);
        }

        private static void rows4x1(float[] s, int srcOff, int cols, int[] inRows, int[] outRows, int p, float[] w, int wo, int rsB,
                                    int outCols, int v0, float[] d) {
            int xa = srcOff + inRows[p] * cols, xb = srcOff + inRows[p + 1] * cols, xc = srcOff + inRows[p + 2] * cols,
                    xd = srcOff + inRows[p + 3] * cols;
            int ya = outRows[p] * outCols + v0, yb = outRows[p + 1] * outCols + v0, yc = outRows[p + 2] * outCols + v0,
                    yd = outRows[p + 3] * outCols + v0;
            FloatVector a0 = FloatVector.fromArray(V, d, ya), b0 = FloatVector.fromArray(V, d, yb), c0 = FloatVector.fromArray(V, d, yc),
                    d0 = FloatVector.fromArray(V, d, yd);
            for (int c = 0; c < cols; c++) {
                FloatVector w0 = FloatVector.fromArray(V, w, wo + c * rsB);
                a0 = w0.fma(FloatVector.broadcast(V, s[xa + c]), a0);
                b0 = w0.fma(FloatVector.broadcast(V, s[xb + c]), b0);
                c0 = w0.fma(FloatVector.broadcast(V, s[xc + c]), c0);
                d0 = w0.fma(FloatVector.broadcast(V, s[xd + c]), d0);
            }
            a0.intoArray(d, ya);
            b0.intoArray(d, yb);
            c0.intoArray(d, yc);
            d0.intoArray(d, yd);
        }

        void addRows(Object y, int rows, int cols, Tensor bias) {
            float[] d = (float[]) y, b = bias.storage().floats();
            int bo = bias.offset();
            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) d[r * cols + c] += b[bo + c];
        }
    }

    private static final class F64 extends Arith {
        static final F64 INSTANCE = new F64();

        Object alloc(int n) { return new double[n]; }

        Object data(Tensor t) { return t.storage().doubles(); }

        Tensor wrap(Object data, int... shape) { return Tensor.of((double[]) data, shape); }

        void transposeWeight(Tensor w, Object dst, int cout, int kv, int cin) {
            double[] s = w.storage().doubles(), d = (double[]) dst;
            int o = w.offset();
            for (int j = 0; j < cout; j++)
                for (int k = 0; k < kv; k++)
                    for (int p = 0; p < cin; p++) d[(k * cin + p) * cout + j] = s[o + (j * kv + k) * cin + p];
        }

        void gather(Object src, int srcOff, int cols, int[] rows, int from, int n, Object dst) {
            double[] s = (double[]) src, d = (double[]) dst;
            for (int p = 0; p < n; p++) System.arraycopy(s, srcOff + rows[from + p] * cols, d, p * cols, cols);
        }

        void scatterAdd(Object src, int cols, int[] rows, int from, int n, Object dst, int dstOff) {
            double[] s = (double[]) src, d = (double[]) dst;
            for (int p = 0; p < n; p++) {
                int o = dstOff + rows[from + p] * cols, q = p * cols;
                for (int c = 0; c < cols; c++) d[o + c] += s[q + c];
            }
        }

        void gemm(int m, int n, int k, Object a, int aOff, int rsA, int csA, Object b, int bOff, int rsB, int csB,
                  Object c, int cOff, int ldc, boolean acc) {
            Dgemm.multiply(m, n, k, (double[]) a, aOff, rsA, csA, (double[]) b, bOff, rsB, csB, (double[]) c, cOff, ldc, acc);
        }

        void addRows(Object y, int rows, int cols, Tensor bias) {
            double[] d = (double[]) y, b = bias.storage().doubles();
            int bo = bias.offset();
            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) d[r * cols + c] += b[bo + c];
        }
    }
}
