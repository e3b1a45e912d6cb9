package fuse3d.sparse.box;

import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/**
 * Global augmentation of a scene's boxes [M, 7+] and points [N, 3+] together, as OpenPCDet's
 * {@code augmentor_utils} ({@code random_flip_along_x/y}, {@code global_rotation}, {@code global_scaling},
 * {@code random_translation}). Pure functions with an explicit angle, scale or flag; the {@code random*} variants
 * draw it from the caller's {@link Generator}.
 *
 * <p>Boxes of 9+ columns carry a velocity (vx, vy) in columns 7, 8, which flips and rotates with the scene; a box
 * of exactly 8 columns is refused (OpenPCDet would index a missing column 8). Points keep their extra columns
 * (intensity, ...). Headings are not wrapped: apply {@link BoxGeometry#limitPeriod} afterwards, as OpenPCDet does
 * in {@code prepare_data}. Empty inputs give empty outputs.
 */
public final class BoxAugmentor {
    private BoxAugmentor() {}

    /** Augmented boxes and points (new tensors; the inputs are not changed). */
    public record Scene(Tensor boxes, Tensor points) {}

    /** Mirror across the x axis (y to -y): heading to -heading, vy to -vy ({@code random_flip_along_x} enabled). */
    public static Scene flipAlongX(Tensor boxes, Tensor points) {
        check("flipAlongX", boxes, points);
        int c = boxes.size(1), pc = points.size(1);
        double[] b = BoxGeometry.rows(boxes), p = BoxGeometry.rows(points);
        for (int i = 0; i < boxes.size(0); i++) {
            b[i * c + 1] = -b[i * c + 1];
            b[i * c + 6] = -b[i * c + 6];
            if (c > 7) b[i * c + 8] = -b[i * c + 8];
        }
        for (int i = 0; i < points.size(0); i++) p[i * pc + 1] = -p[i * pc + 1];
        return scene(boxes, b, points, p);
    }

    /** Mirror across the y axis (x to -x): heading to -(heading + pi), vx to -vx ({@code random_flip_along_y} enabled). */
    public static Scene flipAlongY(Tensor boxes, Tensor points) {
        check("flipAlongY", boxes, points);
        int c = boxes.size(1), pc = points.size(1);
        double[] b = BoxGeometry.rows(boxes), p = BoxGeometry.rows(points);
        for (int i = 0; i < boxes.size(0); i++) {
            b[i * c] = -b[i * c];
            b[i * c + 6] = -(b[i * c + 6] + Math.PI);
            if (c > 7) b[i * c + 7] = -b[i * c + 7];
        }
        for (int i = 0; i < points.size(0); i++) p[i * pc] = -p[i * pc];
        return scene(boxes, b, points, p);
    }

    /**
     * Rotation of the scene about the z axis by {@code angle} (counter-clockwise): centres, points and velocities
     * rotate, headings gain the angle ({@code global_rotation} with {@code noise_rotation = angle}).
     */
    public static Scene globalRotation(Tensor boxes, Tensor points, double angle) {
        check("globalRotation", boxes, points);
        int c = boxes.size(1), pc = points.size(1);
        double[] b = BoxGeometry.rows(boxes), p = BoxGeometry.rows(points);
        double cos = Math.cos(angle), sin = Math.sin(angle);
        for (int i = 0; i < boxes.size(0); i++) {
            rotate(b, i * c, cos, sin);
            b[i * c + 6] += angle;
            if (c > 7) rotate(b, i * c + 7, cos, sin);
        }
        for (int i = 0; i < points.size(0); i++) rotate(p, i * pc, cos, sin);
        return scene(boxes, b, points, p);
    }

    /**
     * Scaling of the scene about the origin: point xyz, box centre and size, and every extra box column (velocity)
     * times {@code scale} ({@code global_scaling} with {@code noise_scale = scale}).
     */
    public static Scene globalScaling(Tensor boxes, Tensor points, double scale) {
        check("globalScaling", boxes, points);
        int c = boxes.size(1), pc = points.size(1);
        double[] b = BoxGeometry.rows(boxes), p = BoxGeometry.rows(points);
        for (int i = 0; i < boxes.size(0); i++)
            for (int d = 0; d < c; d++) if (d != 6) b[i * c + d] *= scale;
        for (int i = 0; i < points.size(0); i++)
            for (int d = 0; d < 3; d++) p[i * pc + d] *= scale;
        return scene(boxes, b, points, p);
    }

