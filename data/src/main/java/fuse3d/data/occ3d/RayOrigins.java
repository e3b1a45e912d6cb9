package fuse3d.data.occ3d;

import fuse3d.sparse.bev.SensorPose;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where RayIoU's virtual LiDAR stands for each sample: the LiDAR positions of the scene's keyframes, past and
 * future, expressed in the sample's ego frame, as SparseOcc's {@code EgoPoseDataset} chooses them.
 *
 * <p>For reference keyframe {@code r} of a scene and every keyframe {@code t} of the same scene (in time
 * order, {@code r} included): the origin of LiDAR {@code t} is mapped through the global frame into LiDAR
 * {@code r}'s frame (rounded to float32 there, as the official code stores it), then into {@code r}'s ego
 * frame; it is kept when {@code |x| < 39} and {@code |y| < 39} m. When more than 8 remain, 8 are picked at
 * {@code round(linspace(0, n - 1, 8))}. The reference frame's own origin is therefore its LiDAR's mounting
 * position in the ego frame.
 *
 * <p>Without pose tables (no nuScenes dataroot), {@link #currentFrameOnly()} stands each sample's LiDAR at
 * the nuScenes LIDAR_TOP mounting position that SparseOcc's code records, {@code (0.9858, 0, 1.8402)} m in the
 * ego frame, and casts from there alone. That is the official ray set at the current time step only, so
 * its RayIoU is close to, but not the same number as, the 8-origin benchmark value.
 */
public final class RayOrigins {
    private RayOrigins() {}

    /** The nuScenes LIDAR_TOP position in the ego frame, as SparseOcc's ray_metrics.py notes it. */
    public static final double[] NUSCENES_LIDAR_IN_EGO = {0.9858, 0.0, 1.8402};

    /** Origins farther than this from the ego (in x or y, metres) are dropped: their rays would start outside. */
    public static final double MAX_ABS_XY = 39.0;

    /** At most this many origins per sample. */
    public static final int MAX_ORIGINS = 8;

    /** The origins of one sample, in metres in its ego frame. */
    @FunctionalInterface
    public interface Source {
        List<double[]> origins(Occ3dTree.Sample sample);
    }

    /** Every sample casts from {@link #NUSCENES_LIDAR_IN_EGO} only (no pose tables at hand). */
    public static Source currentFrameOnly() {
        List<double[]> one = List.of(NUSCENES_LIDAR_IN_EGO.clone());
        return sample -> one;
    }

    /** Origins looked up by sample token; a sample missing from {@code byToken} is an error. */
    public static Source byToken(Map<String, List<double[]>> byToken) {
        Map<String, List<double[]>> copy = Map.copyOf(byToken);
        return sample -> {
            List<double[]> o = copy.get(sample.token());
            if (o == null)
                throw new IllegalArgumentException("RayOrigins: no ray origins for sample " + sample.scene() + "/" + sample.token()
                        + " (is it in the pose tables of the split being evaluated?)");
            return o;
        };
    }

    /**
     * The origins of every keyframe of one scene, keyed by token: {@code tokens} and {@code lidarPoses} (each
     * keyframe's LIDAR_TOP calibration and ego pose) in time order.
     */
    public static Map<String, List<double[]>> forScene(List<String> tokens, List<SensorPose> lidarPoses) {
        if (tokens.size() != lidarPoses.size())
            throw new IllegalArgumentException("RayOrigins.forScene: " + tokens.size() + " tokens but " + lidarPoses.size() + " poses");
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        for (int r = 0; r < tokens.size(); r++) out.put(tokens.get(r), forFrame(lidarPoses, r));
        return out;
    }

    /** The origins of keyframe {@code ref} of a scene whose keyframes' LiDAR poses are {@code lidarPoses}, in order. */
    public static List<double[]> forFrame(List<SensorPose> lidarPoses, int ref) {
        Objects.checkIndex(ref, lidarPoses.size());
        SensorPose r = lidarPoses.get(ref);
        List<double[]> kept = new ArrayList<>();
        for (int t = 0; t < lidarPoses.size(); t++) {
            double[] inRefLidar = {0, 0, 0};
            if (t != ref) {
                double[] p = lidarPoses.get(t).to(r).apply(0, 0, 0);
                for (int k = 0; k < 3; k++) inRefLidar[k] = (float) p[k]; // the official code keeps this step in float32
            }
            double[] o = r.sensorToEgo().apply(inRefLidar[0], inRefLidar[1], inRefLidar[2]);
            if (Math.abs(o[0]) < MAX_ABS_XY && Math.abs(o[1]) < MAX_ABS_XY) kept.add(o);
        }
        return select(kept);
    }

    /** Up to {@link #MAX_ORIGINS}, evenly spread: indices {@code round(linspace(0, n - 1, 8))}, ties to even. */
    static <T> List<T> select(List<T> all) {
        int n = all.size();
        if (n <= MAX_ORIGINS) return all;
        List<T> out = new ArrayList<>(MAX_ORIGINS);
        double step = (n - 1) / (double) (MAX_ORIGINS - 1);
        for (int i = 0; i < MAX_ORIGINS; i++) {
            double v = i == MAX_ORIGINS - 1 ? n - 1 : i * step; // numpy's linspace pins the end point
            out.add(all.get((int) Math.rint(v)));
        }
        return out;
    }
}
