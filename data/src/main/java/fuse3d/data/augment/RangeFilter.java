package fuse3d.data.augment;

import fuse3d.sparse.box.BoxGeometry;
import fuse3d.tensor.Tensor;

/**
 * The point-cloud-range masks of OpenPCDet's data processor ({@code mask_points_and_boxes_outside_range}).
 *
 * <p>Points: kept when {@code x in [x_min, x_max]} and {@code y in [y_min, y_max]}, both ends inclusive; z is not
 * tested ({@code common_utils.mask_points_by_range}). Boxes ({@code box_utils.mask_boxes_outside_range_numpy}):
 * with {@code useCenterToFilter} (OpenPCDet's default) a box is kept when its centre lies in the full 3D range,
 * inclusive; otherwise when at least {@code minNumCorners} of its eight corners lie in the BEV range (x and y
 * only, inclusive). The range is {@code [x_min, y_min, z_min, x_max, y_max, z_max]}, rounded to float32 first as
 * OpenPCDet holds {@code POINT_CLOUD_RANGE} (so a float32 point at 70.4f is inside a range ending at 70.4).
 */
public final class RangeFilter {
    private RangeFilter() {}

    /** Which points [N, 3+] lie in the BEV range. */
    public static boolean[] pointsMask(Tensor points, double[] range) {
        range = float32(range);
        int n = points.size(0), c = points.size(1);
        float[] p = points.contiguous().toFloatArray();
        boolean[] m = new boolean[n];
        for (int i = 0; i < n; i++) {
            double x = p[i * c], y = p[i * c + 1];
            m[i] = x >= range[0] && x <= range[3] && y >= range[1] && y <= range[4];
        }
        return m;
    }

    /** Which boxes [M, 7+] are kept (see the class comment). */
    public static boolean[] boxesMask(Tensor boxes, double[] range, int minNumCorners, boolean useCenterToFilter) {
        range = float32(range);
        int n = boxes.size(0), c = boxes.size(1);
        boolean[] m = new boolean[n];
        if (n == 0) return m;
        if (useCenterToFilter) {
            double[] b = boxes.contiguous().toDoubleArray();
            for (int i = 0; i < n; i++) {
                boolean in = true;
                for (int d = 0; d < 3; d++) in &= b[i * c + d] >= range[d] && b[i * c + d] <= range[3 + d];
                m[i] = in;
            }
            return m;
        }
        double[] corners = BoxGeometry.corners3d(boxes.narrow(1, 0, 7)).contiguous().toDoubleArray(); // [M, 8, 3]
        for (int i = 0; i < n; i++) {
            int count = 0;
            for (int k = 0; k < 8; k++) {
                double x = corners[(i * 8 + k) * 3], y = corners[(i * 8 + k) * 3 + 1];
                if (x >= range[0] && x <= range[3] && y >= range[1] && y <= range[4]) count++;
            }
            m[i] = count >= minNumCorners;
        }
        return m;
    }

    /** The rows of {@code t} [N, C] where {@code mask} is true, in order. */
    static Tensor select(Tensor t, boolean[] mask) {
        int c = t.size(1), kept = 0;
        boolean f64 = t.dtype() == fuse3d.tensor.DType.FLOAT64;
        double[] v = t.contiguous().toDoubleArray();
        double[] out = new double[v.length];
        for (int i = 0; i < mask.length; i++) if (mask[i]) System.arraycopy(v, i * c, out, (kept++) * c, c);
        Tensor r = Tensor.of(java.util.Arrays.copyOf(out, kept * c), kept, c);
        return f64 ? r : r.to(t.dtype());
    }

    private static double[] float32(double[] range) {
        checkRange(range);
        double[] r = new double[6];
        for (int i = 0; i < 6; i++) r[i] = (float) range[i];
        return r;
    }

    private static void checkRange(double[] range) {
        if (range == null || range.length != 6)
            throw new IllegalArgumentException("RangeFilter: the range must be [x_min, y_min, z_min, x_max, y_max, z_max], got "
                    + java.util.Arrays.toString(range));
    }
}
