package fuse3d.sparse.bev;

import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A KITTI object-detection calibration file ({@code calib/000000.txt}) and the frame changes it defines, with
 * OpenPCDet's semantics (pcdet/utils/calibration_kitti.py and box_utils.py): LiDAR (x forward, y left, z up),
 * the rectified camera frame (x right, y down, z forward) and pixel coordinates of the left colour camera (P2).
 *
 * <p>Arithmetic is float64 (OpenPCDet reads the file as float32; results agree to float32 rounding). Tensors
 * come back in the input's dtype.
 */
public final class KittiCalibration {
    private final double[][] p;      // P0..P3, each 3x4 row-major; null where the file has none (P2 is required)
    private final double[] r0;       // R0_rect, 3x3 row-major
    private final double[] veloToCam; // Tr_velo_to_cam, 3x4 row-major
    private final double[] imuToVelo; // Tr_imu_to_velo, 3x4 row-major, or null
    private final Pose lidarToRect;
    private final Pose rectToLidar;
    // OpenPCDet's names: principal point (cu, cv), focal lengths (fu, fv) and P2's baseline offset (tx, ty) in metres
    private final double cu, cv, fu, fv, tx, ty;

    private KittiCalibration(double[][] p, double[] r0, double[] veloToCam, double[] imuToVelo) {
        this.p = p;
        this.r0 = r0;
        this.veloToCam = veloToCam;
        this.imuToVelo = imuToVelo;
        Pose rect = Pose.ofRowMajor(r0[0], r0[1], r0[2], 0, r0[3], r0[4], r0[5], 0, r0[6], r0[7], r0[8], 0);
        this.lidarToRect = Pose.ofRowMajor(veloToCam).then(rect);
        this.rectToLidar = lidarToRect.inverse();
        double[] p2 = p[2];
        cu = p2[2];
        cv = p2[6];
        fu = p2[0];
        fv = p2[5];
        if (fu == 0 || fv == 0) throw new IllegalArgumentException("KittiCalibration: P2 has a zero focal length: fu=" + fu + " fv=" + fv);
        tx = p2[3] / -fu;
        ty = p2[7] / -fv;
    }

    /** From matrices (row-major): P2 3x4, R0_rect 3x3, Tr_velo_to_cam 3x4. */
    public static KittiCalibration of(double[] p2, double[] r0Rect, double[] trVeloToCam) {
        check("P2", p2, 12, "arguments");
        check("R0_rect", r0Rect, 9, "arguments");
        check("Tr_velo_to_cam", trVeloToCam, 12, "arguments");
        return new KittiCalibration(new double[][] {null, null, p2.clone(), null}, r0Rect.clone(), trVeloToCam.clone(), null);
    }

