package fuse3d.models.train;

import fuse3d.data.kitti.KittiObject;
import fuse3d.models.detect.Detections;
import fuse3d.models.detect.FrameInfo;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns LiDAR-frame detections into KITTI label objects and files, as OpenPCDet's KittiDataset
 * generate_prediction_dicts: the camera box from {@link KittiCalibration#boxesLidarToCamera}, the 2D box enclosing
 * the eight projected corners clipped to the image, {@code alpha = -atan2(-y, x) + ry} from the LiDAR centre,
 * truncated and occluded written as -1, and the score; files hold one line per detection with four decimals.
 */
public final class KittiExport {
    private KittiExport() {}

    /** The KITTI objects of one frame's detections, in detection order. */
    public static List<KittiObject> toKitti(Detections d, FrameInfo frame, List<String> classNames) {
        int k = d.count();
        List<KittiObject> out = new ArrayList<>(k);
        if (k == 0) return out;
        KittiCalibration calib = frame.calib();
        if (calib == null) throw new IllegalArgumentException("KittiExport: frame " + frame.frameId() + " has no calibration");
        Tensor lidar = d.boxes().narrow(1, 0, 7).toDouble().contiguous();
        double[] box = lidar.toDoubleArray();
        Tensor camT = calib.boxesLidarToCamera(lidar);
        double[] cam = camT.toDoubleArray();
        int[] hw = frame.imageHeight() > 0 && frame.imageWidth() > 0 ? new int[] {frame.imageHeight(), frame.imageWidth()} : null;
        double[] img = calib.boxesCameraToImageBoxes(camT, hw).toDoubleArray();
        double[] scores = d.scores().toDouble().contiguous().toDoubleArray();
        int[] labels = d.labels().contiguous().toIntArray();
        for (int i = 0; i < k; i++) {
            if (labels[i] < 1 || labels[i] > classNames.size())
                throw new IllegalArgumentException("KittiExport: frame " + frame.frameId() + " detection " + i + " has class id " + labels[i]
                        + ", expected 1.." + classNames.size());
            double ry = cam[i * 7 + 6];
            double alpha = -Math.atan2(-box[i * 7 + 1], box[i * 7]) + ry;
            double[] bbox = {img[i * 4], img[i * 4 + 1], img[i * 4 + 2], img[i * 4 + 3]};
            double[] hwl = {cam[i * 7 + 4], cam[i * 7 + 5], cam[i * 7 + 3]};
            double[] loc = {cam[i * 7], cam[i * 7 + 1], cam[i * 7 + 2]};
            out.add(KittiObject.label(classNames.get(labels[i] - 1), -1, -1, alpha, bbox, hwl, loc, ry).withScore(scores[i]));
        }
        return out;
    }

    /** One detection's line as OpenPCDet writes it: {@code type -1 -1 alpha x1 y1 x2 y2 h w l x y z ry score}, four decimals. */
    public static String line(KittiObject o) {
        return String.format(Locale.ROOT, "%s -1 -1 %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f", o.type(), o.alpha(),
                o.x1(), o.y1(), o.x2(), o.y2(), o.height(), o.width(), o.length(), o.x(), o.y(), o.z(), o.rotationY(),
                o.hasScore() ? o.score() : 1.0);
    }

    /** Writes {@code <dir>/<frameId>.txt} atomically (an empty file for no detections, as the evaluator expects). */
    public static Path write(Path dir, String frameId, List<KittiObject> objects) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (KittiObject o : objects) sb.append(line(o)).append('\n');
        Path file = dir.resolve(frameId + ".txt");
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
        return file;
    }
}
