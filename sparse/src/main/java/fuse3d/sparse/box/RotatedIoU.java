package fuse3d.sparse.box;

import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;

/**
 * Exact rotated IoU of 3D boxes, as OpenPCDet's {@code iou3d_nms} ({@code boxes_iou_bev},
 * {@code boxes_iou3d_gpu}, {@code boxes_aligned_iou3d_gpu}) and the axis-aligned {@code boxes3d_nearest_bev_iou}
 * of its target assigner.
 *
 * <p>The BEV overlap is the area of the intersection of two rotated rectangles, found by clipping one rectangle
 * against the four edges of the other (Sutherland-Hodgman; the clip polygon is convex, so the result is exact up
 * to rounding, and parallel or touching edges need no special case). Everything runs in float64 with the first box
 * moved to the origin. The IoU divides by {@code max(union, 1e-8)} in BEV and {@code max(union, 1e-6)} in 3D, the
 * floors of OpenPCDet's kernels, so zero-size boxes get IoU 0. A box with a NaN or a non-positive BEV size has no
 * overlap with anything (IoU 0), where the CUDA kernels would return garbage.
 */
public final class RotatedIoU {
    private RotatedIoU() {}

    /** OpenPCDet's kernel floor on the BEV union. */
    public static final double BEV_EPS = 1e-8;
    /** OpenPCDet's floor on the 3D union ({@code clamp(min=1e-6)}). */
    public static final double VOLUME_EPS = 1e-6;

    /**
     * The BEV intersection area of two boxes given by centre, size and heading; 0 when either has a NaN or a
     * non-positive BEV size.
     */
    public static double bevOverlap(double xa, double ya, double dxa, double dya, double ha,
                                    double xb, double yb, double dxb, double dyb, double hb) {
        if (!(dxa > 0 && dya > 0 && dxb > 0 && dyb > 0)) return 0; // also false for NaN sizes
        if (!Double.isFinite(xa + ya + ha + xb + yb + hb + dxa + dya + dxb + dyb)) return 0;
        // circumscribed circles apart: no overlap (cheap reject for NMS and IoU matrices)
        double ddx = xb - xa, ddy = yb - ya;
        // sqrt, not hypot: hypot's overflow care costs ~10x and NMS calls this for every pair (sizes are small)
        double ra = Math.sqrt(dxa * dxa + dya * dya) / 2, rb = Math.sqrt(dxb * dxb + dyb * dyb) / 2;
        if (ddx * ddx + ddy * ddy > (ra + rb) * (ra + rb)) return 0;
        double[] a = new double[8], b = new double[8];
        BoxGeometry.bevCornersCcw(xa, ya, dxa, dya, ha, xa, ya, a);
        BoxGeometry.bevCornersCcw(xb, yb, dxb, dyb, hb, xa, ya, b);
        double area = clippedArea(a, b);
        // rounding can only push the area a hair outside [0, min area]
        return Math.max(0, Math.min(area, Math.min(dxa * dya, dxb * dyb)));
    }

    /**
     * Area of the convex quadrilateral {@code subject} (CCW, x0 y0 x1 y1 ...) clipped by the convex CCW
     * quadrilateral {@code clip}.
     */
    static double clippedArea(double[] subject, double[] clip) {
        // at most 4 + 4 vertices after clipping a quad by four half-planes
        double[] cur = new double[24], next = new double[24];
        System.arraycopy(subject, 0, cur, 0, 8);
        int n = 4;
        for (int e = 0; e < 4 && n > 0; e++) {
            double ex0 = clip[2 * e], ey0 = clip[2 * e + 1];
            double ex1 = clip[(2 * e + 2) % 8], ey1 = clip[(2 * e + 3) % 8];
            double ux = ex1 - ex0, uy = ey1 - ey0;
            int m = 0;
            for (int i = 0; i < n; i++) {
                int j = (i + 1) % n;
                double px = cur[2 * i], py = cur[2 * i + 1], qx = cur[2 * j], qy = cur[2 * j + 1];
                // signed distance (times |u|) to the left of the edge: >= 0 is inside for a CCW clip polygon
                double dp = ux * (py - ey0) - uy * (px - ex0);
                double dq = ux * (qy - ey0) - uy * (qx - ex0);
                if (dp >= 0) {
                    next[2 * m] = px;
                    next[2 * m + 1] = py;
                    m++;
                }
                if ((dp >= 0) != (dq >= 0)) {
                    // the signs differ strictly on one side, so dp - dq is never 0 here
                    double t = dp / (dp - dq);
                    next[2 * m] = px + t * (qx - px);
                    next[2 * m + 1] = py + t * (qy - py);
                    m++;
                }
            }
            double[] s = cur;
            cur = next;
            next = s;
            n = m;
        }
        if (n < 3) return 0;
        double twice = 0;
        for (int i = 0; i < n; i++) {
            int j = (i + 1) % n;
            twice += cur[2 * i] * cur[2 * j + 1] - cur[2 * j] * cur[2 * i + 1];
        }
        return Math.abs(twice) / 2;
    }

