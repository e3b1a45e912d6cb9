package fuse3d.data.viz;

import fuse3d.data.kitti.KittiObject;
import fuse3d.data.nuscenes.DetectionBox;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.tensor.Tensor;

/**
 * A box as the bird's-eye view draws it: centre (x, y) in metres in the picture's frame (LiDAR or ego: x forward,
 * y left), length along the heading, width across it, heading {@code yaw} (radians, counter-clockwise from +x),
 * a class {@code label} and a {@code score} (NaN for ground truth).
 */
public record BevBox(double x, double y, double length, double width, double yaw, String label, double score) {

    /** A GT box (no score). */
    public static BevBox gt(double x, double y, double length, double width, double yaw, String label) {
        return new BevBox(x, y, length, width, yaw, label, Double.NaN);
    }

    public boolean hasScore() { return !Double.isNaN(score); }

    /** The four corners (x, y) in order front-left, front-right, rear-right, rear-left. */
    public double[][] corners() {
        double c = Math.cos(yaw), s = Math.sin(yaw), hl = length / 2, hw = width / 2;
        double[][] local = {{hl, hw}, {hl, -hw}, {-hl, -hw}, {-hl, hw}};
        double[][] out = new double[4][];
        for (int i = 0; i < 4; i++) out[i] = new double[] {x + c * local[i][0] - s * local[i][1], y + s * local[i][0] + c * local[i][1]};
        return out;
    }

    /**
     * A KITTI label or detection in the LiDAR frame, through the calibration's camera-to-LiDAR box conversion
     * (OpenPCDet's: heading = -(ry + pi/2), dx = l, dy = w).
     */
    public static BevBox ofKitti(KittiObject o, KittiCalibration calib) {
        double[] b = calib.boxesCameraToLidar(Tensor.of(o.cameraBox(), 1, 7)).toDoubleArray();
        return new BevBox(b[0], b[1], b[3], b[4], b[6], o.type(), o.score());
    }

    /**
     * A nuScenes box (global frame) in the frame of an ego pose given by its global position and yaw: translated
     * by {@code -egoXy} and turned by {@code -egoYaw}. The devkit's size is (width, length, height).
     */
    public static BevBox ofNuScenes(DetectionBox b, double[] egoXy, double egoYaw) {
        double dx = b.translation()[0] - egoXy[0], dy = b.translation()[1] - egoXy[1];
        double c = Math.cos(-egoYaw), s = Math.sin(-egoYaw);
        double score = b.detectionScore() < 0 ? Double.NaN : b.detectionScore();
        return new BevBox(c * dx - s * dy, s * dx + c * dy, b.size()[1], b.size()[0], b.yaw() - egoYaw, b.detectionName(), score);
    }
}
