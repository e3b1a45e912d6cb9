package fuse3d.cuda.backend;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fuse3d.tensor.Backend;
import fuse3d.tensor.Backends;
import fuse3d.tensor.BinaryOp;
import fuse3d.tensor.DType;
import fuse3d.tensor.Device;
import fuse3d.tensor.Generator;
import fuse3d.tensor.ReduceOp;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.UnaryOp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Backend parity cases: the same cases on the CPU reference and on a CUDA device, compared within stated tolerances
 * (float32: rtol 1e-5 / atol 1e-5 for elementwise ops, rtol 1e-4 / atol 1e-4 for reductions and products whose
 * summation order differs). {@link BackendParityTest} runs them on a real GPU (skipping without one),
 * EmulatedBackendParityTest on the CPU emulator of the kernels.
 */
abstract class BackendParityCases {
    static final Backend CPU = Backends.cpu();
    Backend cuda;

    /** The device the cases run on. */
    abstract Device device();

    /** Why the device is not there (the skip message), or null. */
    abstract String unavailable();

    /** Per test rather than per class, so each skipped case shows the reason in the report. */
    @BeforeEach
    void needsDevice() {
        String why = unavailable();
        assumeTrue(why == null, why);
        cuda = Backends.forDevice(device());
    }

    Tensor up(Tensor t) { return t.to(device()); }

    static Tensor down(Tensor t) { return t.to(Device.CPU); }

    @Test
    void unaryOps() {
        Generator g = new Generator(1);
        Tensor x = g.uniform(-3, 3, 7, 33);
        Tensor pos = g.uniform(0.1, 4, 7, 33);
        for (UnaryOp op : UnaryOp.values()) {
            if (op.boolResult()) continue;
            Tensor in = switch (op) {
                case LOG, LOG1P, SQRT, RSQRT, POW_SCALAR -> pos;
                default -> x;
            };
            double p0 = op == UnaryOp.CLAMP ? -1 : op == UnaryOp.POW_SCALAR ? 1.7 : 0.1, p1 = op == UnaryOp.CLAMP ? 2 : 0;
            Tensor e = CPU.unary(op, in, p0, p1, DType.FLOAT32);
            // a transposed (non-contiguous) view exercises the strided kernel too
            Tensor a = cuda.unary(op, up(in), p0, p1, DType.FLOAT32), at = cuda.unary(op, up(in).t(), p0, p1, DType.FLOAT32);
            assertClose(down(a), e, 1e-5, 1e-5, true, "unary " + op);
            assertClose(down(at), e.t(), 1e-5, 1e-5, true, "unary " + op + " (transposed view)");
        }
    }

    @Test
    void binaryOpsWithBroadcasting() {
        Generator g = new Generator(2);
        Tensor a = g.uniform(-3, 3, 4, 1, 5), b = g.uniform(0.5, 3, 1, 6, 5);
        for (BinaryOp op : BinaryOp.values()) {
            Tensor e = Tensor.binary(op, a, b);
            Tensor got = down(Tensor.binary(op, up(a), up(b)));
            assertEquals(e.dtype(), got.dtype(), op.toString());
            assertClose(got.toDouble(), e.toDouble(), 1e-5, 1e-5, true, "binary " + op);
        }
        // a host scalar joins a device tensor, as in PyTorch
        assertClose(down(up(a).add(2.5)), a.add(2.5), 0, 0, false, "add scalar");
    }