    /** The BEV overlap of rows i of {@code a} and j of {@code b} (row-major [*, ca] and [*, cb] doubles). */
    static double bevOverlap(double[] a, int i, int ca, double[] b, int j, int cb) {
        int o = i * ca, p = j * cb;
        return bevOverlap(a[o], a[o + 1], a[o + 3], a[o + 4], a[o + 6], b[p], b[p + 1], b[p + 3], b[p + 4], b[p + 6]);
    }

    static double bevIou(double[] a, int i, int ca, double[] b, int j, int cb) {
        double ov = bevOverlap(a, i, ca, b, j, cb);
        double sa = area(a, i, ca), sb = area(b, j, cb);
        return ov / Math.max(sa + sb - ov, BEV_EPS);
    }

    static double iou3d(double[] a, int i, int ca, double[] b, int j, int cb) {
        int o = i * ca, p = j * cb;
        double ov = bevOverlap(a, i, ca, b, j, cb);
        double h = heightOverlap(a[o + 2], a[o + 5], b[p + 2], b[p + 5]);
        double inter = ov * h;
        double va = a[o + 3] * a[o + 4] * a[o + 5], vb = b[p + 3] * b[p + 4] * b[p + 5];
        double iou = inter / Math.max(va + vb - inter, VOLUME_EPS);
        return Double.isNaN(iou) ? 0 : iou;
    }

    /** BEV area dx * dy, 0 for a NaN or non-positive size (such a box overlaps nothing). */
    private static double area(double[] a, int i, int ca) {
        double s = a[i * ca + 3] * a[i * ca + 4];
        return a[i * ca + 3] > 0 && a[i * ca + 4] > 0 ? s : 0;
    }

    /** Overlap of the z intervals [z - h/2, z + h/2], at least 0 (NaN counts as 0). */
    static double heightOverlap(double za, double ha, double zb, double hb) {
        double top = Math.min(za + ha / 2, zb + hb / 2), bottom = Math.max(za - ha / 2, zb - hb / 2);
        double h = top - bottom;
        return h > 0 ? h : 0;
    }

    private interface PairFn {
        double apply(double[] a, int i, int ca, double[] b, int j, int cb);
    }

    private static Tensor matrix(String op, Tensor boxesA, Tensor boxesB, PairFn f) {
        BoxGeometry.requireBoxes(op, "boxesA", boxesA, 7);
        BoxGeometry.requireBoxes(op, "boxesB", boxesB, 7);
        int n = boxesA.size(0), m = boxesB.size(0), ca = boxesA.size(1), cb = boxesB.size(1);
        double[] a = BoxGeometry.rows(boxesA), b = BoxGeometry.rows(boxesB);
        double[] out = new double[n * m];
        Parallel.forWork(n, (long) n * m * 64, (lo, hi) -> {
            for (int i = lo; i < hi; i++)
                for (int j = 0; j < m; j++) out[i * m + j] = f.apply(a, i, ca, b, j, cb);
        });
        return BoxGeometry.tensor(out, resultType(boxesA, boxesB), n, m);
    }

    private static Tensor aligned(String op, Tensor boxesA, Tensor boxesB, PairFn f) {
        BoxGeometry.requireBoxes(op, "boxesA", boxesA, 7);
        BoxGeometry.requireBoxes(op, "boxesB", boxesB, 7);
        if (boxesA.size(0) != boxesB.size(0))
            throw new IllegalArgumentException(op + ": aligned IoU needs as many boxes in both, got " + Shape.str(boxesA.shape()) + " and "
                    + Shape.str(boxesB.shape()));
        int n = boxesA.size(0), ca = boxesA.size(1), cb = boxesB.size(1);
        double[] a = BoxGeometry.rows(boxesA), b = BoxGeometry.rows(boxesB);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = f.apply(a, i, ca, b, i, cb);
        return BoxGeometry.tensor(out, resultType(boxesA, boxesB), n);
    }

    private static DType resultType(Tensor a, Tensor b) {
        return a.dtype() == DType.FLOAT64 || b.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
    }

    /** BEV overlap areas [N, M] ({@code boxes_overlap_bev}). */
    public static Tensor overlapBev(Tensor boxesA, Tensor boxesB) { return matrix("overlapBev", boxesA, boxesB, RotatedIoU::bevOverlap); }

