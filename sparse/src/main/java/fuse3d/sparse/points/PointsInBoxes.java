package fuse3d.sparse.points;

import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;
import it.unimi.dsi.fastutil.ints.IntArrayList;

/**
 * Which points lie in which rotated 3D boxes (roiaware_pool3d_utils.points_in_boxes_gpu / points_in_boxes_cpu).
 *
 * <p>A point is inside box (x, y, z, dx, dy, dz, heading) when |pz − z| ≤ dz/2 and, after rotating its BEV offset
 * by −heading into the box frame, |local x| &lt; dx/2 + margin and |local y| &lt; dy/2 + margin. The reference's GPU
 * kernel uses a margin of 1e-5, its CPU function 1e-2; both are offered. The arithmetic is float32 as in the
 * kernels. Defined edge cases: a point or box with a NaN coordinate contains / is contained by nothing; a box of
 * zero size contains only points within the margin of its centre plane (and z exactly at its centre when dz = 0);
 * a box with a negative size contains nothing beyond the margin. Points may carry extra columns (intensity, ...)
 * and boxes extra columns (velocity, label, ...): only the first 3 / 7 are read.
 */
public final class PointsInBoxes {
    private PointsInBoxes() {}

    /** points_in_boxes_gpu's margin (check_pt_in_box3d). */
    public static final float MARGIN_GPU = 1e-5f;
    /** points_in_boxes_cpu's margin (check_pt_in_box3d_cpu). */
    public static final float MARGIN_CPU = 1e-2f;

    /**
     * The box frame of one box, precomputed for repeated point tests: centre, half sizes and the rotation by −heading.
     */
    static final class BoxFrame {
        final float cx, cy, cz, dx, dy, dz, cosa, sina;

        BoxFrame(float[] b, int o) {
            cx = b[o];
            cy = b[o + 1];
            cz = b[o + 2];
            dx = b[o + 3];
            dy = b[o + 4];
            dz = b[o + 5];
            cosa = (float) Math.cos(-b[o + 6]);
            sina = (float) Math.sin(-b[o + 6]);
        }

        /** Whether (x, y, z) is inside; writes the box-frame (local x, local y) to {@code local} when it is. */
        boolean contains(float x, float y, float z, float margin, float[] local) {
            // the kernels compare against dz / 2.0 and dx / 2.0 + MARGIN in double
            if (Math.abs(z - cz) > dz / 2.0) return false;
            float sx = x - cx, sy = y - cy;
            float lx = sx * cosa + sy * (-sina);
            float ly = sx * sina + sy * cosa;
            boolean in = Math.abs(lx) < dx / 2.0 + margin && Math.abs(ly) < dy / 2.0 + margin;
            if (in && local != null) {
                local[0] = lx;
                local[1] = ly;
            }
            return in;
        }
    }

    static BoxFrame[] frames(float[] boxes, int count, int cols, int base) {
        BoxFrame[] f = new BoxFrame[count];
        for (int i = 0; i < count; i++) f[i] = new BoxFrame(boxes, base + i * cols);
        return f;
    }

    /**
     * points_in_boxes_gpu: for each point the index of the first box (in box order) that contains it, or −1.
     *
     * @param points [B, N, 3+] points per batch element
     * @param boxes  [B, T, 7+] boxes per batch element (padding boxes of size 0 far away contain nothing)
     * @return int32 [B, N]
     */
    public static Tensor boxIndexOfPoints(Tensor points, Tensor boxes) {
        String op = "points_in_boxes_gpu";
        Checks.atLeastColumns(op, "points", points, 3, 3);
        Checks.atLeastColumns(op, "boxes", boxes, 3, 7);
        Checks.floating(op, "points", points);
        Checks.floating(op, "boxes", boxes);
        Checks.sameDim(op, "points", points, 0, "boxes", boxes, 0);
        int b = points.size(0), n = points.size(1), pc = points.size(2), t = boxes.size(1), bc = boxes.size(2);
        float[] p = points.toFloatArray(), bx = boxes.toFloatArray();
        int[] out = new int[b * n];
        java.util.Arrays.fill(out, -1);
        for (int bi = 0; bi < b; bi++) {
            BoxFrame[] fr = frames(bx, t, bc, bi * t * bc);
            int pb = bi * n;
            Parallel.forWork(n, (long) n * Math.max(t, 1) * 8, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    int o = (pb + i) * pc;
                    for (int k = 0; k < fr.length; k++)
                        if (fr[k].contains(p[o], p[o + 1], p[o + 2], MARGIN_GPU, null)) {
                            out[pb + i] = k;
                            break;
                        }
                }
            });
        }
        return Tensor.ofInts(out, b, n);
    }

    /** {@link #boxIndexOfPoints(Tensor, Tensor)} for one cloud: points [N, 3+], boxes [T, 7+] → int32 [N]. */
    public static Tensor boxIndexOfPointsSingle(Tensor points, Tensor boxes) {
        Checks.atLeastColumns("points_in_boxes_gpu", "points", points, 2, 3);
        Checks.atLeastColumns("points_in_boxes_gpu", "boxes", boxes, 2, 7);
        return boxIndexOfPoints(points.unsqueeze(0), boxes.unsqueeze(0)).reshape(points.size(0));
    }

    /**
     * points_in_boxes_cpu: the membership mask, 1 where point j is inside box i (boxes may overlap: a point can be in
     * several).
     *
     * @param points [N, 3+]
     * @param boxes  [T, 7+]
     * @param margin the BEV margin; {@link #MARGIN_CPU} reproduces points_in_boxes_cpu
     * @return int32 [T, N]
     */
    public static Tensor mask(Tensor points, Tensor boxes, float margin) {
        String op = "points_in_boxes_cpu";
        Checks.atLeastColumns(op, "points", points, 2, 3);
        Checks.atLeastColumns(op, "boxes", boxes, 2, 7);
        Checks.floating(op, "points", points);
        Checks.floating(op, "boxes", boxes);
        int n = points.size(0), pc = points.size(1), t = boxes.size(0);
        float[] p = points.toFloatArray();
        BoxFrame[] fr = frames(boxes.toFloatArray(), t, boxes.size(1), 0);
        int[] out = new int[t * n];
        Parallel.forWork(t, (long) t * n * 8, (lo, hi) -> {
            for (int k = lo; k < hi; k++)
                for (int j = 0; j < n; j++)
                    if (fr[k].contains(p[j * pc], p[j * pc + 1], p[j * pc + 2], margin, null)) out[k * n + j] = 1;
        });
        return Tensor.ofInts(out, t, n);
    }

    /**
     * The points inside each box, as ascending point indices (the per-box lists the GT database is cut with).
     *
     * @param points [N, 3+]
     * @param boxes  [T, 7+]
     * @param margin the BEV margin ({@link #MARGIN_CPU} as points_in_boxes_cpu, {@link #MARGIN_GPU} as the kernel)
     * @return T arrays of point indices
     */
    public static int[][] pointsOfBoxes(Tensor points, Tensor boxes, float margin) {
        Tensor m = mask(points, boxes, margin);
        int t = m.size(0), n = m.size(1);
        int[] v = m.toIntArray();
        int[][] out = new int[t][];
        for (int k = 0; k < t; k++) {
            IntArrayList l = new IntArrayList();
            for (int j = 0; j < n; j++) if (v[k * n + j] != 0) l.add(j);
            out[k] = l.toIntArray();
        }
        return out;
    }
}