    @Test
    void reductionsSoftmaxAndCumsum() {
        Generator g = new Generator(3);
        Tensor x = g.uniform(-2, 2, 3, 17, 40);
        for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.PROD, ReduceOp.AMAX, ReduceOp.AMIN, ReduceOp.LOGSUMEXP, ReduceOp.SUM_SQUARED_DEVIATION,
                ReduceOp.NORM})
            for (int[] dims : new int[][] {{0}, {1}, {2}, {0, 2}, {0, 1, 2}}) {
                Tensor e = CPU.reduce(op, x, dims, true, 2, DType.FLOAT32);
                assertClose(down(cuda.reduce(op, up(x), dims, true, 2, DType.FLOAT32)), e, 1e-4, 1e-4, true, "reduce " + op + " " + java.util.Arrays.toString(dims));
            }
        for (int dim = 0; dim < 3; dim++) {
            for (boolean log : new boolean[] {false, true}) {
                Tensor y = CPU.softmax(x, dim, log), gy = g.uniform(-1, 1, 3, 17, 40);
                assertClose(down(cuda.softmax(up(x), dim, log)), y, 1e-5, 1e-6, false, "softmax dim " + dim + " log " + log);
                assertClose(down(cuda.softmaxBackward(up(y), up(gy), dim, log)), CPU.softmaxBackward(y, gy, dim, log), 1e-4, 1e-5, false, "softmax backward");
            }
            Tensor[] ev = CPU.extremeWithIndex(true, x, dim, false), gv = cuda.extremeWithIndex(true, up(x), dim, false);
            assertClose(down(gv[0]), ev[0], 0, 0, false, "max values");
            assertArrayEquals(ev[1].toLongArray(), down(gv[1]).toLongArray(), "argmax");
            assertClose(down(cuda.cumsum(up(x), dim, DType.FLOAT32)), CPU.cumsum(x, dim, DType.FLOAT32), 1e-5, 1e-5, false, "cumsum");
        }
    }

    @Test
    void bmmOnViewsAndLargeShapes() {
        Generator g = new Generator(4);
        // (m, k, n); {128, 64, 132} and {130, 36, 68} have rows aligned to 4 floats: the float4-load kernel, full and ragged tiles
        for (int[] mkn : new int[][] {{1, 1, 1}, {7, 13, 5}, {130, 70, 129}, {256, 300, 257}, {128, 64, 132}, {130, 36, 68}}) {
            Tensor a = g.uniform(-1, 1, 3, mkn[0], mkn[1]), b = g.uniform(-1, 1, 3, mkn[2], mkn[1]).transpose(1, 2);
            double tol = 1e-5 * Math.sqrt(mkn[1]) + 1e-5;
            assertClose(down(cuda.bmm(up(a), up(b.contiguous()))), CPU.bmm(a, b), tol, tol, false, "bmm " + java.util.Arrays.toString(mkn));
            assertClose(down(cuda.bmm(up(a), up(b.transpose(1, 2).contiguous()).transpose(1, 2))), CPU.bmm(a, b), tol, tol, false, "bmm, b a transposed device view " + java.util.Arrays.toString(mkn));
        }
    }

    @Test
    void convolutionForwardAndBackward() {
        Generator g = new Generator(5);
        int[][] cfgs = {{1, 1, 1, 1, 0, 1}, {2, 2, 1, 1, 1, 1}, {1, 1, 2, 2, 1, 2}}; // stride, dilation, groups, padding ...
        for (int[] c : cfgs) {
            int stride = c[0], dil = c[1], groups = c[2];
            Tensor x = g.uniform(-1, 1, 2, 4, 5, 9, 8), w = g.uniform(-1, 1, 6, 4 / groups, 3, 3, 3), b = g.uniform(-1, 1, 6);
            int[] s = {stride, stride, stride}, p = {1, 1, 1}, d = {dil, dil, dil};
            Tensor e = CPU.conv(x, w, b, s, p, d, groups);
            assertClose(down(cuda.conv(up(x), up(w), up(b), s, p, d, groups)), e, 1e-4, 1e-4, false, "conv " + java.util.Arrays.toString(c));
            Tensor gy = g.uniform(-1, 1, e.shape());
            Tensor[] eg = CPU.convBackward(gy, x, w, s, p, d, groups), cg = cuda.convBackward(up(gy), up(x), up(w), s, p, d, groups);
            for (int i = 0; i < 3; i++) assertClose(down(cg[i]), eg[i], 1e-4, 1e-4, false, "conv backward " + i + " " + java.util.Arrays.toString(c));
        }
    }

    @Test
    void indexingOps() {
        Generator g = new Generator(6);
        Tensor x = g.uniform(-1, 1, 5, 7);
        Tensor idx = g.randint(0, 5, 3, 7);
        assertClose(down(cuda.gather(up(x), 0, up(idx))), CPU.gather(x, 0, idx), 0, 0, false, "gather");
        Tensor src = g.uniform(-1, 1, 3, 7);
        for (String r : new String[] {"sum", "amax", "amin"})
            assertClose(down(cuda.scatterReduce(up(x), 0, up(idx), up(src), r, true)), CPU.scatterReduce(x, 0, idx, src, r, true), 1e-6, 1e-6, false, "scatter " + r);
        Tensor[] ind = {Tensor.ofLongs(new long[] {0, 4, -1, 0}, 4)};
        Tensor vals = g.uniform(-1, 1, 4, 7);
        for (boolean acc : new boolean[] {true, false})
            if (acc) assertClose(down(cuda.indexPut(up(x), new Tensor[] {up(ind[0])}, up(vals), true)), CPU.indexPut(x, ind, vals, true), 1e-6, 1e-6, false, "index_put acc");
        // front-end ops built on zeros + copy_: cat and index_select
        Tensor y = g.uniform(-1, 1, 2, 7);
        assertClose(down(Tensor.cat(0, up(x), up(y))), Tensor.cat(0, x, y), 0, 0, false, "cat");
        Tensor sel = Tensor.ofLongs(new long[] {4, 0, 4}, 3);
        assertClose(down(up(x).indexSelect(0, up(sel))), x.indexSelect(0, sel), 0, 0, false, "index_select");
        Tensor dst = up(Tensor.zeros(4, 6));
        dst.narrow(1, 1, 3).copy_(up(g.uniform(-1, 1, 4, 3)));
        dst.narrow(0, 3, 1).fill_(2);
        assertEquals(2.0, down(dst).getDouble(3, 0));
    }
}
