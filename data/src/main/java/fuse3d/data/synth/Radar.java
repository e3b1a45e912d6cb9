package fuse3d.data.synth;

import fuse3d.sparse.bev.Pose;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A 2D automotive radar (after the Continental ARS 408 of nuScenes) that sees a {@link Scene} in its horizontal
 * plane: it casts rays across its field of view at its mounting height, keeps a few returns per object it meets
 * (radar clusters are sparse: one to five per object), perturbs range and azimuth, measures the Doppler (radial)
 * velocity, and adds a little clutter. Returns are nuScenes' 18 radar fields, in the sensor frame with z = 0.
 *
 * <p>Velocities, as nuScenes stores them: (vx, vy) is the radial velocity relative to the moving sensor, as a
 * vector along the measured ray; (vx_comp, vy_comp) is the same with the ego's motion taken out, i.e. the object's
 * own velocity projected on the ray (zero for anything standing still). Deterministic: every random number is a
 * hash of (seed, object id or ray, draw).
 */
public final class Radar {
    /** Half the field of view, degrees (the ARS 408's near-range beam), ray spacing, degrees, and the range, metres. */
    public static final double HALF_FOV_DEG = 60, STEP_DEG = 0.25, MAX_RANGE = 80, MIN_RANGE = 0.5;
    /** 1-sigma noise of range (m), azimuth (degrees) and radial velocity (m/s); each is clipped at 3 sigma. */
    public static final double SIGMA_RANGE = 0.05, SIGMA_AZIMUTH_DEG = 0.1, SIGMA_VELOCITY = 0.05;
    /** Object id of a clutter return (a false alarm on nothing). */
    public static final int CLUTTER = -3;

    private Radar() {}

    /**
     * A radar scan: [N * 18] returns in nuScenes' field order and the id of the scene object each lies on (or
     * {@link #CLUTTER}).
     */
    public record RadarScan(float[] returns, int[] objectIds) {
        public int size() { return objectIds.length; }
    }

    /**
     * Scans {@code scene} from {@code sensorToScene} (no pitch or roll).
     *
     * @param sensorVelocity the sensor's velocity in the scene frame (x, y, z)
     * @param objectVelocity an object's velocity in the scene frame (x, y, z), or null when it stands still
     */
    public static RadarScan scan(Scene scene, Pose sensorToScene, double[] sensorVelocity, IntFunction<double[]> objectVelocity, long seed) {
        double[] rot = sensorToScene.rotation(), o = sensorToScene.translationVector();
        int rays = (int) Math.round(2 * HALF_FOV_DEG / STEP_DEG) + 1;
        double[] tHit = new double[rays];
        // the rays that met each object, in ray order (insertion order keeps the output deterministic)
        Map<Integer, List<Integer>> byObject = new LinkedHashMap<>();
        Hit hit = new Hit();
        for (int i = 0; i < rays; i++) {
            double az = Math.toRadians(-HALF_FOV_DEG + i * STEP_DEG);
            double[] d = dir(rot, az);
            tHit[i] = scene.intersect(o[0], o[1], o[2], d[0], d[1], d[2], MIN_RANGE, MAX_RANGE, hit) ? hit.t : Double.POSITIVE_INFINITY;
            if (hit.material != null && hit.objectId >= 0) byObject.computeIfAbsent(hit.objectId, k -> new ArrayList<>()).add(i);
        }
        List<float[]> out = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (var e : byObject.entrySet()) {
            int id = e.getKey();
            List<Integer> hitRays = e.getValue();
            SceneObject obj = scene.objects().get(id);
            long h = Lidar.mix(seed, id);
            double range = tHit[hitRays.get(hitRays.size() / 2)];
            double pd = Math.max(0.3, 0.98 - range / 150); // weaker echoes far away are missed more often
            if (Lidar.unit(h) >= pd) continue;
            int cap = obj.annotated() ? 5 : 3;
            int count = Math.min(hitRays.size(), Math.min(cap, 1 + (int) (hitRays.size() * 0.08 * (0.5 + Lidar.unit(Lidar.mix(h, 1))))));
            double[] v = objectVelocity.apply(id);
            for (int j = 0; j < count; j++) {
                // stratified: one ray from each of count equal slices of the object's rays
                int ray = hitRays.get((int) ((j + Lidar.unit(Lidar.mix(h, 10 + j))) * hitRays.size() / count));
                long hr = Lidar.mix(h, 100 + j);
                out.add(measure(rot, ray, tHit[ray], v, sensorVelocity, hr, rcs(obj, hr), v != null, 0, 1));
                ids.add(id);
            }
        }
        // clutter: false alarms in front of whatever the ray meets, mostly weak and flagged by the sensor
        long hc = Lidar.mix(seed, -1);
        int clutter = (int) (Lidar.unit(hc) * 4);
        for (int j = 0; j < clutter; j++) {
            long hr = Lidar.mix(hc, 10 + j);
            int ray = (int) (Lidar.unit(Lidar.mix(hr, 1)) * rays);
            double r = 3 + Lidar.unit(Lidar.mix(hr, 2)) * 57;
            if (r >= tHit[ray] - 0.5) r = Math.max(MIN_RANGE + 0.5, tHit[ray] * 0.5);
            int invalid = Lidar.unit(Lidar.mix(hr, 3)) < 0.5 ? 0 : 1;
            double rcs = -10 + 8 * Lidar.unit(Lidar.mix(hr, 4));
            out.add(measure(rot, ray, r, null, sensorVelocity, hr, rcs, false, invalid, 3 + (int) (Lidar.unit(Lidar.mix(hr, 5)) * 3)));
            ids.add(CLUTTER);
        }
        float[] all = new float[out.size() * 18];
        for (int k = 0; k < out.size(); k++) {
            float[] rec = out.get(k);
            rec[4] = k; // cluster id within the scan
            System.arraycopy(rec, 0, all, k * 18, 18);
        }
        return new RadarScan(all, ids.stream().mapToInt(Integer::intValue).toArray());
    }

