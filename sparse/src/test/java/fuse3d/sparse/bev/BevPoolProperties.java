package fuse3d.sparse.bev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.Closeness;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * BEVPoolv2 against the plain definition on random geometry: the plan is a partition of exactly the in-grid points,
 * the pooled output equals a per-point scatter-add, and the backward equals the per-point derivative.
 */
class BevPoolProperties {
    record Case(Tensor coords, BevGrid grid, BevPoolRanks ranks, Tensor depth, Tensor feat) {}

    /** Random frustum points over (and beyond) a random grid, with a sprinkle of NaN coordinates. */
    static Case random(long seed, int b, int n, int c, DType dtype) {
        Generator g = new Generator(seed);
        int d = 1 + (int) g.nextLong(4), h = 1 + (int) g.nextLong(3), w = 1 + (int) g.nextLong(4);
        int nx = 1 + (int) g.nextLong(5), ny = 1 + (int) g.nextLong(5), nz = 1 + (int) g.nextLong(2);
        double step = 0.5 + g.nextDouble();
        BevGrid grid = new BevGrid(-nx * step / 2, nx * step / 2, step, -1, -1 + ny * step, step, -2, -2 + nz * 2.0, 2.0);
        Tensor coords = g.uniform(dtype, -0.7, 0.7, b, n, d, h, w, 3);
        double[] cd = coords.toDoubleArray();
        for (int i = 0; i < cd.length; i += 3) {
            cd[i] *= nx * step;
            cd[i + 1] = -1 + (cd[i + 1] + 0.5) * ny * step;
            cd[i + 2] = -2 + (cd[i + 2] + 0.5) * nz * 2.0;
            if (g.nextDouble() < 0.03) cd[i + (int) g.nextLong(3)] = Double.NaN;
        }
        coords = Tensor.of(cd, coords.shape()).to(dtype);
        BevPoolRanks r = BevPoolRanks.prepare(coords, grid);
        Tensor depth = g.uniform(dtype, 0, 1, b * n, d, h, w);
        Tensor feat = g.normal(dtype, 0, 1, b * n, c, h, w);
        return new Case(coords, grid, r, depth, feat);
    }

