package fuse3d.sparse.points;

import fuse3d.autograd.Var;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;

/**
 * RoI-aware point pooling (OpenPCDet's RoIAwarePool3d, from Part-A²): each rotated RoI is cut into an
 * out_x × out_y × out_z grid in its own frame, and the features of the points in each cell are max- or
 * average-pooled.
 *
 * <p>Semantics follow roiaware_pool3d_kernel.cu: membership is points-in-boxes with the GPU margin (1e-5); a point's
 * cell is ⌊(local + size/2) / (size / out)⌋ per axis (local z = pz − cz), clamped into the grid; each cell keeps
 * its first {@code maxPtsEachVoxel − 1} points in point order (slot 0 of the reference's buffer is the counter);
 * an empty cell pools to 0. Max pooling takes the first point holding the maximum and sends it the whole gradient;
 * average pooling spreads the gradient evenly over the kept points. A NaN feature never wins a max. Degenerate
 * boxes (a zero size) put their points in a clamped cell rather than dividing by zero into an undefined index.
 */
public final class RoiAwarePool3d {
    private RoiAwarePool3d() {}

    /** RoIAwarePool3d's default buffer size per cell (128, of which one slot is the counter). */
    public static final int DEFAULT_MAX_PTS_EACH_VOXEL = 128;

    public enum Method {
        MAX, AVG;

        /** 'max' or 'avg', as the reference's pool_method. */
        public static Method parse(String s) {
            return switch (s) {
                case "max" -> MAX;
                case "avg" -> AVG;
                default -> throw new IllegalArgumentException("RoIAwarePool3d: pool_method must be 'max' or 'avg', got '" + s + "'");
            };
        }
    }

    /**
     * The points of each cell of each RoI.
     *
     * @param counts [rois · cells] how many points each cell keeps
     * @param points [rois · cells · (maxPts − 1)] their indices, in point order
     */
    public record Assignment(int rois, int outX, int outY, int outZ, int capacity, int[] counts, int[] points) {
        public int cells() { return outX * outY * outZ; }

        /** The indices of the points kept in cell (x, y, z) of RoI r. */
        public int[] cell(int r, int x, int y, int z) {
            int c = ((r * outX + x) * outY + y) * outZ + z;
            return java.util.Arrays.copyOfRange(points, c * capacity, c * capacity + counts[c]);
        }
    }

    /**
     * Assigns points to the cells of each RoI.
     *
     * @param rois [N, 7+] (x, y, z, dx, dy, dz, heading)
     * @param pts  [P, 3+]
     */
    public static Assignment assign(Tensor rois, Tensor pts, int outX, int outY, int outZ, int maxPtsEachVoxel) {
        String op = "roiaware_pool3d";
        Checks.atLeastColumns(op, "rois", rois, 2, 7);
        Checks.atLeastColumns(op, "pts", pts, 2, 3);
        Checks.floating(op, "rois", rois);
        Checks.floating(op, "pts", pts);
        Checks.positive(op, "out_x", outX);
        Checks.positive(op, "out_y", outY);
        Checks.positive(op, "out_z", outZ);
        if (maxPtsEachVoxel < 2)
            throw new IllegalArgumentException(op + ": max_pts_each_voxel must be >= 2 (one slot is the counter), got " + maxPtsEachVoxel);
        int nr = rois.size(0), np = pts.size(0), pc = pts.size(1), cap = maxPtsEachVoxel - 1;
        int cells = outX * outY * outZ;
        if ((long) nr * cells * cap > Integer.MAX_VALUE)
            throw new IllegalArgumentException(op + ": " + nr + " rois x " + cells + " cells x " + cap + " points per cell is too large a buffer");
        float[] p = pts.toFloatArray();
        PointsInBoxes.BoxFrame[] fr = PointsInBoxes.frames(rois.toFloatArray(), nr, rois.size(1), 0);
        int[] counts = new int[nr * cells];
        int[] points = new int[nr * cells * cap];
        Parallel.forWork(nr, (long) nr * np * 8, (lo, hi) -> {
            float[] local = new float[2];
            for (int r = lo; r < hi; r++) {
                PointsInBoxes.BoxFrame b = fr[r];
                float xRes = b.dx / outX, yRes = b.dy / outY, zRes = b.dz / outZ;
                for (int k = 0; k < np; k++) {
                    float z = p[k * pc + 2];
                    if (!b.contains(p[k * pc], p[k * pc + 1], z, PointsInBoxes.MARGIN_GPU, local)) continue;
                    int xi = cellIndex((local[0] + b.dx / 2) / xRes, outX);
                    int yi = cellIndex((local[1] + b.dy / 2) / yRes, outY);
                    int zi = cellIndex((z - b.cz + b.dz / 2) / zRes, outZ);
                    int c = r * cells + (xi * outY + yi) * outZ + zi;
                    if (counts[c] < cap) points[c * cap + counts[c]++] = k;
                }
            }
        });
        return new Assignment(nr, outX, outY, outZ, cap, counts, points);
    }