    /** One return on ray {@code ray} at true range {@code t}: noisy position and Doppler, the 18 fields. */
    private static float[] measure(double[] rot, int ray, double t, double[] v, double[] vs, long h, double rcs, boolean moving, int invalid,
                                   int pdh0) {
        double az = Math.toRadians(-HALF_FOV_DEG + ray * STEP_DEG);
        double[] d = dir(rot, az);
        double vo0 = v == null ? 0 : v[0], vo1 = v == null ? 0 : v[1], vo2 = v == null ? 0 : v[2];
        double vrAbs = vo0 * d[0] + vo1 * d[1] + vo2 * d[2];
        double vrRel = vrAbs - (vs[0] * d[0] + vs[1] * d[1] + vs[2] * d[2]);
        double dv = clip3(Lidar.gaussian(Lidar.mix(h, 1), Lidar.mix(h, 2))) * SIGMA_VELOCITY;
        double r = t + clip3(Lidar.gaussian(Lidar.mix(h, 3), Lidar.mix(h, 4))) * SIGMA_RANGE;
        double a = az + Math.toRadians(clip3(Lidar.gaussian(Lidar.mix(h, 5), Lidar.mix(h, 6))) * SIGMA_AZIMUTH_DEG);
        double ux = Math.cos(a), uy = Math.sin(a);
        double comp = vrAbs + dv, raw = vrRel + dv;
        // ARS 408 dynamic property: 0 moving, 1 stationary, 2 oncoming, 3 stationary candidate
        int dyn = pdh0 > 1 ? 3 : !moving ? 1 : comp < -0.2 ? 2 : 0;
        int rms = t < 30 ? 18 : t < 60 ? 19 : 20; // ARS 408 rms codes grow with range
        return new float[] {
            (float) (r * ux), (float) (r * uy), 0f, dyn, 0, (float) (Math.round(rcs * 2) / 2.0),
            (float) (raw * ux), (float) (raw * uy), (float) (comp * ux), (float) (comp * uy),
            1, 3, rms, rms, invalid, pdh0, 17, 17};
    }

    /** Radar cross-section in dBsm by what was hit, with a few dB of scatter. */
    private static double rcs(SceneObject o, long h) {
        double base = o.cls() == null ? 12 : switch (o.cls()) {
            case CAR -> 8;
            case VAN -> 11;
            case TRUCK -> 17;
            case PEDESTRIAN -> -4;
            case CYCLIST -> 0;
            case BARRIER -> 3;
            case TRAFFIC_CONE -> -6;
            case BUS -> 18;
            case TRAILER -> 16;
            case CONSTRUCTION_VEHICLE -> 15;
            case MOTORCYCLE -> 3;
        };
        return base + 6 * (Lidar.unit(Lidar.mix(h, 7)) - 0.5);
    }

    private static double[] dir(double[] rot, double az) {
        double lx = Math.cos(az), ly = Math.sin(az);
        return new double[] {rot[0] * lx + rot[1] * ly, rot[3] * lx + rot[4] * ly, rot[6] * lx + rot[7] * ly};
    }

    private static double clip3(double g) { return Math.max(-3, Math.min(3, g)); }
}
