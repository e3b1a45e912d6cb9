package fuse3d.data.synth;

import fuse3d.data.kitti.KittiCalibFiles;
import fuse3d.data.kitti.KittiImages;
import fuse3d.data.kitti.KittiLabels;
import fuse3d.data.kitti.KittiLidar;
import fuse3d.data.kitti.KittiObject;
import fuse3d.data.kitti.KittiSplits;
import fuse3d.data.kitti.RoadPlane;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.sparse.bev.Pose;
import fuse3d.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a synthetic dataset in KITTI's object-detection layout ({@code training/{velodyne,calib,label_2,image_2}}
 * and {@code ImageSets/{train,val,trainval}.txt}) through the real KITTI writers, so that the KITTI readers, the
 * evaluator and training run on it unchanged. Each frame is one {@link SceneGenerator} scene seen by the KITTI
 * rig: an HDL-64E {@link Lidar} 1.73 m above the ground and the left colour {@link Camera} (1242 x 375, P2)
 * 0.27 m ahead of it, with a KITTI-like calibration.
 */
public final class SyntheticKitti {
    private SyntheticKitti() {}

    /** Told after each written frame. */
    @FunctionalInterface
    public interface Progress {
        void frameDone(int done, int total);
    }

    public static final int IMAGE_WIDTH = 1242, IMAGE_HEIGHT = 375;
    /** LiDAR height above the ground on the KITTI car. */
    public static final double LIDAR_HEIGHT = 1.73;
    /** Objects farther than this (camera depth) are written as DontCare, as KITTI annotators skipped them. */
    public static final double MAX_LABEL_DEPTH = 70;
    /** Objects whose visible 2D box is lower than this (pixels) are written as DontCare. */
    public static final double MIN_LABEL_HEIGHT = 18;

    /** One generated frame with everything the checks need: the scene, the sweep, the image, and its labels. */
    public record Frame(Scene scene, KittiCalibration calib, Pose lidarToScene, Lidar.LidarScan scan, Camera.Image image,
                        List<KittiObject> labels, int[] labelObjectIds) {
        /** The sweep as KITTI's velodyne tensor [N, 4]. */
        public Tensor points() { return Tensor.ofFloats(scan.points().clone(), scan.size(), 4); }

        /**
         * The road's plane in the rectified camera frame, as a KITTI {@code planes/} file holds it (normal up, unit
         * length): the scene's road surface (without the raised sidewalks) through the LiDAR and camera poses.
         */
        public RoadPlane roadPlane() {
            Pose sceneToRect = lidarToScene.inverse().then(calib.lidarToRect());
            double[][] xy = {{0, 0}, {20, 0}, {0, 5}};
            double[][] p = new double[3][];
            for (int i = 0; i < 3; i++) p[i] = sceneToRect.apply(xy[i][0], xy[i][1], scene.slopeX() * xy[i][0] + scene.slopeY() * xy[i][1]);
            return RoadPlane.through(p[0], p[1], p[2]);
        }
    }