    @Property(tries = 60)
    void planPartitionsExactlyTheInGridPoints(@ForAll @LongRange(min = 1, max = 1_000_000) long seed, @ForAll @IntRange(min = 1, max = 2) int b,
                                              @ForAll @IntRange(min = 1, max = 3) int n) {
        Case k = random(seed, b, n, 2, DType.FLOAT64);
        double[] c = k.coords().toDoubleArray();
        BevGrid gr = k.grid();
        int total = c.length / 3, perSample = total / b, expectedKept = 0;
        int[] cellOf = new int[total];
        for (int p = 0; p < total; p++) {
            // the definition, written independently: floor for in-range values, and BEVDet's truncation toward zero
            double tx = (c[3 * p] - gr.xMin()) / gr.xStep(), ty = (c[3 * p + 1] - gr.yMin()) / gr.yStep(), tz = (c[3 * p + 2] - gr.zMin()) / gr.zStep();
            long ix = (long) tx, iy = (long) ty, iz = (long) tz;
            boolean in = !Double.isNaN(tx + ty + tz) && ix >= 0 && ix < gr.nx() && iy >= 0 && iy < gr.ny() && iz >= 0 && iz < gr.nz();
            cellOf[p] = in ? (int) (((p / perSample) * gr.nz() + iz) * gr.ny() * gr.nx() + iy * gr.nx() + ix) : -1;
            if (in) expectedKept++;
        }
        BevPoolRanks r = k.ranks();
        assertEquals(expectedKept, r.points());
        int[] rd = r.ranksDepth().toIntArray(), rb = r.ranksBev().toIntArray(), rf = r.ranksFeat().toIntArray();
        int[] st = r.intervalStarts().toIntArray(), ln = r.intervalLengths().toIntArray();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < rd.length; i++) {
            assertTrue(seen.add(rd[i]), "each point once");
            assertEquals(cellOf[rd[i]], rb[i], "cell of point " + rd[i]);
            int dhw = r.depthBins() * r.height() * r.width(), hw = r.height() * r.width();
            assertEquals((rd[i] / dhw) * hw + rd[i] % hw, rf[i], "pixel of point " + rd[i]);
            if (i > 0) assertTrue(rb[i - 1] < rb[i] || (rb[i - 1] == rb[i] && rd[i - 1] < rd[i]), "sorted by cell, stable");
        }
        int next = 0;
        for (int q = 0; q < st.length; q++) {
            assertEquals(next, st[q]);
            assertTrue(ln[q] > 0);
            if (q > 0) assertTrue(rb[st[q - 1]] != rb[st[q]]);
            next += ln[q];
        }
        assertEquals(rd.length, next);
    }

    @Property(tries = 60)
    void poolEqualsNaiveScatterAdd(@ForAll @LongRange(min = 1, max = 1_000_000) long seed, @ForAll @IntRange(min = 1, max = 2) int b,
                                   @ForAll @IntRange(min = 1, max = 3) int n, @ForAll @IntRange(min = 1, max = 41) int c) {
        Case k = random(seed, b, n, c, DType.FLOAT32);
        Tensor fast = BevPool.pool(k.depth(), k.feat(), k.ranks());
        Tensor naive = BevPool.naiveScatterAdd(k.depth(), k.feat(), k.ranks());
        Closeness.assertClose(fast, naive, 1e-5, 1e-6);
        // and the same plan rebuilt from its own arrays pools the same
        BevPoolRanks r = k.ranks();
        BevPoolRanks copy = BevPoolRanks.of(r.cams(), r.depthBins(), r.height(), r.width(), r.batch(), r.nz(), r.ny(), r.nx(), r.ranksDepth().toIntArray(),
                r.ranksFeat().toIntArray(), r.ranksBev().toIntArray(), r.intervalStarts().toIntArray(), r.intervalLengths().toIntArray());
        assertArrayEquals(fast.toFloatArray(), BevPool.pool(k.depth(), k.feat(), copy).toFloatArray());
    }

    /** The backward against the derivative of the scatter-add written per point, in float64. */
    @Property(tries = 40)
    void backwardEqualsPerPointDerivative(@ForAll @LongRange(min = 1, max = 1_000_000) long seed, @ForAll @IntRange(min = 1, max = 2) int b,
                                          @ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 41) int c) {
        Case k = random(seed, b, n, c, DType.FLOAT64);
        BevPoolRanks r = k.ranks();
        Var vd = Var.leaf(k.depth()), vf = Var.leaf(k.feat());
        Var out = BevPool.pool(vd, vf, r);
        Tensor gOut = new Generator(seed + 1).normal(DType.FLOAT64, 0, 1, out.shape());
        out.backward(gOut);
        double[] go = gOut.toDoubleArray(), dd = k.depth().toDoubleArray(), ff = k.feat().toDoubleArray();
        double[] gd = new double[dd.length], gf = new double[ff.length];
        int[] rd = r.ranksDepth().toIntArray(), rf = r.ranksFeat().toIntArray(), rb = r.ranksBev().toIntArray();
        int cells = r.nz() * r.ny() * r.nx(), hw = r.height() * r.width();
        for (int i = 0; i < rd.length; i++) {
            int cam = rf[i] / hw, pix = rf[i] % hw, bb = rb[i] / cells, cell = rb[i] % cells;
            for (int ch = 0; ch < c; ch++) {
                double g = go[(bb * c + ch) * cells + cell];
                int fi = (cam * c + ch) * hw + pix;
                gd[rd[i]] += g * ff[fi];
                gf[fi] += g * dd[rd[i]];
            }
        }
        assertArrayEquals(gd, vd.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(gf, vf.grad().toDoubleArray(), 1e-12);

        // the float32 kernels (Vector API) give the same gradients to float32 accuracy
        Var vd32 = Var.leaf(k.depth().toFloat()), vf32 = Var.leaf(k.feat().toFloat());
        BevPool.pool(vd32, vf32, r).backward(gOut.toFloat());
        Closeness.assertClose(vd32.grad().toDouble(), vd.grad(), 1e-4, 1e-5);
        Closeness.assertClose(vf32.grad().toDouble(), vf.grad(), 1e-4, 1e-5);
    }
}