    /** Reads a calibration file; a malformed one gives an error naming the file and the line. */
    public static KittiCalibration read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * Parses the text of a calibration file: lines {@code KEY: v1 v2 ...}, keys P0..P3 (12 values), R0_rect (9),
     * Tr_velo_to_cam (12) and Tr_imu_to_velo (12); blank lines are skipped and other keys ignored. P2, R0_rect
     * and Tr_velo_to_cam are required.
     *
     * @param source the file name for error messages
     */
    public static KittiCalibration parse(String text, String source) {
        Map<String, Integer> sizes = Map.of("P0", 12, "P1", 12, "P2", 12, "P3", 12, "R0_rect", 9, "Tr_velo_to_cam", 12, "Tr_imu_to_velo", 12);
        Map<String, double[]> values = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int ln = 0; ln < lines.length; ln++) {
            String line = lines[ln].strip();
            if (line.isEmpty()) continue;
            String where = source + " line " + (ln + 1);
            int colon = line.indexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("KITTI calib " + where + ": expected 'KEY: values', got '" + abbreviate(line) + "'");
            String key = line.substring(0, colon).strip();
            Integer size = sizes.get(key);
            if (size == null) continue; // e.g. a future key: the known ones are all we need
            if (values.containsKey(key)) throw new IllegalArgumentException("KITTI calib " + where + ": " + key + " appears twice");
            String rest = line.substring(colon + 1).strip();
            String[] tokens = rest.isEmpty() ? new String[0] : rest.split("\\s+");
            if (tokens.length != size)
                throw new IllegalArgumentException("KITTI calib " + where + ": " + key + " needs " + size + " numbers, got " + tokens.length);
            double[] v = new double[size];
            for (int i = 0; i < size; i++) {
                try {
                    v[i] = Double.parseDouble(tokens[i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("KITTI calib " + where + ": " + key + " value " + (i + 1) + " '" + abbreviate(tokens[i])
                            + "' is not a number", e);
                }
                if (!Double.isFinite(v[i]))
                    throw new IllegalArgumentException("KITTI calib " + where + ": " + key + " value " + (i + 1) + " is " + tokens[i]);
            }
            values.put(key, v);
        }
        for (String req : new String[] {"P2", "R0_rect", "Tr_velo_to_cam"})
            if (!values.containsKey(req)) throw new IllegalArgumentException("KITTI calib " + source + ": missing " + req + " (has " + values.keySet() + ")");
        double[][] p = {values.get("P0"), values.get("P1"), values.get("P2"), values.get("P3")};
        return new KittiCalibration(p, values.get("R0_rect"), values.get("Tr_velo_to_cam"), values.get("Tr_imu_to_velo"));
    }

    private static void check(String name, double[] v, int n, String source) {
        if (v == null || v.length != n) throw new IllegalArgumentException("KittiCalibration " + source + ": " + name + " needs " + n + " values");
        for (double x : v) if (!Double.isFinite(x)) throw new IllegalArgumentException("KittiCalibration " + source + ": " + name + " has a non-finite value");
    }

    private static String abbreviate(String s) { return s.length() > 60 ? s.substring(0, 57) + "..." : s; }

    // ------------------------------------------------------------------ matrices

    /** Projection matrix Pi (i = 0..3) of the rectified camera i, 3x4 row-major; P2 is the left colour camera. */
    public double[] projection(int camera) {
        if (camera < 0 || camera > 3) throw new IllegalArgumentException("KittiCalibration.projection: camera " + camera + " is not in 0..3");
        if (p[camera] == null) throw new IllegalStateException("KittiCalibration.projection: the file has no P" + camera);
        return p[camera].clone();
    }

    /** R0_rect, 3x3 row-major. */
    public double[] r0Rect() { return r0.clone(); }

    /** Tr_velo_to_cam, 3x4 row-major. */
    public double[] trVeloToCam() { return veloToCam.clone(); }

    /** Tr_imu_to_velo as a pose, or null when the file has none. */
    public Pose imuToLidar() { return imuToVelo == null ? null : Pose.ofRowMajor(imuToVelo); }

    /** LiDAR to rectified camera: {@code R0_rect * Tr_velo_to_cam}. */
    public Pose lidarToRect() { return lidarToRect; }

    /** Rectified camera to LiDAR (the inverse). */
    public Pose rectToLidar() { return rectToLidar; }

    /** The pinhole matrix of P2 (its left 3x3). */
    public CameraIntrinsics intrinsics() { return CameraIntrinsics.ofRowMajor(p[2]); }

    /**
     * The frame of camera 2 itself (rectified axes, origin at the centre implied by P2's baseline column) to LiDAR;
     * with {@link #intrinsics()} it gives the (extrinsic, intrinsic) pair a Lift-Splat-Shoot geometry needs, and
     * {@code intrinsics().unproject(u, v, d)} mapped by it equals OpenPCDet's img_to_rect followed by rect_to_lidar.
     */
    public Pose camera2ToLidar() { return Pose.translation(tx, ty, 0).then(rectToLidar); }

    // ------------------------------------------------------------------ points

    /** LiDAR points [N, >=3] to rectified camera coordinates (extra columns copied). */
    public Tensor lidarToRect(Tensor pointsLidar) { return lidarToRect.apply(pointsLidar); }

    /** Rectified camera points [N, >=3] to LiDAR coordinates. */
    public Tensor rectToLidar(Tensor pointsRect) { return rectToLidar.apply(pointsRect); }

    /**
     * Rectified points [N, 3] to pixels: {@code uv = (P2 [x y z 1]^T)[0:2] / z} and the depth z, as OpenPCDet's
     * rect_to_img (it divides by the rectified z, not by the third homogeneous coordinate, so that
     * {@link #imageToRect} is its exact inverse). Returns [N, 3]: u, v, depth; z <= 0 gives non-finite or mirrored
     * pixels, which the caller filters by depth.
     */
    public Tensor rectToImage(Tensor pointsRect) {
        requirePoints("rectToImage", pointsRect, 3);
        double[] in = pointsRect.contiguous().toDoubleArray();
        int cols = pointsRect.size(-1), n = in.length / cols;
        double[] p2 = p[2];
        double[] out = new double[n * 3];
        for (int i = 0; i < n; i++) {
            double x = in[i * cols], y = in[i * cols + 1], z = in[i * cols + 2];
            out[i * 3] = (p2[0] * x + p2[1] * y + p2[2] * z + p2[3]) / z;
            out[i * 3 + 1] = (p2[4] * x + p2[5] * y + p2[6] * z + p2[7]) / z;
            out[i * 3 + 2] = p2[8] * x + p2[9] * y + p2[10] * z; // P2's last row is [0 0 1 t]: minus t, this is z
        }
        return like(out, pointsRect.dtype(), n, 3);
    }

    /** LiDAR points [N, >=3] to pixels and rectified depth [N, 3] (u, v, depth). */
    public Tensor lidarToImage(Tensor pointsLidar) { return rectToImage(lidarToRect(pointsLidar).narrow(-1, 0, 3)); }

    /** Pixels with depth [N, 3] (u, v, rectified depth) back to rectified camera points [N, 3] (OpenPCDet's img_to_rect). */
    public Tensor imageToRect(Tensor uvDepth) {
        requirePoints("imageToRect", uvDepth, 3);
        double[] in = uvDepth.contiguous().toDoubleArray();
        int cols = uvDepth.size(-1), n = in.length / cols;
        double[] out = new double[n * 3];
        for (int i = 0; i < n; i++) {
            double u = in[i * cols], v = in[i * cols + 1], d = in[i * cols + 2];
            out[i * 3] = (u - cu) * d / fu + tx;
            out[i * 3 + 1] = (v - cv) * d / fv + ty;
            out[i * 3 + 2] = d;
        }
        return like(out, uvDepth.dtype(), n, 3);
    }

    // ------------------------------------------------------------------ boxes

    /**
     * LiDAR boxes [N, >=7] (x, y, z, dx, dy, dz, heading; z at the box centre) to KITTI camera boxes [N, 7]
     * (x, y, z, l, h, w, ry in the rectified frame, y at the bottom face centre), as OpenPCDet's
     * boxes3d_lidar_to_kitti_camera: the centre drops by dz / 2 to the bottom face, l = dx, h = dz, w = dy and
     * {@code ry = -heading - pi / 2} (not wrapped). Columns after the seventh (velocities) are dropped.
     */
    public Tensor boxesLidarToCamera(Tensor boxesLidar) {
        requirePoints("boxesLidarToCamera", boxesLidar, 7);
        double[] in = boxesLidar.contiguous().toDoubleArray();
        int cols = boxesLidar.size(-1), n = in.length / cols;
        double[] out = new double[n * 7];
        for (int i = 0; i < n; i++) {
            int o = i * cols;
            double dx = in[o + 3], dy = in[o + 4], dz = in[o + 5];
            double[] c = lidarToRect.apply(in[o], in[o + 1], in[o + 2] - dz / 2);
            out[i * 7] = c[0];
            out[i * 7 + 1] = c[1];
            out[i * 7 + 2] = c[2];
            out[i * 7 + 3] = dx;
            out[i * 7 + 4] = dz;
            out[i * 7 + 5] = dy;
            out[i * 7 + 6] = -in[o + 6] - Math.PI / 2;
        }
        return like(out, boxesLidar.dtype(), n, 7);
    }

    /**
     * KITTI camera boxes [N, 7] (x, y, z, l, h, w, ry; bottom centre, as in label_2 files after reordering
     * h w l -> l h w) to LiDAR boxes [N, 7], as OpenPCDet's boxes3d_kitti_camera_to_lidar: the centre rises by
     * h / 2 in LiDAR z, (dx, dy, dz) = (l, w, h) and {@code heading = -(ry + pi / 2)}.
     */
    public Tensor boxesCameraToLidar(Tensor boxesCamera) {
        requirePoints("boxesCameraToLidar", boxesCamera, 7);
        double[] in = boxesCamera.contiguous().toDoubleArray();
        int cols = boxesCamera.size(-1), n = in.length / cols;
        double[] out = new double[n * 7];
        for (int i = 0; i < n; i++) {
            int o = i * cols;
            double l = in[o + 3], h = in[o + 4], w = in[o + 5];
            double[] c = rectToLidar.apply(in[o], in[o + 1], in[o + 2]);
            out[i * 7] = c[0];
            out[i * 7 + 1] = c[1];
            out[i * 7 + 2] = c[2] + h / 2;
            out[i * 7 + 3] = l;
            out[i * 7 + 4] = w;
            out[i * 7 + 5] = h;
            out[i * 7 + 6] = -(in[o + 6] + Math.PI / 2);
        }
        return like(out, boxesCamera.dtype(), n, 7);
    }

    /**
     * The eight corners [N, 8, 3] of KITTI camera boxes [N, 7] in the rectified frame, bottom-centred, in
     * OpenPCDet's order (boxes3d_to_corners3d_kitti_camera: 0-3 the bottom face, 4-7 the top face, y up is -h).
     */
    public static Tensor cameraBoxCorners(Tensor boxesCamera) {
        requirePoints("cameraBoxCorners", boxesCamera, 7);
        double[] in = boxesCamera.contiguous().toDoubleArray();
        int cols = boxesCamera.size(-1), n = in.length / cols;
        double[] sx = {0.5, 0.5, -0.5, -0.5, 0.5, 0.5, -0.5, -0.5};
        double[] sz = {0.5, -0.5, -0.5, 0.5, 0.5, -0.5, -0.5, 0.5};
        double[] out = new double[n * 24];
        for (int i = 0; i < n; i++) {
            int o = i * cols;
            double l = in[o + 3], h = in[o + 4], w = in[o + 5], ry = in[o + 6];
            double c = Math.cos(ry), s = Math.sin(ry);
            for (int k = 0; k < 8; k++) {
                double x = sx[k] * l, y = k < 4 ? 0 : -h, z = sz[k] * w;
                // the row vector [x y z] times KITTI's rotation about y: [[c, 0, -s], [0, 1, 0], [s, 0, c]]
                int q = (i * 8 + k) * 3;
                out[q] = x * c + z * s + in[o];
                out[q + 1] = y + in[o + 1];
                out[q + 2] = -x * s + z * c + in[o + 2];
            }
        }
        return like(out, boxesCamera.dtype(), n, 8, 3);
    }

    /**
     * Image boxes [N, 4] (x1, y1, x2, y2) enclosing the projected corners of KITTI camera boxes [N, 7], as
     * OpenPCDet's boxes3d_kitti_camera_to_imageboxes; with {@code imageHeightWidth} non-null each coordinate is
     * clipped to [0, W - 1] / [0, H - 1].
     */
    public Tensor boxesCameraToImageBoxes(Tensor boxesCamera, int[] imageHeightWidth) {
        if (imageHeightWidth != null && imageHeightWidth.length != 2)
            throw new IllegalArgumentException("boxesCameraToImageBoxes: image shape must be (height, width)");
        int n = boxesCamera.size(0);
        double[] uv = rectToImage(cameraBoxCorners(boxesCamera).reshape(n * 8, 3).to(DType.FLOAT64)).toDoubleArray();
        double[] out = new double[n * 4];
        for (int i = 0; i < n; i++) {
            double x1 = Double.POSITIVE_INFINITY, y1 = Double.POSITIVE_INFINITY, x2 = Double.NEGATIVE_INFINITY, y2 = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 8; k++) {
                double u = uv[(i * 8 + k) * 3], v = uv[(i * 8 + k) * 3 + 1];
                x1 = Math.min(x1, u);
                y1 = Math.min(y1, v);
                x2 = Math.max(x2, u);
                y2 = Math.max(y2, v);
            }
            if (imageHeightWidth != null) {
                double hm = imageHeightWidth[0] - 1, wm = imageHeightWidth[1] - 1;
                x1 = Math.clamp(x1, 0, wm);
                x2 = Math.clamp(x2, 0, wm);
                y1 = Math.clamp(y1, 0, hm);
                y2 = Math.clamp(y2, 0, hm);
            }
            out[i * 4] = x1;
            out[i * 4 + 1] = y1;
            out[i * 4 + 2] = x2;
            out[i * 4 + 3] = y2;
        }
        return like(out, boxesCamera.dtype(), n, 4);
    }

    private static void requirePoints(String op, Tensor t, int minCols) {
        if (t.dim() != 2 || t.size(1) < minCols || !t.dtype().isFloating())
            throw new IllegalArgumentException("KittiCalibration." + op + ": expected floating [N, >=" + minCols + "], got "
                    + t.dtype().torchName() + " " + Shape.str(t.shape()));
    }

    private static Tensor like(double[] data, DType dtype, int... shape) {
        Tensor t = Tensor.of(data, shape);
        return dtype == DType.FLOAT64 ? t : t.to(dtype);
    }
}
