package fuse3d.sparse.voxel;

import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A seeded spinning-LiDAR simulator for tests and benchmarks: a KITTI-like 64-beam scanner at the origin of the
 * LiDAR frame casting rays at a ground plane, a few buildings beside the road and box objects (cars, pedestrians),
 * so that voxel statistics (points per voxel, empty space, ring structure) look like a real scan rather than
 * uniform noise.
 *
 * <p>Beams are evenly spread in elevation between {@link Options#minElevationDeg} and
 * {@link Options#maxElevationDeg}; each beam fires every {@link Options#azimuthStepDeg} around the full circle
 * (or only the front 90 degrees, KITTI's camera field of view), with a per-beam azimuth offset. A ray returns
 * the nearest hit within {@link Options#maxRange}, with Gaussian range noise, or nothing with the dropout
 * probability. Intensity in [0, 1] is the surface's reflectivity times the cosine of the incidence angle, plus
 * noise. The defaults give about 120k points per full turn, as KITTI's HDL-64E does.
 */
public final class SyntheticScan {
    private SyntheticScan() {}

    /** KITTI's car (3.9 x 1.6 x 1.56 m) and a pedestrian's (0.8 x 0.6 x 1.73 m) box sizes (dx, dy, dz). */
    public static final double[] CAR_SIZE = {3.9, 1.6, 1.56}, PEDESTRIAN_SIZE = {0.8, 0.6, 1.73};

    /**
     * The scanner and the scene.
     *
     * @param beams           laser count (64 for an HDL-64E)
     * @param minElevationDeg lowest beam elevation (-24.9)
     * @param maxElevationDeg highest beam elevation (+2)
     * @param azimuthStepDeg  azimuth between firings of a beam (0.08 .. 0.4)
     * @param maxRange        farthest return in metres
     * @param groundZ         the ground plane's z in the LiDAR frame (-1.73 m: KITTI's sensor height)
     * @param cars            number of cars
     * @param pedestrians     number of pedestrians
     * @param buildings       number of building blocks beside the road
     * @param frontOnly       keep only azimuths within +-45 degrees of +x (KITTI's camera field of view)
     * @param dropout         probability that a ray returns nothing
     * @param rangeNoise      standard deviation of the range noise in metres
     */
    public record Options(int beams, double minElevationDeg, double maxElevationDeg, double azimuthStepDeg, double maxRange, double groundZ,
                          int cars, int pedestrians, int buildings, boolean frontOnly, double dropout, double rangeNoise) {
        public Options {
            if (beams < 1 || !(maxElevationDeg >= minElevationDeg) || !(azimuthStepDeg > 0) || !(maxRange > 0) || cars < 0 || pedestrians < 0
                    || buildings < 0 || !(dropout >= 0 && dropout < 1) || !(rangeNoise >= 0) || !(minElevationDeg > -90 && maxElevationDeg < 90))
                throw new IllegalArgumentException("SyntheticScan: invalid options " + this);
        }

        /** A KITTI-like full turn: 64 beams, -24.9..+2 deg, 0.17 deg steps, 100 m, 8 cars, 4 pedestrians, 6 buildings. */
        public static Options kitti() { return new Options(64, -24.9, 2.0, 0.17, 100, -1.73, 8, 4, 6, false, 0.03, 0.02); }

        public Options withFrontOnly(boolean on) {
            return new Options(beams, minElevationDeg, maxElevationDeg, azimuthStepDeg, maxRange, groundZ, cars, pedestrians, buildings, on, dropout, rangeNoise);
        }

        public Options withAzimuthStep(double deg) {
            return new Options(beams, minElevationDeg, maxElevationDeg, deg, maxRange, groundZ, cars, pedestrians, buildings, frontOnly, dropout, rangeNoise);
        }

        public Options withObjects(int cars, int pedestrians, int buildings) {
            return new Options(beams, minElevationDeg, maxElevationDeg, azimuthStepDeg, maxRange, groundZ, cars, pedestrians, buildings, frontOnly, dropout, rangeNoise);
        }
    }

    /**
     * A generated scan.
     *
     * @param points float32 [N, 4] (x, y, z, intensity) in the LiDAR frame
     * @param boxes  float32 [K, 7] the cars and pedestrians as (x, y, z, dx, dy, dz, heading), z at the box centre
     * @param labels the K objects' classes ("Car", "Pedestrian")
     */
    public record Scan(Tensor points, Tensor boxes, List<String> labels) {
        public int size() { return points.size(0); }
    }

    /** A box of the scene with its reflectivity. */
    private record Solid(double x, double y, double z, double dx, double dy, double dz, double heading, double reflectivity, String label) {}

    /** A full KITTI-like turn. */
    public static Scan generate(long seed) { return generate(Options.kitti(), seed); }

    public static Scan generate(Options o, long seed) {
        Generator rng = new Generator(seed);
        List<Solid> solids = new ArrayList<>();
        for (int i = 0; i < o.buildings(); i++) {
            // blocks along both sides of a road that runs along x
            double dx = 8 + 17 * rng.nextDouble(), dy = 5 + 5 * rng.nextDouble(), dz = 4 + 8 * rng.nextDouble();
            double side = (i % 2 == 0) ? 1 : -1;
            double x = -60 + 120 * rng.nextDouble(), y = side * (14 + 8 * rng.nextDouble() + dy / 2);
            Solid b = new Solid(x, y, o.groundZ() + dz / 2, dx, dy, dz, 0, 0.15 + 0.2 * rng.nextDouble(), "Building");
            if (clear(b, solids)) solids.add(b);
        }
        List<Solid> objects = new ArrayList<>();
        place(o, rng, o.cars(), CAR_SIZE, 0.45, "Car", solids, objects);
        place(o, rng, o.pedestrians(), PEDESTRIAN_SIZE, 0.3, "Pedestrian", solids, objects);

        double[] beamOffset = new double[o.beams()];
        for (int b = 0; b < o.beams(); b++) beamOffset[b] = rng.nextDouble() * o.azimuthStepDeg();
        double start = o.frontOnly() ? -45 : -180, span = o.frontOnly() ? 90 : 360;
        int columns = (int) Math.floor(span / o.azimuthStepDeg());
        float[] pts = new float[o.beams() * columns * 4];
        int n = 0;
        double[] hit = new double[2]; // {range, cosine of incidence}
        for (int b = 0; b < o.beams(); b++) {
            double elev = o.beams() == 1 ? o.minElevationDeg()
                    : o.minElevationDeg() + (o.maxElevationDeg() - o.minElevationDeg()) * b / (o.beams() - 1);
            double ce = Math.cos(Math.toRadians(elev)), dz = Math.sin(Math.toRadians(elev));
            for (int col = 0; col < columns; col++) {
                double az = Math.toRadians(start + col * o.azimuthStepDeg() + beamOffset[b]);
                double dx = ce * Math.cos(az), dy = ce * Math.sin(az);
                double best = o.maxRange(), cosInc = 0, refl = 0;
                if (dz < 0) {
                    double t = o.groundZ() / dz;
                    if (t < best) {
                        best = t;
                        cosInc = -dz;
                        refl = 0.25;
                    }
                }
                for (Solid s : solids) if (intersect(s, dx, dy, dz, best, hit)) {
                    best = hit[0];
                    cosInc = hit[1];
                    refl = s.reflectivity();
                }
                for (Solid s : objects) if (intersect(s, dx, dy, dz, best, hit)) {
                    best = hit[0];
                    cosInc = hit[1];
                    refl = s.reflectivity();
                }
                // the random draws happen for every ray, so the stream (and every later ray) does not depend on hits
                double drop = rng.nextDouble(), noise = rng.nextGaussian(), inoise = rng.nextGaussian();
                if (refl == 0 || drop < o.dropout()) continue;
                double r = best + o.rangeNoise() * noise;
                if (!(r > 0.5 && r < o.maxRange())) continue;
                pts[n * 4] = (float) (dx * r);
                pts[n * 4 + 1] = (float) (dy * r);
                pts[n * 4 + 2] = (float) (dz * r);
                pts[n * 4 + 3] = (float) Math.min(1, Math.max(0, refl * (0.4 + 0.6 * cosInc) + 0.03 * inoise));
                n++;
            }
        }
        float[] boxes = new float[objects.size() * 7];
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            Solid s = objects.get(i);
            double[] v = {s.x(), s.y(), s.z(), s.dx(), s.dy(), s.dz(), s.heading()};
            for (int k = 0; k < 7; k++) boxes[i * 7 + k] = (float) v[k];
            labels.add(s.label());
        }
        return new Scan(Tensor.of(java.util.Arrays.copyOf(pts, n * 4), n, 4), Tensor.of(boxes, objects.size(), 7), List.copyOf(labels));
    }

    private static void place(Options o, Generator rng, int count, double[] size, double reflectivity, String label, List<Solid> solids, List<Solid> objects) {
        for (int i = 0, tries = 0; i < count && tries < 200 * Math.max(1, count); tries++) {
            double dist = 5 + 40 * rng.nextDouble();
            double az = o.frontOnly() ? Math.toRadians(-40 + 80 * rng.nextDouble()) : Math.PI * (2 * rng.nextDouble() - 1);
            double heading = Math.PI * (2 * rng.nextDouble() - 1);
            Solid s = new Solid(dist * Math.cos(az), dist * Math.sin(az), o.groundZ() + size[2] / 2, size[0], size[1], size[2], heading, reflectivity, label);
            if (!clear(s, solids) || !clear(s, objects)) continue;
            objects.add(s);
            i++;
        }
    }

    /** No overlap in bird's eye view with any of {@code others}, by bounding circles (cheap and conservative). */
    private static boolean clear(Solid s, List<Solid> others) {
        double rs = Math.hypot(s.dx(), s.dy()) / 2;
        for (Solid t : others) {
            double rt = Math.hypot(t.dx(), t.dy()) / 2;
            if (Math.hypot(s.x() - t.x(), s.y() - t.y()) < rs + rt + 0.3) return false;
        }
        return Math.hypot(s.x(), s.y()) > rs + 2; // keep the sensor's own surroundings free
    }

    /**
     * The ray from the origin along unit (dx, dy, dz) against box s, by the slab method in the box's frame.
     * On a hit nearer than {@code limit} writes {range, |cos incidence|} to {@code out} and returns true.
     */
    private static boolean intersect(Solid s, double dx, double dy, double dz, double limit, double[] out) {
        double c = Math.cos(s.heading()), sn = Math.sin(s.heading());
        // origin and direction rotated by -heading about the box centre
        double ox = -s.x(), oy = -s.y(), oz = -s.z();
        double lox = c * ox + sn * oy, loy = -sn * ox + c * oy;
        double ldx = c * dx + sn * dy, ldy = -sn * dx + c * dy;
        double[] o3 = {lox, loy, oz}, d3 = {ldx, ldy, dz}, h = {s.dx() / 2, s.dy() / 2, s.dz() / 2};
        double tNear = Double.NEGATIVE_INFINITY, tFar = Double.POSITIVE_INFINITY;
        int axis = -1;
        for (int a = 0; a < 3; a++) {
            if (Math.abs(d3[a]) < 1e-12) {
                if (Math.abs(o3[a]) > h[a]) return false;
                continue;
            }
            double t1 = (-h[a] - o3[a]) / d3[a], t2 = (h[a] - o3[a]) / d3[a];
            double lo = Math.min(t1, t2), hi = Math.max(t1, t2);
            if (lo > tNear) {
                tNear = lo;
                axis = a;
            }
            tFar = Math.min(tFar, hi);
        }
        if (tNear > tFar || tNear <= 0 || tNear >= limit || axis < 0) return false;
        out[0] = tNear;
        out[1] = Math.abs(d3[axis]);
        return true;
    }
}
