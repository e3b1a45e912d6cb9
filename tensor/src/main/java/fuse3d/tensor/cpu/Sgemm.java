package fuse3d.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply C = (accumulate ? C : 0) + A·B on strided arrays, the GEMM every dense
 * CPU op (matmul, linear, convolution) funnels into.
 *
 * <p>A(i,p) = {@code a[aOff + i*rsA + p*csA]} and B(p,j) = {@code b[bOff + p*rsB + j*csB]} take any
 * strides, so transposed or sliced views need no copy; C is row-major with leading dimension {@code ldc}.
 *
 * <p>Design (BLIS/Goto): B is packed per (NC, KC) block into NR-column panels, A per (MC, KC) block into
 * MR-row panels (packing absorbs the strides and zero-pads the edges), and an MR x NR register-tiled
 * Vector API micro-kernel (MR = 6 or 8 rows x 2 vectors) runs over the panels. Threads take disjoint row
 * (or column-panel) pieces and the blocking never depends on the thread count, so every element is
 * computed by the same float operations for any thread count: results are bit-identical for 1 and N
 * threads. Tiny or degenerate shapes (m &lt;= 2,
 * m*n*k small) take a direct path without packing. Under {@code -Dfuse3d.simd=false} everything runs
 * {@link SgemmReference}.
 */
public final class Sgemm {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    /**
     * Micro-tile rows. 6 rows x 2 vectors = 12 accumulators fits the 16 vector registers of AVX2; with
     * 512-bit vectors (32 registers) 8 rows (16 accumulators) divide the common channel counts 32 and 64
     * without a padded edge panel. {@code -Dfuse3d.sgemm.mr=6|8} overrides (to test the other kernel).
     */
    static final int MR = Integer.getInteger("fuse3d.sgemm.mr", F.vectorBitSize() >= 512 ? 8 : 6) == 8 ? 8 : 6;
    /** Micro-tile columns: two vectors. */
    static final int NR = 2 * L;
    /**
     * Depth of a packed block. Larger blocks amortize the C-tile loads and stores of each micro-kernel
     * call (512 measured best here, ~5 % over 256); a KC x NR B panel (64 KiB) and the MC x KC A block
     * (288 KiB) then share one core's 1 MiB L2.
     */
    static final int KC = Math.max(16, Integer.getInteger("fuse3d.sgemm.kc", 512));
    /** Rows of a packed A block (kept in L2). */
    static final int MC = roundUp(Math.max(MR, Integer.getInteger("fuse3d.sgemm.mc", 144)), MR);
    /** Columns of a packed B block (kept in L3). */
    static final int NC = roundUp(Math.max(NR, Integer.getInteger("fuse3d.sgemm.nc", 4096)), NR);

    /** Work pieces per thread in the parallel loops (dynamic load balance vs per-piece overhead). */
    static final int CHUNKS_PER_THREAD = 4;

    /** Below this m*n*k, the direct loops beat packing. */
    static final long SMALL_WORK = 24L * 24 * 24;
    /** Below this m*n*k, forking costs more than it saves. */
    static final long PARALLEL_MIN_WORK = 64L * 64 * 64;

    /** Target of the prefetch loads in {@link #kernel}; never read. */
    @SuppressWarnings("unused")
    private static float sink;

    private Sgemm() {}

    /** C = (accumulate ? C : 0) + A·B on {@link Parallel#threads()} threads. */
    public static void multiply(int m, int n, int k,
                                float[] a, int aOff, int rsA, int csA,
                                float[] b, int bOff, int rsB, int csB,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        multiply(m, n, k, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, accumulate, Parallel.threads());
    }

