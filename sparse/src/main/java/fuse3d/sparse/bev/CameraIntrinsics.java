package fuse3d.sparse.bev;

import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * A pinhole camera matrix {@code K = [[fx, s, cx], [0, fy, cy], [0, 0, 1]]} (nuScenes' camera_intrinsic,
 * mmdetection3d's cam2img, the left 3x3 of KITTI's P2) and the projections it defines.
 */
public record CameraIntrinsics(double fx, double fy, double cx, double cy, double skew) {
    public CameraIntrinsics {
        if (!(Double.isFinite(fx) && Double.isFinite(fy) && Double.isFinite(cx) && Double.isFinite(cy) && Double.isFinite(skew))
                || fx == 0 || fy == 0)
            throw new IllegalArgumentException("CameraIntrinsics: focal lengths must be finite and non-zero and the centre finite, got fx=" + fx
                    + " fy=" + fy + " cx=" + cx + " cy=" + cy + " skew=" + skew);
    }

    public static CameraIntrinsics of(double fx, double fy, double cx, double cy) { return new CameraIntrinsics(fx, fy, cx, cy, 0); }

    /** From a row-major 3x3 (9 entries) or the left block of a 3x4 (12 entries) whose last row is 0 0 1 (0). */
    public static CameraIntrinsics ofRowMajor(double... k) {
        if (k.length != 9 && k.length != 12)
            throw new IllegalArgumentException("CameraIntrinsics.ofRowMajor: expected 9 (3x3) or 12 (3x4) entries, got " + k.length);
        int w = k.length / 3;
        if (k[w] != 0 || k[2 * w] != 0 || k[2 * w + 1] != 0 || k[2 * w + 2] != 1)
            throw new IllegalArgumentException("CameraIntrinsics.ofRowMajor: not a pinhole matrix (expected rows [fx s cx], [0 fy cy], [0 0 1]): "
                    + Arrays.toString(k));
        return new CameraIntrinsics(k[0], k[w + 1], k[2], k[w + 2], k[1]);
    }

    /** From rows (a {@code double[3][3]} as read from a JSON info file). */
    public static CameraIntrinsics ofRows(double[][] rows) {
        if (rows.length != 3 || Arrays.stream(rows).anyMatch(r -> r == null || r.length != 3))
            throw new IllegalArgumentException("CameraIntrinsics.ofRows: expected a 3x3 matrix");
        return ofRowMajor(rows[0][0], rows[0][1], rows[0][2], rows[1][0], rows[1][1], rows[1][2], rows[2][0], rows[2][1], rows[2][2]);
    }

    /** From a [3, 3] tensor. */
    public static CameraIntrinsics of(Tensor k) {
        if (k.dim() != 2 || k.size(0) != 3 || k.size(1) != 3)
            throw new IllegalArgumentException("CameraIntrinsics.of: expected a [3, 3] matrix, got " + Shape.str(k.shape()));
        return ofRowMajor(k.contiguous().toDoubleArray());
    }

    /** K, row-major. */
    public double[] matrix() { return new double[] {fx, skew, cx, 0, fy, cy, 0, 0, 1}; }

    /** K^-1, row-major. */
    public double[] inverseMatrix() {
        return new double[] {1 / fx, -skew / (fx * fy), (skew * cy - cx * fy) / (fx * fy), 0, 1 / fy, -cy / fy, 0, 0, 1};
    }

    /** K as a float64 [3, 3] tensor. */
    public Tensor toTensor() { return Tensor.of(matrix(), 3, 3); }

    /**
     * Projects a camera-frame point (x right, y down, z forward) to {@code (u, v, z)}: pixel coordinates and the
     * depth along the optical axis. Points with {@code z <= 0} are behind the camera: u and v are then
     * meaningless (the caller filters by depth, as every LSS / KITTI pipeline does).
     */
    public double[] project(double x, double y, double z) {
        return new double[] {(fx * x + skew * y) / z + cx, fy * y / z + cy, z};
    }

    /** The camera-frame point at pixel (u, v) and depth z: the inverse of {@link #project}. */
    public double[] unproject(double u, double v, double z) {
        double y = (v - cy) * z / fy;
        double x = ((u - cx) * z - skew * y) / fx;
        return new double[] {x, y, z};
    }
}