    /**
     * Writes {@code frames} frames under {@code out} ({@code training/velodyne, calib, label_2, image_2, planes},
     * {@code ImageSets/...}); frame i is
     * named %06d and generated from {@code Lidar.mix(seed, i)}; odd frames go to val, even ones to train.
     */
    public static void write(Path out, int frames, long seed, Progress progress) throws IOException {
        if (frames < 0) throw new IllegalArgumentException("SyntheticKitti.write: frames must be >= 0, got " + frames);
        Path training = out.resolve("training");
        for (String d : List.of("velodyne", "calib", "label_2", "image_2", "planes")) Files.createDirectories(training.resolve(d));
        List<String> train = new ArrayList<>(), val = new ArrayList<>(), all = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            String id = String.format("%06d", i);
            Frame f = frame(Lidar.mix(seed, i));
            KittiLidar.write(training.resolve("velodyne").resolve(id + ".bin"), f.points());
            KittiCalibFiles.write(training.resolve("calib").resolve(id + ".txt"), f.calib());
            KittiLabels.write(training.resolve("label_2").resolve(id + ".txt"), f.labels());
            f.roadPlane().write(training.resolve("planes").resolve(id + ".txt"));
            KittiImages.writeRgb(training.resolve("image_2").resolve(id + ".png"),
                    new KittiImages.RgbImage(f.image().width(), f.image().height(), f.image().rgb()));
            (i % 2 == 0 ? train : val).add(id);
            all.add(id);
            if (progress != null) progress.frameDone(i + 1, frames);
        }
        Path sets = out.resolve("ImageSets");
        Files.createDirectories(sets);
        KittiSplits.write(sets.resolve("train.txt"), train);
        KittiSplits.write(sets.resolve("val.txt"), val);
        KittiSplits.write(sets.resolve("trainval.txt"), all);
    }

    /** The KITTI-like calibration of the synthetic rig, exactly as its calib file reads back. */
    public static KittiCalibration calibration() {
        double f = 721.5377, cu = 609.5593, cv = 172.854;
        double[] p2 = {f, 0, cu, 44.85728, 0, f, cv, 0.2163791, 0, 0, 1, 0}; // no depth offset: an exact pinhole
        double[] p3 = {f, 0, cu, -339.5242, 0, f, cv, 2.199936, 0, 0, 1, 0};
        double[] p0 = {f, 0, cu, 0, 0, f, cv, 0, 0, 0, 1, 0};
        // R0_rect: a small rectifying rotation, as KITTI's (about half a degree)
        Pose r0 = Pose.rotationZ(0.0052).then(rotationX(0.0098)).then(rotationY(-0.0074));
        double[] r = r0.rotation();
        // Tr_velo_to_cam: LiDAR (x fwd, y left, z up) -> camera (x right, y down, z fwd), slightly pitched,
        // camera 0.27 m ahead of and 0.08 m below the LiDAR
        Pose axes = Pose.ofRowMajor(0, -1, 0, 0, 0, 0, -1, 0, 1, 0, 0, 0);
        Pose veloToCam = Pose.rotationZ(0.004).then(axes).then(rotationX(-0.012));
        double[] rv = veloToCam.rotation();
        double[] c = {0.27, 0.0, -0.08}; // camera centre in the LiDAR frame
        double[] t = {-(rv[0] * c[0] + rv[1] * c[1] + rv[2] * c[2]), -(rv[3] * c[0] + rv[4] * c[1] + rv[5] * c[2]),
            -(rv[6] * c[0] + rv[7] * c[1] + rv[8] * c[2])};
        double[] v2c = {rv[0], rv[1], rv[2], t[0], rv[3], rv[4], rv[5], t[1], rv[6], rv[7], rv[8], t[2]};
        double[] imu = {1, 0, 0, -0.81, 0, 1, 0, 0.32, 0, 0, 1, -0.80};
        KittiCalibration full = KittiCalibFiles.of(new double[][] {p0, p0, p2, p3}, r, v2c, imu);
        return KittiCalibration.parse(KittiCalibFiles.format(full), "synthetic calibration");
    }

    private static Pose rotationX(double a) {
        double c = StrictMath.cos(a), s = StrictMath.sin(a);
        return Pose.ofRowMajor(1, 0, 0, 0, 0, c, -s, 0, 0, s, c, 0);
    }

    private static Pose rotationY(double a) {
        double c = StrictMath.cos(a), s = StrictMath.sin(a);
        return Pose.ofRowMajor(c, 0, s, 0, 0, 1, 0, 0, -s, 0, c, 0);
    }

    /** The camera used for KITTI frames (P2's intrinsics, 1242 x 375). */
    public static Camera camera(KittiCalibration calib) {
        double[] p2 = calib.projection(2);
        return new Camera(p2[0], p2[5], p2[2], p2[6], IMAGE_WIDTH, IMAGE_HEIGHT);
    }

    /** Generates one frame (scene, LiDAR sweep, image, labels) from a seed. */
    public static Frame frame(long seed) {
        Scene scene = SceneGenerator.generate(seed);
        KittiCalibration calib = calibration();
        Pose lidarToScene = Pose.translation(0, 0, scene.groundHeight(0, 0) + LIDAR_HEIGHT);
        Lidar.LidarScan scan = Lidar.hdl64e().scan(scene, lidarToScene, Lidar.mix(seed, 17));
        Pose cameraToScene = calib.camera2ToLidar().then(lidarToScene);
        Camera camera = camera(calib);
        Camera.Image image = camera.render(scene, cameraToScene, Lidar.mix(seed, 23));
        List<KittiObject> labels = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        KittiLabeller.label(scene, calib, lidarToScene, camera, cameraToScene, image, labels, ids);
        return new Frame(scene, calib, lidarToScene, scan, image, List.copyOf(labels), ids.stream().mapToInt(Integer::intValue).toArray());
    }
}