    /**
     * C = (accumulate ? C : 0) + A·B on at most {@code threads} threads. When not accumulating, C is
     * only written, so it may hold garbage (even NaN) beforehand.
     */
    public static void multiply(int m, int n, int k,
                                float[] a, int aOff, int rsA, int csA,
                                float[] b, int bOff, int rsB, int csB,
                                float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        checkArgs(m, n, k, a.length, aOff, rsA, csA, b.length, bOff, rsB, csB, c.length, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        if (!Simd.ENABLED) {
            SgemmReference.multiply(m, n, k, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, accumulate,
                    threads);
            return;
        }
        long work = (long) m * n * k;
        int t = work < PARALLEL_MIN_WORK ? 1 : Math.max(1, threads);
        boolean dotForm = csA == 1 && rsB == 1;
        if (work <= SMALL_WORK || m <= 2 || (n <= 4 && dotForm)) {
            direct(m, n, k, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, accumulate, t);
        } else {
            blocked(m, n, k, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, accumulate, t);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Blocked path

    private static void blocked(int m, int n, int k,
                                float[] a, int aOff, int rsA, int csA,
                                float[] b, int bOff, int rsB, int csB,
                                float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        int ncMax = Math.min(NC, roundUp(n, NR));
        int kcMax = Math.min(KC, k);
        float[] bp = Buffers.take(ncMax * kcMax);
        try {
            int mPanels = ceilDiv(m, MR);
            for (int jc = 0; jc < n; jc += NC) {
                int nc = Math.min(NC, n - jc);
                int nPanels = ceilDiv(nc, NR);
                // More pieces than threads, taken dynamically: see Parallel.forChunks.
                int pieces = threads == 1 ? 1 : CHUNKS_PER_THREAD * threads;
                // Split over rows when there are enough row panels to share, else over column panels
                // (each column piece then packs all of A, which is small in that case).
                boolean splitRows = mPanels >= nPanels || mPanels >= 2 * pieces;
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    boolean overwrite = pc == 0 && !accumulate;
                    int bBlock = bOff + pc * rsB + jc * csB;
                    Parallel.forChunks(0, nPanels, pieces, threads,
                            (lo, hi) -> packB(kc, nc, b, bBlock, rsB, csB, bp, lo, hi));
                    int aBlock = aOff + pc * csA;
                    int cBlock = cOff + jc;
                    if (splitRows) {
                        Parallel.forChunks(0, mPanels, pieces, threads, (lo, hi) -> rowRange(lo * MR,
                                Math.min(m, hi * MR), kc, nc, 0, nPanels, a, aBlock, rsA, csA, bp, c, cBlock,
                                ldc, overwrite));
                    } else {
                        Parallel.forChunks(0, nPanels, pieces, threads, (lo, hi) -> rowRange(0, m, kc, nc, lo, hi,
                                a, aBlock, rsA, csA, bp, c, cBlock, ldc, overwrite));
                    }
                }
            }
        } finally {
            Buffers.give(bp);
        }
    }

    /** Rows [i0, i1) times column panels [j0, j1) of the packed B block; packs its own A blocks. */
    private static void rowRange(int i0, int i1, int kc, int nc, int jp0, int jp1,
                                 float[] a, int aBlock, int rsA, int csA, float[] bp,
                                 float[] c, int cBlock, int ldc, boolean overwrite) {
        float[] ap = Buffers.take(MC * kc + MR * NR);
        int edge = MC * kc; // scratch tile for partial tiles lives after the packed A block
        try {
            for (int ic = i0; ic < i1; ic += MC) {
                int mc = Math.min(MC, i1 - ic);
                packA(kc, mc, a, aBlock + ic * rsA, rsA, csA, ap);
                int mPanels = ceilDiv(mc, MR);
                for (int jp = jp0; jp < jp1; jp++) {
                    int nr = Math.min(NR, nc - jp * NR);
                    int bi = jp * NR * kc;
                    for (int ip = 0; ip < mPanels; ip++) {
                        int mr = Math.min(MR, mc - ip * MR);
                        int ci = cBlock + (ic + ip * MR) * ldc + jp * NR;
                        if (mr == MR && nr == NR) {
                            // Touch the next full tile's C lines so their misses overlap this tile's FMAs.
                            int next = ip + 1 < mPanels ? ci + MR * ldc : cBlock + ic * ldc + (jp + 1) * NR;
                            boolean nextFull = ip + 1 < mPanels ? mc - (ip + 1) * MR >= MR : jp + 1 < jp1
                                    && nc - (jp + 1) * NR >= NR && mc >= MR;
                            kernel(kc, ap, ip * MR * kc, bp, bi, NR, c, ci, ldc, overwrite, nextFull ? next : -1);
                        } else {
                            kernel(kc, ap, ip * MR * kc, bp, bi, NR, ap, edge, NR, true, -1);
                            for (int r = 0; r < mr; r++) {
                                int cr = ci + r * ldc;
                                int er = edge + r * NR;
                                for (int j = 0; j < nr; j++) {
                                    c[cr + j] = overwrite ? ap[er + j] : c[cr + j] + ap[er + j];
                                }
                            }
                        }
                    }
                }
            }
        } finally {
            Buffers.give(ap);
        }
    }

    /**
     * The MR x NR micro-kernel: acc = sum over p of A-panel column p times B row p, then C = acc
     * (overwrite) or C += acc; MR x 2 vector accumulators, B loaded as two vectors, A broadcast. B row p
     * starts at {@code bi + p*ldb}: ldb = NR for a packed panel, or the row length of a row-major B read
     * in place (the convolution's column chunk). {@code prefetch} is the C index of the next tile or -1.
     */
    static void kernel(int kc, float[] ap, int ai, float[] bp, int bi, int ldb,
                       float[] c, int ci, int ldc, boolean overwrite, int prefetch) {
        if (prefetch >= 0) {
            // Java has no prefetch instruction; plain loads whose sum is published to a field act as one
            // (C2 cannot drop them) and run ahead of the FMA chains in the out-of-order window.
            float t = 0f;
            for (int r = 0; r < MR; r++) {
                t += c[prefetch + r * ldc] + c[prefetch + r * ldc + NR - 1];
            }
            sink = t;
        }
        if (MR == 8) {
            kernel8(kc, ap, ai, bp, bi, ldb, c, ci, ldc, overwrite);
        } else {
            kernel6(kc, ap, ai, bp, bi, ldb, c, ci, ldc, overwrite);
        }
    }

    /**
     * Direct-convolution micro-kernel: an MR (output positions) x NR (output channels) tile, summed over
     * kDim taps. Position r's input for tap t is {@code x[origin + tapOff[t] + r*sw]} (broadcast), the
     * channel vector of tap t is row t of the packed transposed weights {@code wt[wOff + t*NR ..]}. The
     * tile is stored row-major (position rows, leading dimension NR) at {@code out[oOff]}.
     */
    static void directKernel(int kDim, float[] x, int origin, int sw, int[] tapOff, float[] wt, int wOff,
                             float[] out, int oOff) {
        // Unit stride gets its own body: constant offsets let C2 fold the MR index checks into one.
        if (MR == 8) {
            if (sw == 1) {
                directConv8Unit(kDim, x, origin, tapOff, wt, wOff, out, oOff);
            } else {
                directConv8(kDim, x, origin, sw, tapOff, wt, wOff, out, oOff);
            }
        } else if (sw == 1) {
            directConv6Unit(kDim, x, origin, tapOff, wt, wOff, out, oOff);
        } else {
            directConv6(kDim, x, origin, sw, tapOff, wt, wOff, out, oOff);
        }
    }

    // The bodies below are one pattern unrolled by hand (6 or 8 rows; GEMM or direct convolution):
    // the accumulators must be distinct locals for C2 to keep them in registers.

    private static void kernel6(int kc, float[] ap, int ai, float[] bp, int bi, int ldb,
            float[] c, int ci, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * ldb;
            int ao = ai + p * 6;
            FloatVector b0 = FloatVector.fromArray(F, bp, bo);
            FloatVector b1 = FloatVector.fromArray(F, bp, bo + L);
            FloatVector av = FloatVector.broadcast(F, ap[ao]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(F, ap[ao + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(F, ap[ao + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(F, ap[ao + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(F, ap[ao + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(F, ap[ao + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        if (overwrite) {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + L);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + L);
            c20.intoArray(c, ci + 2 * ldc);
            c21.intoArray(c, ci + 2 * ldc + L);
            c30.intoArray(c, ci + 3 * ldc);
            c31.intoArray(c, ci + 3 * ldc + L);
            c40.intoArray(c, ci + 4 * ldc);
            c41.intoArray(c, ci + 4 * ldc + L);
            c50.intoArray(c, ci + 5 * ldc);
            c51.intoArray(c, ci + 5 * ldc + L);
        } else {
            FloatVector.fromArray(F, c, ci).add(c00).intoArray(c, ci);
            FloatVector.fromArray(F, c, ci + L).add(c01).intoArray(c, ci + L);
            FloatVector.fromArray(F, c, ci + ldc).add(c10).intoArray(c, ci + ldc);
            FloatVector.fromArray(F, c, ci + ldc + L).add(c11).intoArray(c, ci + ldc + L);
            FloatVector.fromArray(F, c, ci + 2 * ldc).add(c20).intoArray(c, ci + 2 * ldc);
            FloatVector.fromArray(F, c, ci + 2 * ldc + L).add(c21).intoArray(c, ci + 2 * ldc + L);
            FloatVector.fromArray(F, c, ci + 3 * ldc).add(c30).intoArray(c, ci + 3 * ldc);
            FloatVector.fromArray(F, c, ci + 3 * ldc + L).add(c31).intoArray(c, ci + 3 * ldc + L);
            FloatVector.fromArray(F, c, ci + 4 * ldc).add(c40).intoArray(c, ci + 4 * ldc);
            FloatVector.fromArray(F, c, ci + 4 * ldc + L).add(c41).intoArray(c, ci + 4 * ldc + L);
            FloatVector.fromArray(F, c, ci + 5 * ldc).add(c50).intoArray(c, ci + 5 * ldc);
            FloatVector.fromArray(F, c, ci + 5 * ldc + L).add(c51).intoArray(c, ci + 5 * ldc + L);
        }
    }

    private static void kernel8(int kc, float[] ap, int ai, float[] bp, int bi, int ldb,
            float[] c, int ci, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F), c61 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F), c71 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * ldb;
            int ao = ai + p * 8;
            FloatVector b0 = FloatVector.fromArray(F, bp, bo);
            FloatVector b1 = FloatVector.fromArray(F, bp, bo + L);
            FloatVector av = FloatVector.broadcast(F, ap[ao]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(F, ap[ao + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(F, ap[ao + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(F, ap[ao + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(F, ap[ao + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(F, ap[ao + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(F, ap[ao + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(F, ap[ao + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        if (overwrite) {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + L);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + L);
            c20.intoArray(c, ci + 2 * ldc);
            c21.intoArray(c, ci + 2 * ldc + L);
            c30.intoArray(c, ci + 3 * ldc);
            c31.intoArray(c, ci + 3 * ldc + L);
            c40.intoArray(c, ci + 4 * ldc);
            c41.intoArray(c, ci + 4 * ldc + L);
            c50.intoArray(c, ci + 5 * ldc);
            c51.intoArray(c, ci + 5 * ldc + L);
            c60.intoArray(c, ci + 6 * ldc);
            c61.intoArray(c, ci + 6 * ldc + L);
            c70.intoArray(c, ci + 7 * ldc);
            c71.intoArray(c, ci + 7 * ldc + L);
        } else {
            FloatVector.fromArray(F, c, ci).add(c00).intoArray(c, ci);
            FloatVector.fromArray(F, c, ci + L).add(c01).intoArray(c, ci + L);
            FloatVector.fromArray(F, c, ci + ldc).add(c10).intoArray(c, ci + ldc);
            FloatVector.fromArray(F, c, ci + ldc + L).add(c11).intoArray(c, ci + ldc + L);
            FloatVector.fromArray(F, c, ci + 2 * ldc).add(c20).intoArray(c, ci + 2 * ldc);
            FloatVector.fromArray(F, c, ci + 2 * ldc + L).add(c21).intoArray(c, ci + 2 * ldc + L);
            FloatVector.fromArray(F, c, ci + 3 * ldc).add(c30).intoArray(c, ci + 3 * ldc);
            FloatVector.fromArray(F, c, ci + 3 * ldc + L).add(c31).intoArray(c, ci + 3 * ldc + L);
            FloatVector.fromArray(F, c, ci + 4 * ldc).add(c40).intoArray(c, ci + 4 * ldc);
            FloatVector.fromArray(F, c, ci + 4 * ldc + L).add(c41).intoArray(c, ci + 4 * ldc + L);
            FloatVector.fromArray(F, c, ci + 5 * ldc).add(c50).intoArray(c, ci + 5 * ldc);
            FloatVector.fromArray(F, c, ci + 5 * ldc + L).add(c51).intoArray(c, ci + 5 * ldc + L);
            FloatVector.fromArray(F, c, ci + 6 * ldc).add(c60).intoArray(c, ci + 6 * ldc);
            FloatVector.fromArray(F, c, ci + 6 * ldc + L).add(c61).intoArray(c, ci + 6 * ldc + L);
            FloatVector.fromArray(F, c, ci + 7 * ldc).add(c70).intoArray(c, ci + 7 * ldc);
            FloatVector.fromArray(F, c, ci + 7 * ldc + L).add(c71).intoArray(c, ci + 7 * ldc + L);
        }
    }

    private static void directConv6(int kDim, float[] x, int origin, int sw, int[] tapOff, float[] wt, int wOff,
            float[] out, int oOff) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        int s1 = sw;
        int s2 = 2 * sw;
        int s3 = 3 * sw;
        int s4 = 4 * sw;
        int s5 = 5 * sw;
        for (int t = 0; t < kDim; t++) {
            int xo = origin + tapOff[t];
            int wo = wOff + t * NR;
            FloatVector b0 = FloatVector.fromArray(F, wt, wo);
            FloatVector b1 = FloatVector.fromArray(F, wt, wo + L);
            FloatVector av = FloatVector.broadcast(F, x[xo]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(F, x[xo + s1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(F, x[xo + s2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(F, x[xo + s3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(F, x[xo + s4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(F, x[xo + s5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        c00.intoArray(out, oOff + 0 * L);
        c01.intoArray(out, oOff + 1 * L);
        c10.intoArray(out, oOff + 2 * L);
        c11.intoArray(out, oOff + 3 * L);
        c20.intoArray(out, oOff + 4 * L);
        c21.intoArray(out, oOff + 5 * L);
        c30.intoArray(out, oOff + 6 * L);
        c31.intoArray(out, oOff + 7 * L);
        c40.intoArray(out, oOff + 8 * L);
        c41.intoArray(out, oOff + 9 * L);
        c50.intoArray(out, oOff + 10 * L);
        c51.intoArray(out, oOff + 11 * L);
    }

    private static void directConv8(int kDim, float[] x, int origin, int sw, int[] tapOff, float[] wt, int wOff,
            float[] out, int oOff) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F), c61 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F), c71 = FloatVector.zero(F);
        int s1 = sw;
        int s2 = 2 * sw;
        int s3 = 3 * sw;
        int s4 = 4 * sw;
        int s5 = 5 * sw;
        int s6 = 6 * sw;
        int s7 = 7 * sw;
        for (int t = 0; t < kDim; t++) {
            int xo = origin + tapOff[t];
            int wo = wOff + t * NR;
            FloatVector b0 = FloatVector.fromArray(F, wt, wo);
            FloatVector b1 = FloatVector.fromArray(F, wt, wo + L);
            FloatVector av = FloatVector.broadcast(F, x[xo]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(F, x[xo + s1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(F, x[xo + s2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(F, x[xo + s3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(F, x[xo + s4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(F, x[xo + s5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(F, x[xo + s6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(F, x[xo + s7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        c00.intoArray(out, oOff + 0 * L);
        c01.intoArray(out, oOff + 1 * L);
        c10.intoArray(out, oOff + 2 * L);
        c11.intoArray(out, oOff + 3 * L);
        c20.intoArray(out, oOff + 4 * L);
        c21.intoArray(out, oOff + 5 * L);
        c30.intoArray(out, oOff + 6 * L);
        c31.intoArray(out, oOff + 7 * L);
        c40.intoArray(out, oOff + 8 * L);
        c41.intoArray(out, oOff + 9 * L);
        c50.intoArray(out, oOff + 10 * L);
        c51.intoArray(out, oOff + 11 * L);
        c60.intoArray(out, oOff + 12 * L);
        c61.intoArray(out, oOff + 13 * L);
        c70.intoArray(out, oOff + 14 * L);
        c71.intoArray(out, oOff + 15 * L);
    }

    private static void directConv6Unit(int kDim, float[] x, int origin, int[] tapOff, float[] wt, int wOff,
            float[] out, int oOff) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        for (int t = 0; t < kDim; t++) {
            int xo = origin + tapOff[t];
            int wo = wOff + t * NR;
            FloatVector b0 = FloatVector.fromArray(F, wt, wo);
            FloatVector b1 = FloatVector.fromArray(F, wt, wo + L);
            FloatVector av = FloatVector.broadcast(F, x[xo]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(F, x[xo + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(F, x[xo + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(F, x[xo + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(F, x[xo + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(F, x[xo + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        c00.intoArray(out, oOff + 0 * L);
        c01.intoArray(out, oOff + 1 * L);
        c10.intoArray(out, oOff + 2 * L);
        c11.intoArray(out, oOff + 3 * L);
        c20.intoArray(out, oOff + 4 * L);
        c21.intoArray(out, oOff + 5 * L);
        c30.intoArray(out, oOff + 6 * L);
        c31.intoArray(out, oOff + 7 * L);
        c40.intoArray(out, oOff + 8 * L);
        c41.intoArray(out, oOff + 9 * L);
        c50.intoArray(out, oOff + 10 * L);
        c51.intoArray(out, oOff + 11 * L);
    }

    private static void directConv8Unit(int kDim, float[] x, int origin, int[] tapOff, float[] wt, int wOff,
            float[] out, int oOff) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F), c61 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F), c71 = FloatVector.zero(F);
        for (int t = 0; t < kDim; t++) {
            int xo = origin + tapOff[t];
            int wo = wOff + t * NR;
            FloatVector b0 = FloatVector.fromArray(F, wt, wo);
            FloatVector b1 = FloatVector.fromArray(F, wt, wo + L);
            FloatVector av = FloatVector.broadcast(F, x[xo]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(F, x[xo + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(F, x[xo + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(F, x[xo + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(F, x[xo + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(F, x[xo + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(F, x[xo + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(F, x[xo + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        c00.intoArray(out, oOff + 0 * L);
        c01.intoArray(out, oOff + 1 * L);
        c10.intoArray(out, oOff + 2 * L);
        c11.intoArray(out, oOff + 3 * L);
        c20.intoArray(out, oOff + 4 * L);
        c21.intoArray(out, oOff + 5 * L);
        c30.intoArray(out, oOff + 6 * L);
        c31.intoArray(out, oOff + 7 * L);
        c40.intoArray(out, oOff + 8 * L);
        c41.intoArray(out, oOff + 9 * L);
        c50.intoArray(out, oOff + 10 * L);
        c51.intoArray(out, oOff + 11 * L);
        c60.intoArray(out, oOff + 12 * L);
        c61.intoArray(out, oOff + 13 * L);
        c70.intoArray(out, oOff + 14 * L);
        c71.intoArray(out, oOff + 15 * L);
    }

    /** Packs rows [0, mc) x depth [0, kc) of A (starting at aBlock) into MR-row panels, zero-padded. */
    private static void packA(int kc, int mc, float[] a, int aBlock, int rsA, int csA, float[] ap) {
        packAInto(kc, mc, a, aBlock, rsA, csA, ap, 0);
    }

    private static void packAInto(int kc, int mc, float[] a, int aBlock, int rsA, int csA, float[] ap,
                                  int apOff) {
        for (int ip = 0; ip * MR < mc; ip++) {
            int rows = Math.min(MR, mc - ip * MR);
            int dst = apOff + ip * MR * kc;
            int src = aBlock + ip * MR * rsA;
            if (csA == 1) {
                // Row-major A: read each row sequentially.
                for (int r = 0; r < rows; r++) {
                    int s = src + r * rsA;
                    for (int p = 0; p < kc; p++) {
                        ap[dst + p * MR + r] = a[s + p];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int s = src + p * csA;
                    int d = dst + p * MR;
                    for (int r = 0; r < rows; r++) {
                        ap[d + r] = a[s + r * rsA];
                    }
                }
            }
            if (rows < MR) {
                for (int p = 0; p < kc; p++) {
                    for (int r = rows; r < MR; r++) {
                        ap[dst + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /** Packs column panels [jp0, jp1) (NR columns each) x depth [0, kc) of B, zero-padded past nc. */
    private static void packB(int kc, int nc, float[] b, int bBlock, int rsB, int csB, float[] bp,
                              int jp0, int jp1) {
        for (int jp = jp0; jp < jp1; jp++) {
            int cols = Math.min(NR, nc - jp * NR);
            int dst = jp * NR * kc;
            int src = bBlock + jp * NR * csB;
            if (cols == NR && csB == 1) {
                for (int p = 0; p < kc; p++) {
                    int s = src + p * rsB;
                    int d = dst + p * NR;
                    FloatVector.fromArray(F, b, s).intoArray(bp, d);
                    FloatVector.fromArray(F, b, s + L).intoArray(bp, d + L);
                }
            } else if (rsB == 1) {
                // Column-major B (a transposed view): read each column sequentially.
                for (int j = 0; j < cols; j++) {
                    int s = src + j * csB;
                    for (int p = 0; p < kc; p++) {
                        bp[dst + p * NR + j] = b[s + p];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int s = src + p * rsB;
                    int d = dst + p * NR;
                    for (int j = 0; j < cols; j++) {
                        bp[d + j] = b[s + j * csB];
                    }
                }
            }
            if (cols < NR) {
                for (int p = 0; p < kc; p++) {
                    java.util.Arrays.fill(bp, dst + p * NR + cols, dst + p * NR + NR, 0f);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Pre-packed A, B read in place (for convolution: the weights are packed once, the im2col chunk is
    // already row-major and L2-resident, so packing it again would only copy it)

    /**
     * Packs all of A (m x k) into the layout {@link #multiplyPackedA} reads: depth blocks of KC, each
     * holding ceil(m/MR) zero-padded MR-row panels.
     */
    static float[] packA(int m, int k, float[] a, int aOff, int rsA, int csA) {
        if (m < 0 || k < 0) {
            throw new IllegalArgumentException("negative size m=" + m + " k=" + k);
        }
        if (m > 0 && k > 0) {
            checkRange("A", a.length, aOff, m, rsA, k, csA);
        }
        int mPanels = ceilDiv(m, MR);
        float[] ap = new float[Math.max(1, mPanels * MR * k)];
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            float[] block = ap;
            packAInto(kc, m, a, aOff + pc * csA, rsA, csA, block, pc * mPanels * MR);
        }
        return ap;
    }

    /**
     * C = (accumulate ? C : 0) + A·B on the calling thread, with A from {@link #packA} and B row-major
     * ({@code b[bOff + p*ldb + j]}), read in place except for a partial last column panel.
     */
    static void multiplyPackedA(int m, int n, int k, float[] ap, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        checkArgs(m, n, k, Integer.MAX_VALUE, 0, 0, 0, b.length, bOff, ldb, 1, c.length, cOff, ldc);
        if ((long) ceilDiv(m, MR) * MR * k > ap.length) {
            throw new IllegalArgumentException("packed A too short for m=" + m + " k=" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || !Simd.ENABLED) {
            unpackedFallback(m, n, k, ap, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        int mPanels = ceilDiv(m, MR);
        int nPanels = ceilDiv(n, NR);
        int kcMax = Math.min(KC, k);
        float[] scratch = Buffers.take(kcMax * NR + MR * NR);
        int edge = kcMax * NR;
        try {
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean overwrite = pc == 0 && !accumulate;
                int aBlock = pc * mPanels * MR;
                for (int jp = 0; jp < nPanels; jp++) {
                    int nr = Math.min(NR, n - jp * NR);
                    float[] bsrc = b;
                    int bi = bOff + pc * ldb + jp * NR;
                    int stride = ldb;
                    if (nr < NR) {
                        packB(kc, nr, b, bi, ldb, 1, scratch, 0, 1);
                        bsrc = scratch;
                        bi = 0;
                        stride = NR;
                    }
                    for (int ip = 0; ip < mPanels; ip++) {
                        int mr = Math.min(MR, m - ip * MR);
                        int ci = cOff + ip * MR * ldc + jp * NR;
                        int ai = aBlock + ip * MR * kc;
                        if (mr == MR && nr == NR) {
                            kernel(kc, ap, ai, bsrc, bi, stride, c, ci, ldc, overwrite, -1);
                        } else {
                            kernel(kc, ap, ai, bsrc, bi, stride, scratch, edge, NR, true, -1);
                            for (int r = 0; r < mr; r++) {
                                int cr = ci + r * ldc;
                                int er = edge + r * NR;
                                for (int j = 0; j < nr; j++) {
                                    c[cr + j] = overwrite ? scratch[er + j] : c[cr + j] + scratch[er + j];
                                }
                            }
                        }
                    }
                }
            }
        } finally {
            Buffers.give(scratch);
        }
    }

    /** Scalar version of {@link #multiplyPackedA} (k = 0, or the SIMD kernels switched off). */
    private static void unpackedFallback(int m, int n, int k, float[] ap, float[] b, int bOff, int ldb,
                                         float[] c, int cOff, int ldc, boolean accumulate) {
        int mPanels = ceilDiv(m, MR);
        float[] a = new float[Math.max(1, m * k)];
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < kc; p++) {
                    a[i * k + pc + p] = ap[pc * mPanels * MR + (i / MR) * MR * kc + p * MR + i % MR];
                }
            }
        }
        SgemmReference.rows(0, m, n, k, a, 0, k, 1, b, bOff, ldb, 1, c, cOff, ldc, accumulate);
    }

    // ------------------------------------------------------------------------------------------------
    // Direct path: no packing, for small or skinny problems

    private static void direct(int m, int n, int k,
                               float[] a, int aOff, int rsA, int csA,
                               float[] b, int bOff, int rsB, int csB,
                               float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        if (csB == 1) {
            // Each C row is a sum of scaled B rows (axpy form). Scalar tails use Math.fma like the vector
            // lanes, so a column lands in the same float no matter how the columns are chunked.
            if (m >= threads) {
                Parallel.forRange(0, m, threads, (lo, hi) -> axpyRows(lo, hi, 0, n, k, a, aOff, rsA, csA,
                        b, bOff, rsB, c, cOff, ldc, accumulate));
            } else {
                int chunks = ceilDiv(n, NR);
                Parallel.forRange(0, chunks, threads, (lo, hi) -> axpyRows(0, m, lo * NR,
                        Math.min(n, hi * NR), k, a, aOff, rsA, csA, b, bOff, rsB, c, cOff, ldc, accumulate));
            }
        } else if (csA == 1 && rsB == 1) {
            // Contiguous A rows and B columns: one vector dot product per element.
            Parallel.forRange(0, m * n, threads, (lo, hi) -> {
                for (int e = lo; e < hi; e++) {
                    int i = e / n;
                    int j = e - i * n;
                    float s = dot(k, a, aOff + i * rsA, b, bOff + j * csB);
                    int ci = cOff + i * ldc + j;
                    c[ci] = accumulate ? c[ci] + s : s;
                }
            });
        } else {
            Parallel.forRange(0, m, threads, (lo, hi) -> SgemmReference.rows(lo, hi, n, k, a, aOff, rsA, csA,
                    b, bOff, rsB, csB, c, cOff, ldc, accumulate));
        }
    }

    /** Columns blocked so that the C row segment stays in L1 while all k rows of B stream past it. */
    private static final int AXPY_COLS = 2048;

    private static void axpyRows(int i0, int i1, int j0, int j1, int k,
                                 float[] a, int aOff, int rsA, int csA,
                                 float[] b, int bOff, int rsB,
                                 float[] c, int cOff, int ldc, boolean accumulate) {
        for (int jb = j0; jb < j1; jb += AXPY_COLS) {
            int je = Math.min(j1, jb + AXPY_COLS);
            for (int i = i0; i < i1; i++) {
                int ci = cOff + i * ldc;
                if (!accumulate) {
                    java.util.Arrays.fill(c, ci + jb, ci + je, 0f);
                }
                int ai = aOff + i * rsA;
                for (int p = 0; p < k; p++) {
                    float aip = a[ai + p * csA];
                    FloatVector av = FloatVector.broadcast(F, aip);
                    int bRow = bOff + p * rsB;
                    int j = jb;
                    for (; j <= je - L; j += L) {
                        av.fma(FloatVector.fromArray(F, b, bRow + j), FloatVector.fromArray(F, c, ci + j))
                                .intoArray(c, ci + j);
                    }
                    for (; j < je; j++) {
                        c[ci + j] = Math.fma(aip, b[bRow + j], c[ci + j]);
                    }
                }
            }
        }
    }

    private static float dot(int k, float[] a, int ai, float[] b, int bi) {
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F);
        int p = 0;
        for (; p <= k - 2 * L; p += 2 * L) {
            s0 = FloatVector.fromArray(F, a, ai + p).fma(FloatVector.fromArray(F, b, bi + p), s0);
            s1 = FloatVector.fromArray(F, a, ai + p + L).fma(FloatVector.fromArray(F, b, bi + p + L), s1);
        }
        float s = Simd.sumLanes(s0.add(s1));
        for (; p < k; p++) {
            s = Math.fma(a[ai + p], b[bi + p], s);
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------------
    // Argument checks and helpers

    /**
     * Throws unless the shapes are non-negative and every element the strides can reach lies inside its
     * array (checked on the extreme corners, in long arithmetic so huge strides cannot wrap around).
     */
    static void checkArgs(int m, int n, int k, int aLen, int aOff, int rsA, int csA,
                          int bLen, int bOff, int rsB, int csB, int cLen, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative GEMM size m=" + m + " n=" + n + " k=" + k);
        }
        if (m > 1 && ldc < n) {
            throw new IllegalArgumentException("ldc=" + ldc + " < n=" + n);
        }
        if (m > 0 && k > 0) {
            checkRange("A", aLen, aOff, m, rsA, k, csA);
        }
        if (k > 0 && n > 0) {
            checkRange("B", bLen, bOff, k, rsB, n, csB);
        }
        if (m > 0 && n > 0) {
            checkRange("C", cLen, cOff, m, ldc, n, 1);
        }
    }

    static void checkRange(String name, int len, int off, int rows, int rs, int cols, int cs) {
        long r = (long) (rows - 1) * rs;
        long q = (long) (cols - 1) * cs;
        long lo = off + Math.min(0, r) + Math.min(0, q);
        long hi = off + Math.max(0, r) + Math.max(0, q);
        if (lo < 0 || hi >= len) {
            throw new IndexOutOfBoundsException(name + " view [" + rows + "x" + cols + ", strides " + rs + ","
                    + cs + ", offset " + off + "] reaches [" + lo + ", " + hi + "] outside array of " + len);
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static int roundUp(int a, int b) {
        return ceilDiv(a, b) * b;
    }
}
