package fuse3d.data.synth;

import fuse3d.sparse.bev.Pose;
import java.util.stream.IntStream;

/**
 * A spinning multi-beam LiDAR that ray-casts a {@link Scene}: one ray per beam and azimuth step, the first
 * surface hit (so objects occlude what lies behind them), Gaussian range noise clipped at {@link #noiseBound()},
 * and an intensity in 0..1 from the material and the incidence angle.
 *
 * <p>Which rays return follows the echo a real unit measures, so that objects get about the points of real frames
 * (see {@code LidarDensityRealTest}): the echo is {@code gain(beam) * reflectivity * sqrt(cos(incidence)) / range^2}
 * (the square root, not Lambert's cosine: road and paint are rough and scatter back even at grazing angles, as the
 * dense ground rings of real scans show), and a ray returns with probability
 * {@code 1 / (1 + (echoThreshold / echo)^2)}, a soft detection threshold, times one minus its beam's dropout. Dark,
 * far and grazing surfaces therefore thin out; each beam has its own gain (0.75..1.25) and dropout (0.5..1.5 times
 * the nominal), fixed per sensor model, as the lasers of a real unit differ.
 *
 * <p>Deterministic and thread-independent: every per-ray random number is a hash of (seed, beam, azimuth step).
 */
public final class Lidar {
    private final double[] elevations; // radians, one per beam
    private final double[] beamGain, beamDropout;
    private final int azimuthSteps;
    private final double maxRange, minRange, sigma, echoThreshold;

    /**
     * @param dropout       the nominal share of rays lost whatever they hit (each beam draws 0.5..1.5 times it)
     * @param echoThreshold the echo (gain x reflectivity x sqrt(cos) / range^2, range in metres) returned half the time
     */
    public Lidar(double[] elevationsDeg, int azimuthSteps, double maxRange, double sigma, double dropout, double echoThreshold) {
        this.elevations = new double[elevationsDeg.length];
        for (int i = 0; i < elevationsDeg.length; i++) elevations[i] = Math.toRadians(elevationsDeg[i]);
        this.azimuthSteps = azimuthSteps;
        this.maxRange = maxRange;
        this.minRange = 2.0;
        this.sigma = sigma;
        this.echoThreshold = echoThreshold;
        beamGain = new double[elevations.length];
        beamDropout = new double[elevations.length];
        for (int b = 0; b < elevations.length; b++) {
            beamGain[b] = 0.75 + 0.5 * unit(mix(0x5EED_BEA7L, 2L * b));
            beamDropout[b] = dropout * (0.5 + unit(mix(0x5EED_BEA7L, 2L * b + 1)));
        }
    }

    /**
     * A Velodyne HDL-64E as on the KITTI car: 64 beams from +2.0 to -24.33 degrees (upper block of 32 at about
     * 1/3 degree spacing down to -8.33, lower block of 32 at 1/2 degree from -8.83), 0.17 degree azimuth steps
     * (about 2080 per turn at 10 Hz: its 1.3 M points/s over 64 beams; the real frames' neighbouring points on a ring
     * lie a median 0.18 degrees apart), 120 m range, 1.2 cm range noise, 2 % nominal dropout, and an echo threshold
     * that leaves a mid-grey car side about half its returns at 55 m, as the real frames have them.
     */
    public static Lidar hdl64e() {
        double[] el = new double[64];
        for (int i = 0; i < 32; i++) el[i] = 2.0 - i * (2.0 + 8.33) / 31;
        for (int i = 0; i < 32; i++) el[32 + i] = -8.83 - i * (24.33 - 8.83) / 31;
        return new Lidar(el, 2083, 120, 0.012, 0.02, ECHO_64);
    }

    /** Echo thresholds of the two units (see the class comment): the HDL-32E's shorter-ranged lasers need more. */
    static final double ECHO_64 = 3e-5, ECHO_32 = 5e-5;

    /**
     * A Velodyne HDL-32E as on the nuScenes car: 32 beams evenly from +10.67 down to -30.67 degrees (1.33 degree
     * spacing), 0.33 degree azimuth steps (1084 per turn at 20 Hz), 70 m range, 1.5 cm range noise (its 3 sigma bound
     * stays inside {@link SceneObject#BOX_MARGIN}), 2 % nominal dropout, and a higher echo threshold than the
     * HDL-64E's (its rated range is 70 m, not 120 m).
     */
    public static Lidar hdl32e() {
        double[] el = new double[32];
        for (int i = 0; i < 32; i++) el[i] = 10.67 - i * (10.67 + 30.67) / 31;
        return new Lidar(el, 1084, 70, 0.015, 0.02, ECHO_32);
    }

    /** The probability that a ray of {@code beam} returns from a surface of {@code reflectivity} at {@code range} and incidence cosine {@code cos}. */
    public double returnProbability(int beam, double reflectivity, double cos, double range) {
        double echo = beamGain[beam] * reflectivity * Math.sqrt(Math.max(0, cos)) / (range * range);
        if (!(echo > 0)) return 0;
        double q = echoThreshold / echo;
        return (1 - beamDropout[beam]) / (1 + q * q);
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
                double cos = Math.abs(dx * hit.nx + dy * hit.ny + dz * hit.nz);
                if (unit(h) >= returnProbability(b, hit.material.reflectivity, cos, hit.t)) continue;
                double noise = Math.max(-3, Math.min(3, gaussian(mix(h, 1), mix(h, 2)))) * sigma;
                double range = hit.t + noise;
                int o = slot * 4;
                raw[o] = (float) (range * lx);
                raw[o + 1] = (float) (range * ly);
                raw[o + 2] = (float) (range * lz);
                double intensity = hit.material.intensity(cos) + 0.04 * (unit(mix(h, 3)) - 0.5);
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
