package fuse3d.data.synth;

import fuse3d.sparse.bev.Pose;
import java.util.List;

/**
 * The sensor rig of the synthetic nuScenes car: six cameras and five radars placed on the ego (x forward, y left,
 * z up, origin on the ground below the rear axle) as on the real car, so the synthetic tables look like nuScenes'.
 *
 * <p>Camera positions, yaws and full-resolution intrinsics (1600x900) are rounded from the calibrated_sensor rows
 * of v1.0-mini scene-0061 (the shared sample's mmdetection3d info); pitch and roll (under a degree on the car)
 * are dropped. Radar mounts are approximate (front bumper, the four corners, facing forward, sideways and
 * backwards), as the released calibration places them.
 */
public final class NuScenesRig {
    private NuScenesRig() {}

    /**
     * A camera on the ego: its channel, full-resolution pinhole intrinsics and its yaw on the car (camera axes:
     * x right, y down, z along the yaw).
     */
    public record CameraMount(String channel, double x, double y, double z, double yawDeg, double f, double cu, double cv) {
        /** Full-resolution image size, as the released images. */
        public static final int WIDTH = 1600, HEIGHT = 900;

        /** Camera (x right, y down, z forward) to ego: the camera looks along {@code yawDeg} from the ego's x axis. */
        public Pose toEgo() {
            double a = Math.toRadians(yawDeg), c = Math.cos(a), s = Math.sin(a);
            // columns: camera x -> (s, -c, 0) (right of the view), y -> (0, 0, -1) (down), z -> (c, s, 0) (forward)
            return Pose.ofRotationTranslation(new double[] {s, 0, c, -c, 0, s, 0, -1, 0}, new double[] {x, y, z});
        }

        /**
         * The camera rendering at {@code scale} of the full resolution. Intrinsics scale with the image (f, cu and cv
         * times {@code scale}); the renderer's pixel (col, row) is centred on (u, v) = (col, row).
         */
        public Camera camera(double scale) {
            int w = (int) Math.round(WIDTH * scale), h = (int) Math.round(HEIGHT * scale);
            return new Camera(f * scale, f * scale, cu * scale, cv * scale, w, h);
        }

        /** The 3x3 intrinsic matrix at {@code scale}, as calibrated_sensor.camera_intrinsic. */
        public double[][] intrinsic(double scale) {
            return new double[][] {{f * scale, 0, cu * scale}, {0, f * scale, cv * scale}, {0, 0, 1}};
        }
    }

    /** A radar on the ego: its channel and placement (sensor axes x forward along the yaw, y left, z up). */
    public record RadarMount(String channel, double x, double y, double z, double yawDeg) {
        public Pose toEgo() { return Pose.rotationZ(Math.toRadians(yawDeg)).then(Pose.translation(x, y, z)); }
    }

    /** The six cameras in nuScenes' usual order (the order of mmdetection3d's camera list). */
    public static final List<CameraMount> CAMERAS = List.of(
            new CameraMount("CAM_FRONT", 1.70, 0.016, 1.51, 0, 1266.4, 816.3, 491.5),
            new CameraMount("CAM_FRONT_RIGHT", 1.55, -0.493, 1.50, -56.4, 1260.8, 808.0, 495.3),
            new CameraMount("CAM_BACK_RIGHT", 1.015, -0.481, 1.56, -110.8, 1259.5, 807.3, 501.2),
            new CameraMount("CAM_BACK", 0.028, 0.003, 1.58, 180, 809.2, 829.2, 481.8),
            new CameraMount("CAM_BACK_LEFT", 1.036, 0.485, 1.59, 108.6, 1256.7, 792.1, 492.8),
            new CameraMount("CAM_FRONT_LEFT", 1.524, 0.495, 1.51, 55.2, 1272.6, 826.6, 479.8));

    /** The five radars. */
    public static final List<RadarMount> RADARS = List.of(
            new RadarMount("RADAR_FRONT", 3.412, 0.0, 0.50, 0.0),
            new RadarMount("RADAR_FRONT_LEFT", 2.422, 0.800, 0.78, 88.4),
            new RadarMount("RADAR_FRONT_RIGHT", 2.422, -0.800, 0.77, -91.0),
            new RadarMount("RADAR_BACK_LEFT", -0.562, 0.628, 0.53, 174.4),
            new RadarMount("RADAR_BACK_RIGHT", -0.562, -0.618, 0.53, -176.1));
}