    /** Rotated BEV IoU [N, M] of boxes [N, 7+] and [M, 7+] ({@code boxes_iou_bev}); z and dz are ignored. */
    public static Tensor iouBev(Tensor boxesA, Tensor boxesB) { return matrix("iouBev", boxesA, boxesB, RotatedIoU::bevIou); }

    /** Rotated 3D IoU [N, M]: BEV overlap times height overlap over the union of volumes ({@code boxes_iou3d_gpu}). */
    public static Tensor iou3d(Tensor boxesA, Tensor boxesB) { return matrix("iou3d", boxesA, boxesB, RotatedIoU::iou3d); }

    /** BEV IoU of the pairs (a_i, b_i), [N] ({@code boxes_iou_bev} on the diagonal). */
    public static Tensor iouBevAligned(Tensor boxesA, Tensor boxesB) { return aligned("iouBevAligned", boxesA, boxesB, RotatedIoU::bevIou); }

    /** 3D IoU of the pairs (a_i, b_i), [N] ({@code boxes_aligned_iou3d_gpu}). */
    public static Tensor iou3dAligned(Tensor boxesA, Tensor boxesB) { return aligned("iou3dAligned", boxesA, boxesB, RotatedIoU::iou3d); }

    /**
     * Axis-aligned 2D IoU [N, M] of boxes (x1, y1, x2, y2) as OpenPCDet's {@code boxes_iou_normal}: intersection
     * over {@code max(union, 1e-6)}.
     */
    public static Tensor iouNormal(Tensor boxesA, Tensor boxesB) {
        for (Tensor t : new Tensor[] {boxesA, boxesB})
            if (t.dim() != 2 || t.size(1) != 4 || !t.dtype().isFloating())
                throw new IllegalArgumentException("iouNormal: boxes must be floating [N, 4] (x1, y1, x2, y2), got " + Shape.str(boxesA.shape())
                        + " and " + Shape.str(boxesB.shape()));
        int n = boxesA.size(0), m = boxesB.size(0);
        double[] a = BoxGeometry.rows(boxesA), b = BoxGeometry.rows(boxesB);
        double[] out = new double[n * m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) out[i * m + j] = iouNormal(a, i, b, j);
        return BoxGeometry.tensor(out, resultType(boxesA, boxesB), n, m);
    }

    private static double iouNormal(double[] a, int i, double[] b, int j) {
        double w = Math.min(a[4 * i + 2], b[4 * j + 2]) - Math.max(a[4 * i], b[4 * j]);
        double h = Math.min(a[4 * i + 3], b[4 * j + 3]) - Math.max(a[4 * i + 1], b[4 * j + 1]);
        double inter = Math.max(w, 0) * Math.max(h, 0);
        double sa = (a[4 * i + 2] - a[4 * i]) * (a[4 * i + 3] - a[4 * i + 1]);
        double sb = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
        double iou = inter / Math.max(sa + sb - inter, VOLUME_EPS);
        return Double.isNaN(iou) ? 0 : iou;
    }

    /**
     * Boxes [N, 7+] to the axis-aligned BEV boxes (x1, y1, x2, y2) [N, 4] of OpenPCDet's
     * {@code boxes3d_lidar_to_aligned_bev_boxes}: the heading folded into [-pi/2, pi/2), and dx, dy swapped when
     * its magnitude is pi/4 or more.
     */
    public static Tensor alignedBevBoxes(Tensor boxes) {
        BoxGeometry.requireBoxes("alignedBevBoxes", "boxes", boxes, 7);
        int n = boxes.size(0), c = boxes.size(1);
        double[] b = BoxGeometry.rows(boxes), out = new double[n * 4];
        for (int i = 0; i < n; i++) {
            double rot = Math.abs(BoxGeometry.limitPeriod(b[i * c + 6], 0.5, Math.PI));
            boolean keep = rot < Math.PI / 4;
            double w = keep ? b[i * c + 3] : b[i * c + 4], h = keep ? b[i * c + 4] : b[i * c + 3];
            out[4 * i] = b[i * c] - w / 2;
            out[4 * i + 1] = b[i * c + 1] - h / 2;
            out[4 * i + 2] = b[i * c] + w / 2;
            out[4 * i + 3] = b[i * c + 1] + h / 2;
        }
        return BoxGeometry.tensor(out, BoxGeometry.outType(boxes), n, 4);
    }

    /** OpenPCDet's {@code boxes3d_nearest_bev_iou}: the axis-aligned IoU [N, M] of {@link #alignedBevBoxes}. */
    public static Tensor nearestBevIou(Tensor boxesA, Tensor boxesB) {
        return iouNormal(alignedBevBoxes(boxesA), alignedBevBoxes(boxesB));
    }
}
