package fuse3d.sparse.box;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/**
 * Corners and shape checks of 3D boxes {@code (x, y, z, dx, dy, dz, heading, ...)}, z at the centre, heading
 * counter-clockwise about +z from +x (OpenPCDet's {@code boxes_to_corners_3d}).
 *
 * <p>Corner order, as OpenPCDet: the box-frame template {@code (+,+,-) (+,-,-) (-,-,-) (-,+,-)} for the bottom face
 * then the same four on the top face, each scaled by half the size, rotated by the heading and moved to the centre.
 * Corners 0..3 therefore run clockwise seen from above; the BEV corners are the first four.
 */
public final class BoxGeometry {
    private BoxGeometry() {}

    /** Sign of the template per corner: x, y, z of the eight corners. */
    static final int[][] TEMPLATE = {
        {1, 1, -1}, {1, -1, -1}, {-1, -1, -1}, {-1, 1, -1},
        {1, 1, 1}, {1, -1, 1}, {-1, -1, 1}, {-1, 1, 1}};

    /**
     * Checks that {@code boxes} is a floating [N, C] tensor with C >= minCols; the message names the op and shape.
     */
    static void requireBoxes(String op, String name, Tensor boxes, int minCols) {
        if (boxes == null) throw new IllegalArgumentException(op + ": " + name + " is null");
        if (boxes.dim() != 2 || boxes.size(1) < minCols)
            throw new IllegalArgumentException(op + ": " + name + " must be [N, >=" + minCols + "] (x, y, z, dx, dy, dz, heading, ...), got "
                    + Shape.str(boxes.shape()));
        if (!boxes.dtype().isFloating())
            throw new IllegalArgumentException(op + ": " + name + " must be float32 or float64, got " + boxes.dtype() + " " + Shape.str(boxes.shape()));
    }

    static void requireBoxes(String op, String name, Var boxes, int minCols) { requireBoxes(op, name, boxes.data(), minCols); }

    /** The floating dtype of a result: float64 stays float64, anything else becomes float32. */
    static DType outType(Tensor t) { return t.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32; }

    /** Row-major doubles of a [N, C] tensor (a copy). */
    static double[] rows(Tensor t) { return t.contiguous().toDoubleArray(); }

    /** Builds a tensor of the given dtype from doubles. */
    static Tensor tensor(double[] data, DType dtype, int... shape) {
        Tensor t = Tensor.of(data, shape);
        return dtype == DType.FLOAT64 ? t : t.to(dtype);
    }

    /**
     * The eight corners of each box: [N, 7+] to [N, 8, 3], in OpenPCDet's order (see the class comment).
     * NaN in a box gives NaN corners for that box.
     */
    public static Tensor corners3d(Tensor boxes) {
        requireBoxes("corners3d", "boxes", boxes, 7);
        int n = boxes.size(0), c = boxes.size(1);
        double[] b = rows(boxes);
        double[] out = new double[n * 24];
        for (int i = 0; i < n; i++) {
            int o = i * c;
            double cos = Math.cos(b[o + 6]), sin = Math.sin(b[o + 6]);
            for (int k = 0; k < 8; k++) {
                double lx = TEMPLATE[k][0] * b[o + 3] / 2, ly = TEMPLATE[k][1] * b[o + 4] / 2, lz = TEMPLATE[k][2] * b[o + 5] / 2;
                out[i * 24 + k * 3] = lx * cos - ly * sin + b[o];
                out[i * 24 + k * 3 + 1] = lx * sin + ly * cos + b[o + 1];
                out[i * 24 + k * 3 + 2] = lz + b[o + 2];
            }
        }
        return tensor(out, outType(boxes), n, 8, 3);
    }

    /** The four BEV corners of each box: [N, 7+] to [N, 4, 2], the x, y of corners 0..3 (clockwise from above). */
    public static Tensor bevCorners(Tensor boxes) {
        requireBoxes("bevCorners", "boxes", boxes, 7);
        return corners3d(boxes).narrow(1, 0, 4).narrow(2, 0, 2).contiguous();
    }

    /**
     * Differentiable corners: boxes [N, 7+] to [N, 8, 3], the same values as {@link #corners3d(Tensor)}, with
     * gradients to every box parameter.
     */
    public static Var corners3d(Var boxes) {
        requireBoxes("corners3d", "boxes", boxes, 7);
        int n = boxes.size(0);
        DType dt = boxes.dtype();
        // template: [8, 3], constant
        double[] tpl = new double[24];
        for (int k = 0; k < 8; k++) for (int d = 0; d < 3; d++) tpl[k * 3 + d] = TEMPLATE[k][d] * 0.5;
        Var half = boxes.narrow(1, 3, 3).unsqueeze(1).mul(Var.of(tensor(tpl, dt, 1, 8, 3))); // [N, 8, 3]
        Var lx = half.select(2, 0), ly = half.select(2, 1), lz = half.select(2, 2);       // [N, 8]
        Var heading = boxes.narrow(1, 6, 1);                                              // [N, 1]
        Var cos = heading.cos(), sin = heading.sin();
        Var x = lx.mul(cos).sub(ly.mul(sin)).add(boxes.narrow(1, 0, 1));
        Var y = lx.mul(sin).add(ly.mul(cos)).add(boxes.narrow(1, 1, 1));
        Var z = lz.add(boxes.narrow(1, 2, 1));
        return Var.stack(2, x, y, z).reshape(n, 8, 3);
    }

    /**
     * OpenPCDet's {@code limit_period}: {@code val - floor(val / period + offset) * period}, which maps angles into
     * {@code [-offset * period, (1 - offset) * period)}.
     */
    public static Tensor limitPeriod(Tensor val, double offset, double period) {
        if (!(period > 0)) throw new IllegalArgumentException("limitPeriod: period must be > 0, got " + period + " for " + Shape.str(val.shape()));
        DType dt = outType(val);
        double[] v = val.contiguous().toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = limitPeriod(v[i], offset, period);
        return tensor(v, dt, val.shape());
    }

    /** The scalar form of {@link #limitPeriod(Tensor, double, double)}. */
    public static double limitPeriod(double val, double offset, double period) {
        return val - Math.floor(val / period + offset) * period;
    }

    /**
     * BEV corners of one box counter-clockwise (the reverse of OpenPCDet's order), as x0, y0, x1, y1, ...;
     * relative to the shift (sx, sy), which keeps the clipping arithmetic near the origin.
     */
    static void bevCornersCcw(double x, double y, double dx, double dy, double heading, double sx, double sy, double[] out) {
        double cos = Math.cos(heading), sin = Math.sin(heading);
        double hx = dx / 2, hy = dy / 2;
        // (-,-) (+,-) (+,+) (-,+) : counter-clockwise in the box frame, and rotation keeps orientation
        double[] px = {-hx, hx, hx, -hx}, py = {-hy, -hy, hy, hy};
        for (int k = 0; k < 4; k++) {
            out[2 * k] = px[k] * cos - py[k] * sin + (x - sx);
            out[2 * k + 1] = px[k] * sin + py[k] * cos + (y - sy);
        }
    }
}