    /** Translation of the scene by (tx, ty, tz): box centres and point xyz ({@code random_translation} per axis). */
    public static Scene globalTranslation(Tensor boxes, Tensor points, double tx, double ty, double tz) {
        check("globalTranslation", boxes, points);
        int c = boxes.size(1), pc = points.size(1);
        double[] t = {tx, ty, tz};
        double[] b = BoxGeometry.rows(boxes), p = BoxGeometry.rows(points);
        for (int i = 0; i < boxes.size(0); i++) for (int d = 0; d < 3; d++) b[i * c + d] += t[d];
        for (int i = 0; i < points.size(0); i++) for (int d = 0; d < 3; d++) p[i * pc + d] += t[d];
        return scene(boxes, b, points, p);
    }

    /** {@link #flipAlongX} with probability 1/2 (the flag drawn from {@code gen}). */
    public static Scene randomFlipAlongX(Tensor boxes, Tensor points, Generator gen) {
        return gen.nextDouble() < 0.5 ? flipAlongX(boxes, points) : new Scene(boxes, points);
    }

    /** {@link #flipAlongY} with probability 1/2. */
    public static Scene randomFlipAlongY(Tensor boxes, Tensor points, Generator gen) {
        return gen.nextDouble() < 0.5 ? flipAlongY(boxes, points) : new Scene(boxes, points);
    }

    /** {@link #globalRotation} by an angle uniform in [lo, hi) ({@code WORLD_ROT_ANGLE}). */
    public static Scene randomRotation(Tensor boxes, Tensor points, double lo, double hi, Generator gen) {
        return globalRotation(boxes, points, lo + (hi - lo) * gen.nextDouble());
    }

    /**
     * {@link #globalScaling} by a factor uniform in [lo, hi) ({@code WORLD_SCALE_RANGE}); as OpenPCDet, a range
     * narrower than 1e-3 leaves the scene unchanged.
     */
    public static Scene randomScaling(Tensor boxes, Tensor points, double lo, double hi, Generator gen) {
        if (hi - lo < 1e-3) return new Scene(boxes, points);
        return globalScaling(boxes, points, lo + (hi - lo) * gen.nextDouble());
    }

    /**
     * Rotates the xyz of points [N, 3+] about z by {@code angle} counter-clockwise, other columns unchanged
     * (OpenPCDet's {@code rotate_points_along_z} for one angle).
     */
    public static Tensor rotatePointsAlongZ(Tensor points, double angle) {
        if (points.dim() != 2 || points.size(1) < 3 || !points.dtype().isFloating())
            throw new IllegalArgumentException("rotatePointsAlongZ: points must be floating [N, >=3], got " + Shape.str(points.shape()));
        int pc = points.size(1);
        double[] p = BoxGeometry.rows(points);
        double cos = Math.cos(angle), sin = Math.sin(angle);
        for (int i = 0; i < points.size(0); i++) rotate(p, i * pc, cos, sin);
        return BoxGeometry.tensor(p, BoxGeometry.outType(points), points.shape());
    }

    /** (x, y) at offset o rotated counter-clockwise. */
    private static void rotate(double[] v, int o, double cos, double sin) {
        double x = v[o], y = v[o + 1];
        v[o] = x * cos - y * sin;
        v[o + 1] = x * sin + y * cos;
    }

    private static Scene scene(Tensor boxes, double[] b, Tensor points, double[] p) {
        return new Scene(BoxGeometry.tensor(b, outType(boxes), boxes.shape()), BoxGeometry.tensor(p, outType(points), points.shape()));
    }

    private static DType outType(Tensor t) { return BoxGeometry.outType(t); }

    private static void check(String op, Tensor boxes, Tensor points) {
        BoxGeometry.requireBoxes(op, "gt_boxes", boxes, 7);
        if (boxes.size(1) == 8)
            throw new IllegalArgumentException(op + ": gt_boxes " + Shape.str(boxes.shape()) + " has 8 columns; velocity needs columns 7 and 8 (9+ columns)");
        if (points.dim() != 2 || points.size(1) < 3 || !points.dtype().isFloating())
            throw new IllegalArgumentException(op + ": points must be floating [N, >=3], got " + Shape.str(points.shape()));
    }
}
