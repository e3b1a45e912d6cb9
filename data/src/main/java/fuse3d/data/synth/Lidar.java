package fuse3d.data.synth;

import fuse3d.sparse.bev.Pose;
import java.util.stream.IntStream;

/**
 * A spinning multi-beam LiDAR that ray-casts a {@link Scene}: one ray per beam and azimuth step, the first
 * surface hit (so objects occlude what lies behind them), Gaussian range noise clipped at
 * {@link #noiseBound()}, random dropout, no return when the echo (reflectivity times incidence cosine) is too weak
 * for its range, and an intensity in 0..1 from the material and the incidence angle.
 *
 * <p>Deterministic and thread-independent: every per-ray random number is a hash of (seed, beam, azimuth step).
 */
public final class Lidar {
    private final double[] elevations; // radians, one per beam
    private final int azimuthSteps;
    private final double maxRange, minRange, sigma, dropout;

    public Lidar(double[] elevationsDeg, int azimuthSteps, double maxRange, double sigma, double dropout) {
        this.elevations = new double[elevationsDeg.length];
        for (int i = 0; i < elevationsDeg.length; i++) elevations[i] = Math.toRadians(elevationsDeg[i]);
        this.azimuthSteps = azimuthSteps;
        this.maxRange = maxRange;
        this.minRange = 2.0;
        this.sigma = sigma;
        this.dropout = dropout;
    }

    /**
     * A Velodyne HDL-64E as on the KITTI car: 64 beams from +2.0 to -24.33 degrees (upper block of 32 at about
     * 1/3 degree spacing down to -8.33, lower block of 32 at 1/2 degree from -8.83), 0.17 degree azimuth steps
     * (about 2080 per turn, 10 Hz), 120 m range, 1.2 cm range noise, 2 % dropout.
     */
    public static Lidar hdl64e() {
        double[] el = new double[64];
        for (int i = 0; i < 32; i++) el[i] = 2.0 - i * (2.0 + 8.33) / 31;
        for (int i = 0; i < 32; i++) el[32 + i] = -8.83 - i * (24.33 - 8.83) / 31;
        return new Lidar(el, 2083, 120, 0.012, 0.02);
    }

    /**
     * A Velodyne HDL-32E as on the nuScenes car: 32 beams evenly from +10.67 down to -30.67 degrees (1.33 degree
     * spacing), 0.33 degree azimuth steps (1084 per turn at 20 Hz), 70 m range, 1.5 cm range noise (its 3 sigma bound stays inside {@link SceneObject#BOX_MARGIN}), 2 % dropout.
     */
    public static Lidar hdl32e() {
        double[] el = new double[32];
        for (int i = 0; i < 32; i++) el[i] = 10.67 - i * (10.67 + 30.67) / 31;
        return new Lidar(el, 1084, 70, 0.015, 0.02);
    }

    public int beams() { return elevations.length; }

    /** No returned point lies farther than this from the surface its ray hit (3 sigma clipping). */
    public double noiseBound() { return 3 * sigma; }

    /**
     * One turn of the LiDAR mounted at {@code sensorToScene} (x forward, y left, z up).
     *
     * @param seed seeds noise and dropout
     */
    public LidarScan scan(Scene scene, Pose sensorToScene, long seed) {
        int beams = elevations.length;
        double[] rot = sensorToScene.rotation();
        double[] origin = sensorToScene.translationVector();
        // one slot per ray; parallel over azimuth columns, compacted afterwards in (beam, azimuth) order
        float[] raw = new float[beams * azimuthSteps * 4];
        int[] ids = new int[beams * azimuthSteps];
        boolean[] valid = new boolean[beams * azimuthSteps];
        IntStream.range(0, azimuthSteps).parallel().forEach(a -> {
            Hit hit = new Hit();
            double az = Math.PI - 2 * Math.PI * a / azimuthSteps; // starts behind, turns clockwise seen from above
            for (int b = 0; b < beams; b++) {
                double el = elevations[b];
                double lx = Math.cos(el) * Math.cos(az), ly = Math.cos(el) * Math.sin(az), lz = Math.sin(el);
                double dx = rot[0] * lx + rot[1] * ly + rot[2] * lz;
                double dy = rot[3] * lx + rot[4] * ly + rot[5] * lz;
                double dz = rot[6] * lx + rot[7] * ly + rot[8] * lz;
                if (!scene.intersect(origin[0], origin[1], origin[2], dx, dy, dz, minRange, maxRange, hit)) continue;
                int slot = b * azimuthSteps + a;
                long h = mix(seed, slot);
                if (unit(h) < dropout) continue;
                double cos = Math.abs(dx * hit.nx + dy * hit.ny + dz * hit.nz);
                double signal = hit.material.reflectivity * cos;
                double rr = hit.t / 10;
                if (signal < 0.0005 * rr * rr) continue; // echo too weak for its range
                double noise = Math.max(-3, Math.min(3, gaussian(mix(h, 1), mix(h, 2)))) * sigma;
                double range = hit.t + noise;
                int o = slot * 4;
                raw[o] = (float) (range * lx);
                raw[o + 1] = (float) (range * ly);
                raw[o + 2] = (float) (range * lz);
                double intensity = hit.material.reflectivity * (0.35 + 0.65 * cos) + 0.02 * (unit(mix(h, 3)) - 0.5);
                raw[o + 3] = (float) (Math.round(Math.max(0, Math.min(1, intensity)) * 100) / 100.0); // KITTI's 0.01 steps
                ids[slot] = hit.objectId;
                valid[slot] = true;
            }
        });
        int n = 0;
        for (boolean v : valid) if (v) n++;
        float[] pts = new float[n * 4];
        int[] objectIds = new int[n], ring = new int[n];
        int k = 0;
        for (int s = 0; s < valid.length; s++) {
            if (!valid[s]) continue;
            System.arraycopy(raw, s * 4, pts, k * 4, 4);
            objectIds[k] = ids[s];
            ring[k] = s / azimuthSteps;
            k++;
        }
        return new LidarScan(pts, objectIds, ring);
    }

    /** splitmix64 of (a, b): a well-mixed 64-bit hash. */
    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform double in [0, 1) from a hash. */
    static double unit(long h) { return (h >>> 11) * 0x1.0p-53; }

    static double gaussian(long h1, long h2) {
        double u1 = Math.max(unit(h1), 1e-300), u2 = unit(h2);
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * A LiDAR sweep in the sensor frame.
     *
     * @param points    [N * 4] x, y, z, intensity
     * @param objectIds [N] the {@link SceneObject} id each point lies on, -1 for the ground
     * @param ring      [N] the beam index (0 = top beam)
     */
    public record LidarScan(float[] points, int[] objectIds, int[] ring) {
        public int size() { return objectIds.length; }
    }
}
