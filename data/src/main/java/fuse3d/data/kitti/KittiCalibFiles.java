package fuse3d.data.kitti;

import fuse3d.sparse.bev.KittiCalibration;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads and writes calib/*.txt. Parsing and every frame change belong to {@link KittiCalibration} (sparse
 * module); this class adds writing in KITTI's own layout (P0..P3, R0_rect, Tr_velo_to_cam, Tr_imu_to_velo, each
 * value as {@code %.12e}) and turns parse errors into {@link KittiFormatException}.
 */
public final class KittiCalibFiles {
    private KittiCalibFiles() {}

    public static KittiCalibration read(Path file) throws IOException {
        String text = KittiFiles.readText(file);
        try {
            return KittiCalibration.parse(text, String.valueOf(file));
        } catch (IllegalArgumentException e) {
            // KittiCalibration's message already reads "KITTI calib <file> line N: ..."
            throw new KittiFormatException(String.valueOf(file), null, e.getMessage(), e);
        }
    }

    /**
     * A calibration from its matrices (row-major; P0, P1, P3 and Tr_imu_to_velo may be null), exactly: the values
     * are handed over in full precision.
     */
    public static KittiCalibration of(double[][] p0to3, double[] r0Rect, double[] trVeloToCam, double[] trImuToVelo) {
        return KittiCalibration.parse(format(p0to3, r0Rect, trVeloToCam, trImuToVelo, false), "KittiCalibFiles.of");
    }

    /** Writes a calibration file (KITTI's layout), atomically. Matrices the calibration lacks are left out. */
    public static void write(Path file, KittiCalibration calib) throws IOException {
        KittiFiles.writeText(file, format(calib));
    }

    /** The text of a calibration file in KITTI's layout. */
    public static String format(KittiCalibration calib) {
        double[][] p = new double[4][];
        for (int i = 0; i < 4; i++) {
            try {
                p[i] = calib.projection(i);
            } catch (IllegalStateException absent) {
                p[i] = null; // the file it came from had no Pi
            }
        }
        double[] imu = calib.imuToLidar() == null ? null : java.util.Arrays.copyOf(calib.imuToLidar().rowMajor(), 12);
        return format(p, calib.r0Rect(), calib.trVeloToCam(), imu, true);
    }

    private static String format(double[][] p, double[] r0, double[] v2c, double[] imu, boolean kittiStyle) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) if (p[i] != null) line(sb, "P" + i, p[i], 12, kittiStyle);
        line(sb, "R0_rect", r0, 9, kittiStyle);
        line(sb, "Tr_velo_to_cam", v2c, 12, kittiStyle);
        if (imu != null) line(sb, "Tr_imu_to_velo", imu, 12, kittiStyle);
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, double[] v, int n, boolean kittiStyle) {
        if (v == null || v.length != n) throw new IllegalArgumentException("KittiCalibFiles: " + key + " needs " + n + " values");
        sb.append(key).append(':');
        for (double x : v) sb.append(' ').append(kittiStyle ? String.format(Locale.ROOT, "%.12e", x) : Double.toString(x));
        sb.append('\n');
    }
}
