package fuse3d.sparse.bev;

import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * An immutable 4x4 homogeneous transform in float64 that maps points of a source frame into a target frame
 * (a sensor pose such as nuScenes' sensor-to-ego, KITTI's velodyne-to-camera, or a BEV augmentation).
 *
 * <p>Naming follows the frames: a {@code Pose} called {@code lidarToCam} maps LiDAR-frame points to camera-frame
 * points; {@code a.then(b)} applies {@code a} first (the matrix {@code b * a}), so
 * {@code lidarToEgo.then(egoToGlobal)} is lidar-to-global. Matrices are row-major, as numpy prints them.
 */
public final class Pose {
    private static final Pose IDENTITY = new Pose(new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});

    /** Row-major 4x4. */
    private final double[] m;

    private Pose(double[] m) {
        this.m = m;
    }

    public static Pose identity() { return IDENTITY; }

    /**
     * A pose from a row-major matrix of 16 entries (4x4) or 12 entries (3x4, the last row taken as 0 0 0 1, as
     * KITTI's {@code Tr_velo_to_cam}). Every entry must be finite; a 4x4 must have the last row 0 0 0 1.
     */
    public static Pose ofRowMajor(double... rowMajor) {
        if (rowMajor.length != 16 && rowMajor.length != 12)
            throw new IllegalArgumentException("Pose.ofRowMajor: expected 12 (3x4) or 16 (4x4) entries, got " + rowMajor.length);
        double[] m = Arrays.copyOf(rowMajor, 16);
        if (rowMajor.length == 12) {
            m[12] = 0;
            m[13] = 0;
            m[14] = 0;
            m[15] = 1;
        }
        for (double v : m)
            if (!Double.isFinite(v)) throw new IllegalArgumentException("Pose.ofRowMajor: non-finite entry in " + Arrays.toString(rowMajor));
        if (m[12] != 0 || m[13] != 0 || m[14] != 0 || m[15] != 1)
            throw new IllegalArgumentException("Pose.ofRowMajor: last row must be 0 0 0 1 for a rigid or affine transform, got "
                    + m[12] + " " + m[13] + " " + m[14] + " " + m[15]);
        return new Pose(m);
    }

    /** A pose from a 4x4 or 3x4 matrix given as rows ({@code double[4][4]} as read from a JSON info file). */
    public static Pose ofRows(double[][] rows) {
        if ((rows.length != 4 && rows.length != 3) || Arrays.stream(rows).anyMatch(r -> r == null || r.length != 4))
            throw new IllegalArgumentException("Pose.ofRows: expected a 4x4 or 3x4 matrix, got " + rows.length + " rows of "
                    + Arrays.toString(Arrays.stream(rows).mapToInt(r -> r == null ? -1 : r.length).toArray()) + " entries");
        double[] flat = new double[rows.length * 4];
        for (int r = 0; r < rows.length; r++) System.arraycopy(rows[r], 0, flat, r * 4, 4);
        return ofRowMajor(flat);
    }

    /** A pose from a [4, 4] or [3, 4] tensor of any floating type (read in float64). */
    public static Pose of(Tensor t) {
        if (t.dim() != 2 || t.size(1) != 4 || (t.size(0) != 4 && t.size(0) != 3))
            throw new IllegalArgumentException("Pose.of: expected a [4, 4] or [3, 4] matrix, got " + Shape.str(t.shape()));
        return ofRowMajor(t.contiguous().toDoubleArray());
    }

    /** The pose {@code p -> r p + t} for a row-major 3x3 {@code r} and a translation {@code t}. */
    public static Pose ofRotationTranslation(double[] r, double[] t) {
        if (r.length != 9 || t.length != 3)
            throw new IllegalArgumentException("Pose.ofRotationTranslation: expected 9 rotation and 3 translation entries, got "
                    + r.length + " and " + t.length);
        return ofRowMajor(r[0], r[1], r[2], t[0], r[3], r[4], r[5], t[1], r[6], r[7], r[8], t[2]);
    }

    /** A pure translation. */
    public static Pose translation(double x, double y, double z) {
        return ofRowMajor(1, 0, 0, x, 0, 1, 0, y, 0, 0, 1, z);
    }

    /** A rotation by {@code angle} radians about +z (counter-clockwise seen from above), as OpenPCDet's rotate_points_along_z. */
    public static Pose rotationZ(double angle) {
        double c = Math.cos(angle), s = Math.sin(angle);
        return ofRowMajor(c, -s, 0, 0, s, c, 0, 0, 0, 0, 1, 0);
    }

    /**
     * nuScenes' calibrated_sensor / ego_pose record: rotation as a quaternion {@code [w, x, y, z]} (pyquaternion's
     * order, normalised first as its rotation_matrix does) and a translation {@code [x, y, z]}.
     */
    public static Pose fromQuaternion(double[] wxyz, double[] translation) {
        if (wxyz.length != 4 || translation.length != 3)
            throw new IllegalArgumentException("Pose.fromQuaternion: expected a [w, x, y, z] quaternion and an [x, y, z] translation, got "
                    + wxyz.length + " and " + translation.length + " entries");
        double n = Math.sqrt(wxyz[0] * wxyz[0] + wxyz[1] * wxyz[1] + wxyz[2] * wxyz[2] + wxyz[3] * wxyz[3]);
        if (!(n > 1e-12) || !Double.isFinite(n))
            throw new IllegalArgumentException("Pose.fromQuaternion: quaternion " + Arrays.toString(wxyz) + " has norm " + n
                    + "; a rotation needs a finite non-zero quaternion");
        double w = wxyz[0] / n, x = wxyz[1] / n, y = wxyz[2] / n, z = wxyz[3] / n;
        double[] r = {
            1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
            2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
            2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)};
        return ofRotationTranslation(r, translation);
    }

    /**
     * The unit quaternion {@code [w, x, y, z]} of this pose's rotation block, with {@code w >= 0} (the rotation
     * must be orthonormal; Shepperd's method picks the largest diagonal term so the result is stable near 180
     * degrees).
     */
    public double[] quaternion() {
        requireRigid("Pose.quaternion", 1e-6);
        double m00 = m[0], m11 = m[5], m22 = m[10], tr = m00 + m11 + m22;
        double w, x, y, z;
        if (tr > 0) {
            double s = Math.sqrt(tr + 1) * 2;
            w = s / 4;
            x = (m[9] - m[6]) / s;
            y = (m[2] - m[8]) / s;
            z = (m[4] - m[1]) / s;
        } else if (m00 > m11 && m00 > m22) {
            double s = Math.sqrt(1 + m00 - m11 - m22) * 2;
            w = (m[9] - m[6]) / s;
            x = s / 4;
            y = (m[1] + m[4]) / s;
            z = (m[2] + m[8]) / s;
        } else if (m11 > m22) {
            double s = Math.sqrt(1 + m11 - m00 - m22) * 2;
            w = (m[2] - m[8]) / s;
            x = (m[1] + m[4]) / s;
            y = s / 4;
            z = (m[6] + m[9]) / s;
        } else {
            double s = Math.sqrt(1 + m22 - m00 - m11) * 2;
            w = (m[4] - m[1]) / s;
            x = (m[2] + m[8]) / s;
            y = (m[6] + m[9]) / s;
            z = s / 4;
        }
        double sign = w < 0 ? -1 : 1;
        return new double[] {sign * w, sign * x, sign * y, sign * z};
    }

    /** Entry (row, col) of the 4x4 matrix. */
    public double get(int row, int col) {
        if (row < 0 || row > 3 || col < 0 || col > 3)
            throw new IndexOutOfBoundsException("Pose.get: (" + row + ", " + col + ") outside a 4x4 matrix");
        return m[row * 4 + col];
    }

    /** The 4x4 matrix, row-major (a copy). */
    public double[] rowMajor() { return m.clone(); }

    /** The 3x3 linear block, row-major (a copy). */
    public double[] rotation() { return new double[] {m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]}; }

    /** The translation column. */
    public double[] translationVector() { return new double[] {m[3], m[7], m[11]}; }

    /** This pose as a float64 [4, 4] tensor. */
    public Tensor toTensor() { return Tensor.of(m.clone(), 4, 4); }

    /** {@code this} first, then {@code next}: the matrix {@code next * this}. */
    public Pose then(Pose next) { return new Pose(mul(next.m, m)); }

    /** The inverse transform (general affine inverse, so scaled BEV augmentations invert too). */
    public Pose inverse() {
        double a = m[0], b = m[1], c = m[2], d = m[4], e = m[5], f = m[6], g = m[8], h = m[9], i = m[10];
        double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
        if (!(Math.abs(det) > 1e-300))
            throw new IllegalArgumentException("Pose.inverse: the 3x3 block is singular (det " + det + ") in " + this);
        double[] r = {
            (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
            (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
            (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det};
        double tx = m[3], ty = m[7], tz = m[11];
        double[] t = {
            -(r[0] * tx + r[1] * ty + r[2] * tz),
            -(r[3] * tx + r[4] * ty + r[5] * tz),
            -(r[6] * tx + r[7] * ty + r[8] * tz)};
        return ofRotationTranslation(r, t);
    }

    /** Maps one point. */
    public double[] apply(double x, double y, double z) {
        return new double[] {
            m[0] * x + m[1] * y + m[2] * z + m[3],
            m[4] * x + m[5] * y + m[6] * z + m[7],
            m[8] * x + m[9] * y + m[10] * z + m[11]};
    }

    /**
     * Maps points {@code [..., >=3]} (x, y, z first; any further columns such as intensity are copied): the result
     * has the input's shape and dtype, computed in float64. NaN coordinates stay NaN.
     */
    public Tensor apply(Tensor points) {
        int[] shape = points.shape();
        if (shape.length < 1 || shape[shape.length - 1] < 3 || !points.dtype().isFloating())
            throw new IllegalArgumentException("Pose.apply: expected floating points [..., >=3], got " + points.dtype().torchName() + " "
                    + Shape.str(shape));
        int cols = shape[shape.length - 1];
        double[] p = points.contiguous().toDoubleArray();
        int n = p.length / cols;
        for (int k = 0; k < n; k++) {
            int o = k * cols;
            double x = p[o], y = p[o + 1], z = p[o + 2];
            p[o] = m[0] * x + m[1] * y + m[2] * z + m[3];
            p[o + 1] = m[4] * x + m[5] * y + m[6] * z + m[7];
            p[o + 2] = m[8] * x + m[9] * y + m[10] * z + m[11];
        }
        Tensor out = Tensor.of(p, shape);
        return points.dtype() == DType.FLOAT64 ? out : out.to(points.dtype());
    }

    /** True when the 3x3 block is orthonormal with determinant +1 within {@code tol}. */
    public boolean isRigid(double tol) {
        double[] r = rotation();
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                double dot = r[a * 3] * r[b * 3] + r[a * 3 + 1] * r[b * 3 + 1] + r[a * 3 + 2] * r[b * 3 + 2];
                if (Math.abs(dot - (a == b ? 1 : 0)) > tol) return false;
            }
        double det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
        return Math.abs(det - 1) <= tol;
    }

    /** Largest absolute entry difference to {@code o}. */
    public double maxAbsDiff(Pose o) {
        double d = 0;
        for (int k = 0; k < 16; k++) d = Math.max(d, Math.abs(m[k] - o.m[k]));
        return d;
    }

    private void requireRigid(String op, double tol) {
        if (!isRigid(tol)) throw new IllegalArgumentException(op + ": the 3x3 block is not a rotation (orthonormal, det +1): " + this);
    }

    private static double[] mul(double[] a, double[] b) {
        double[] c = new double[16];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                double s = 0;
                for (int k = 0; k < 4; k++) s += a[i * 4 + k] * b[k * 4 + j];
                c[i * 4 + j] = s;
            }
        return c;
    }

    @Override
    public boolean equals(Object o) { return o instanceof Pose p && Arrays.equals(m, p.m); }

    @Override
    public int hashCode() { return Arrays.hashCode(m); }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Pose[");
        for (int r = 0; r < 3; r++) {
            if (r > 0) b.append("; ");
            b.append(m[r * 4]).append(' ').append(m[r * 4 + 1]).append(' ').append(m[r * 4 + 2]).append(" | ").append(m[r * 4 + 3]);
        }
        return b.append(']').toString();
    }
}