    /** Truncation toward zero as the kernel's int(), clamped into [0, out); NaN (0 / 0 in a flat box) is cell 0. */
    private static int cellIndex(float v, int out) {
        int i = (int) v;
        return Math.min(Math.max(i, 0), out - 1);
    }

    /**
     * RoIAwarePool3d.forward(rois, pts, pts_feature, pool_method).
     *
     * @param rois       [N, 7+]
     * @param pts        [P, 3+]
     * @param ptsFeature [P, C] floating; the gradient flows to it
     * @return [N, out_x, out_y, out_z, C] in the features' dtype
     */
    public static Var pool(Tensor rois, Tensor pts, Var ptsFeature, int outX, int outY, int outZ, int maxPtsEachVoxel, Method method) {
        String op = "roiaware_pool3d";
        Tensor f = ptsFeature.data();
        Checks.rank(op, "pts_feature", f, 2, -1);
        Checks.floating(op, "pts_feature", f);
        Checks.atLeastColumns(op, "pts", pts, 2, 3);
        if (f.size(0) != pts.size(0))
            throw new IllegalArgumentException(op + ": pts " + Shape.str(pts.shape()) + " and pts_feature " + Shape.str(f.shape()) + " must have one row per point");
        Assignment a = assign(rois, pts, outX, outY, outZ, maxPtsEachVoxel);
        int nr = a.rois(), cells = a.cells(), cap = a.capacity(), c = f.size(1), np = f.size(0);
        double[] fv = f.toDoubleArray();
        double[] out = new double[nr * cells * c];
        int[] argmax = method == Method.MAX ? new int[nr * cells * c] : null;
        Parallel.forWork(nr * cells, (long) nr * cells * c * 4, (lo, hi) -> {
            for (int cell = lo; cell < hi; cell++) {
                int cnt = a.counts()[cell], pb = cell * cap, ob = cell * c;
                for (int ch = 0; ch < c; ch++) {
                    if (method == Method.MAX) {
                        int arg = -1;
                        double best = Double.NEGATIVE_INFINITY;
                        for (int k = 0; k < cnt; k++) {
                            double v = fv[a.points()[pb + k] * c + ch];
                            // strictly greater keeps the first maximum; the kernel starts at -1e50, which is -inf in float32,
                            // so a cell of -inf or NaN features pools to 0 as an empty one
                            if (v > best) {
                                best = v;
                                arg = a.points()[pb + k];
                            }
                        }
                        argmax[ob + ch] = arg;
                        out[ob + ch] = arg < 0 ? 0 : best;
                    } else if (cnt > 0) {
                        double s = 0;
                        for (int k = 0; k < cnt; k++) s += fv[a.points()[pb + k] * c + ch];
                        out[ob + ch] = s / cnt;
                    }
                }
            }
        });
        Tensor y = ThreeInterpolation.tensor(out, f.dtype(), nr, a.outX(), a.outY(), a.outZ(), c);
        return Var.record("roiaware_pool3d", y, (g, needs) -> {
            double[] gv = g.toDoubleArray();
            double[] gi = new double[np * c];
            // one thread per channel range: a point can sit in cells of several RoIs, but each channel is written by one thread
            Parallel.forWork(c, (long) nr * cells * c * 2, (lo, hi) -> {
                for (int cell = 0; cell < nr * cells; cell++) {
                    int cnt = a.counts()[cell], pb = cell * cap, ob = cell * c;
                    for (int ch = lo; ch < hi; ch++) {
                        if (method == Method.MAX) {
                            int arg = argmax[ob + ch];
                            if (arg >= 0) gi[arg * c + ch] += gv[ob + ch];
                        } else {
                            double share = gv[ob + ch] / Math.max(cnt, 1);
                            for (int k = 0; k < cnt; k++) gi[a.points()[pb + k] * c + ch] += share;
                        }
                    }
                }
            });
            return new Tensor[] {ThreeInterpolation.tensor(gi, g.dtype(), np, c)};
        }, ptsFeature);
    }

    /** {@link #pool} with a cubic grid and the default buffer of {@value #DEFAULT_MAX_PTS_EACH_VOXEL}. */
    public static Var pool(Tensor rois, Tensor pts, Var ptsFeature, int outSize, Method method) {
        return pool(rois, pts, ptsFeature, outSize, outSize, outSize, DEFAULT_MAX_PTS_EACH_VOXEL, method);
    }
}
