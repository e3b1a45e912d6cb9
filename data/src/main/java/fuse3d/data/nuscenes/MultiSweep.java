package fuse3d.data.nuscenes;

import fuse3d.sparse.bev.Pose;
import fuse3d.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Accumulates a key frame's point cloud with the sweeps before it, as the devkit's
 * {@code PointCloud.from_file_multisweep}: starting at the sample's key frame of {@code channel} and following
 * {@code prev} for up to {@code nsweeps} readings in all, each reading drops points within {@code minDistance} of its
 * sensor (|x| and |y| both below it), is moved into the reference sensor's frame at the key frame's time through the
 * global frame (sensor -> ego at its own time -> global -> ego at the reference time -> reference sensor, so ego
 * motion is compensated), and gets its time lag {@code t_ref - t_sweep} in seconds (0 for the key frame, positive for
 * older sweeps).
 *
 * <p>LiDAR ({@link #lidar}) gives float32 [N, 5]: x, y, z, intensity, time lag (the ring index is dropped as the
 * devkit drops it; mmdetection3d and OpenPCDet put the time lag in that column too). Radar ({@link #radar}) gives
 * [N, 19]: the 18 radar fields, then the time lag; as in the devkit only x, y, z are transformed, velocities stay in
 * their own sensor's frame unless {@code rotateVelocities} is set (then (vx, vy) and (vx_comp, vy_comp) are rotated
 * into the reference frame, as CenterFusion/CRN-style loaders do).
 */
public final class MultiSweep {
    private MultiSweep() {}

    /** The devkit's default minimum distance, metres. */
    public static final double MIN_DISTANCE = 1.0;

    /** LiDAR sweeps of {@code LIDAR_TOP} into the key frame's LIDAR_TOP frame: float32 [N, 5]. */
    public static Tensor lidar(NuScenesTables t, Path dataroot, String sampleToken, int nsweeps) throws IOException {
        return lidar(t, dataroot, sampleToken, "LIDAR_TOP", "LIDAR_TOP", nsweeps, MIN_DISTANCE);
    }

    /** LiDAR sweeps of {@code channel} into {@code refChannel}'s frame at the key frame: float32 [N, 5]. */
    public static Tensor lidar(NuScenesTables t, Path dataroot, String sampleToken, String channel, String refChannel, int nsweeps,
                               double minDistance) throws IOException {
        return accumulate(t, dataroot, sampleToken, channel, refChannel, nsweeps, minDistance, sd -> {
            Tensor p = LidarPointCloud.read(dataroot.resolve(sd.filename()));
            float[] v = p.toFloatArray();
            int n = p.size(0);
            float[] out = new float[n * 4];
            for (int i = 0; i < n; i++) System.arraycopy(v, i * 5, out, i * 4, 4);
            return out;
        }, 4, false);
    }

    /** Radar sweeps of {@code channel} (e.g. RADAR_FRONT) with the devkit's default filters: float32 [N, 19]. */
    public static Tensor radar(NuScenesTables t, Path dataroot, String sampleToken, String channel, String refChannel, int nsweeps,
                               boolean rotateVelocities) throws IOException {
        return radar(t, dataroot, sampleToken, channel, refChannel, nsweeps, MIN_DISTANCE, RadarPointCloud.Filter.defaults(), rotateVelocities);
    }

    /** Radar sweeps with explicit filters and minimum distance: float32 [N, 19]. */
    public static Tensor radar(NuScenesTables t, Path dataroot, String sampleToken, String channel, String refChannel, int nsweeps,
                               double minDistance, RadarPointCloud.Filter filter, boolean rotateVelocities) throws IOException {
        return accumulate(t, dataroot, sampleToken, channel, refChannel, nsweeps, minDistance,
                sd -> RadarPointCloud.read(dataroot.resolve(sd.filename()), filter).toFloatArray(), RadarPointCloud.FIELDS.size(), rotateVelocities);
    }

    @FunctionalInterface
    private interface Loader {
        float[] load(NuScenesTables.SampleData sd) throws IOException;
    }

    private static Tensor accumulate(NuScenesTables t, Path dataroot, String sampleToken, String channel, String refChannel, int nsweeps,
                                     double minDistance, Loader loader, int cols, boolean rotateVelocities) throws IOException {
        if (nsweeps < 1) throw new IllegalArgumentException("MultiSweep: nsweeps must be >= 1, got " + nsweeps);
        NuScenesTables.SampleData ref = t.keyFrame(sampleToken, refChannel);
        // reference sensor <- global at the reference time
        Pose globalToRef = t.sensorPose(ref).sensorToGlobal().inverse();
        double refTime = 1e-6 * ref.timestamp();
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        NuScenesTables.SampleData cur = t.keyFrame(sampleToken, channel);
        for (int k = 0; k < nsweeps; k++) {
            float[] v = loader.load(cur);
            int n = v.length / cols;
            Pose m = t.sensorPose(cur).sensorToGlobal().then(globalToRef);
            double[] r = m.rowMajor();
            float lag = (float) (refTime - 1e-6 * cur.timestamp());
            float[] out = new float[n * (cols + 1)];
            int kept = 0;
            for (int i = 0; i < n; i++) {
                int o = i * cols;
                double x = v[o], y = v[o + 1], z = v[o + 2];
                if (Math.abs(x) < minDistance && Math.abs(y) < minDistance) continue;
                int q = kept * (cols + 1);
                System.arraycopy(v, o, out, q, cols);
                out[q] = (float) (r[0] * x + r[1] * y + r[2] * z + r[3]);
                out[q + 1] = (float) (r[4] * x + r[5] * y + r[6] * z + r[7]);
                out[q + 2] = (float) (r[8] * x + r[9] * y + r[10] * z + r[11]);
                if (rotateVelocities) {
                    for (int c : new int[] {6, 8}) {
                        double vx = v[o + c], vy = v[o + c + 1];
                        out[q + c] = (float) (r[0] * vx + r[1] * vy);
                        out[q + c + 1] = (float) (r[4] * vx + r[5] * vy);
                    }
                }
                out[q + cols] = lag;
                kept++;
            }
            float[] trimmed = java.util.Arrays.copyOf(out, kept * (cols + 1));
            parts.add(trimmed);
            total += kept;
            if (cur.prev().isEmpty()) break;
            cur = t.sampleData(cur.prev());
        }
        float[] all = new float[total * (cols + 1)];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, o, p.length);
            o += p.length;
        }
        return Tensor.of(all, total, cols + 1);
    }
}
