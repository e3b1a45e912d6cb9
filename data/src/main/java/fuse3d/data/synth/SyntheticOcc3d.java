package fuse3d.data.synth;

import fuse3d.data.nuscenes.NuScenesTables;
import fuse3d.data.occ3d.Occ3d;
import fuse3d.data.occ3d.Occ3dGrid;
import fuse3d.data.occ3d.Occ3dLabels;
import fuse3d.data.occ3d.Occ3dTree;
import fuse3d.sparse.bev.Pose;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Writes Occ3D-style semantic occupancy ground truth for the synthetic nuScenes world: per key frame a
 * {@code labels.npz} on {@link Occ3d#GRID} in the ego frame with the 18 Occ3D labels and LiDAR and camera
 * visibility masks, under {@code <out>/gts/<scene_name>/<sample_token>/} next to the {@link SyntheticNuScenes}
 * data it belongs to.
 *
 * <p>Definitions (all in the key frame's ego frame, which is a pure translation of the scene frame):
 * <ul>
 *   <li><b>semantics</b>: a voxel holds a class when a surface of that class passes through it. Surfaces are sampled
 *   every {@link #SPACING} m (part faces, cylinder sides and caps, the road and sidewalk planes, the kerb faces);
 *   faces inside another part of the same object, anything below the ground and the ground inside a solid (under a
 *   building) are not surfaces anyone can see and are skipped. Where several classes meet in one voxel, objects win over structures (manmade, vegetation), which win over
 *   sidewalk, which wins over driveable surface; ties keep the first part sampled. Everything else is free (17). So a
 *   surface sliver thinner than the sampling step can be missed: a missed surface point lies within
 *   {@code SPACING / sqrt 2} of a sampled one.</li>
 *   <li><b>mask_lidar</b>: for every return of the key frame's LiDAR scan, the voxels its ray traverses from the sensor
 *   to the return, then on for up to the LiDAR's noise bound while the voxels are free (the true surface lies within
 *   that bound along the ray), stopping after the first occupied one. Only the key frame's own scan is cast (Occ3D
 *   aggregates the sequence; rays without a return prove nothing and add nothing).</li>
 *   <li><b>mask_camera</b>: six nuScenes-like cameras ({@link #CAMERAS}); a ray through every {@link #CAMERA_STRIDE}-th
 *   pixel of each 1600 x 900 image is marched through the grid from the camera centre: every voxel it traverses is
 *   visible, up to and including the first occupied voxel, as Occ3D casts camera rays through pixels.</li>
 * </ul>
 * Class map: car and van to car, truck, pedestrian, cyclist to bicycle, barrier, traffic cone; buildings and poles to
 * manmade, trees to vegetation, asphalt and lane paint to driveable surface, sidewalk and kerb to sidewalk. The
 * synthetic world has no terrain, other_flat or others surfaces, so those classes never occur.
 */
public final class SyntheticOcc3d {
    private SyntheticOcc3d() {}

    /** Surface sampling step in metres (a quarter voxel). */
    public static final double SPACING = 0.1;
    /** Camera rays go through every this-many-th pixel of the 1600 x 900 image (0.18 degree at the front focal length). */
    public static final int CAMERA_STRIDE = 4;

    /**
     * A camera on the ego: centre (ego frame, metres), yaw of its optical axis about z (0 = forward) and focal length
     * in pixels of a 1600 x 900 image; axes horizontal, no pitch or roll.
     */
    public record CameraRig(String channel, double x, double y, double z, double yaw, double focal) {}

    /** The six nuScenes cameras, positions and focal lengths rounded from the released calibration. */
    public static final List<CameraRig> CAMERAS = List.of(
            new CameraRig("CAM_FRONT", 1.70, 0.00, 1.51, 0, 1266),
            new CameraRig("CAM_FRONT_RIGHT", 1.55, -0.49, 1.50, Math.toRadians(-55), 1260),
            new CameraRig("CAM_FRONT_LEFT", 1.52, 0.49, 1.51, Math.toRadians(55), 1272),
            new CameraRig("CAM_BACK", 0.03, 0.00, 1.57, Math.PI, 809),
            new CameraRig("CAM_BACK_LEFT", 1.04, 0.48, 1.56, Math.toRadians(110), 1256),
            new CameraRig("CAM_BACK_RIGHT", 1.05, -0.48, 1.56, Math.toRadians(-110), 1259));

    static final int IMAGE_W = 1600, IMAGE_H = 900;

    private static final Occ3dGrid G = Occ3d.GRID;
    private static final byte FREE = (byte) Occ3d.FREE;

    /** {@link #write(Path, int, long, SyntheticNuScenes.Config, SyntheticNuScenes.Progress)} with default scenes. */
    public static NuScenesTables write(Path out, int scenes, long seed, SyntheticNuScenes.Progress progress) throws IOException {
        return write(out, scenes, seed, SyntheticNuScenes.Config.defaults(), progress);
    }

    /**
     * Writes the synthetic nuScenes data ({@link SyntheticNuScenes#write}) under {@code out} and the occupancy of
     * every key frame under {@code out/gts}, with the scene names and sample tokens of those tables. Progress counts
     * the nuScenes scenes, then the occupancy scenes ({@code 2 * scenes} in all).
     */
    public static NuScenesTables write(Path out, int scenes, long seed, SyntheticNuScenes.Config cfg, SyntheticNuScenes.Progress progress)
            throws IOException {
        NuScenesTables t = SyntheticNuScenes.write(out, scenes, seed, cfg,
                progress == null ? null : (done, total) -> progress.sceneDone(done, 2 * total));
        Path gts = out.resolve("gts");
        int s = 0;
        for (NuScenesTables.Scene sc : t.scenes().values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList()) {
            int index = Integer.parseInt(sc.name().substring("scene-".length()));
            SyntheticNuScenes.Plan plan = SyntheticNuScenes.scenePlan(seed, index, cfg);
            List<NuScenesTables.Sample> samples = t.samplesOfScene(sc.token());
            try {
                IntStream.range(0, samples.size()).parallel().forEach(k -> {
                    try {
                        labels(plan, keyReading(cfg, k)).write(Occ3dTree.labelsPath(gts, sc.name(), samples.get(k).token()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            s++;
            if (progress != null) progress.sceneDone(scenes + s, 2 * scenes);
        }
        return t;
    }

    /** The reading index of key frame {@code k}. */
    public static int keyReading(SyntheticNuScenes.Config cfg, int k) { return k * (cfg.sweepsBetween() + 1) + cfg.sweepsBetween(); }

    /** The occupancy, with both masks, of the plan's scene at {@code reading} (a key frame), as seen from the ego there. */
    public static Occ3dLabels labels(SyntheticNuScenes.Plan plan, int reading) {
        Scene scene = plan.sceneAt(reading);
        double[] ego = plan.egoToScene(reading).translationVector();
        byte[] sem = semantics(scene, ego);
        boolean[] lidar = lidarMask(sem, plan.scan(reading), SyntheticNuScenes.LIDAR_TO_EGO, SyntheticNuScenes.LIDAR.noiseBound());
        boolean[] camera = cameraMask(sem);
        return new Occ3dLabels(G.nx(), G.ny(), G.nz(), sem, lidar, camera);
    }

    // ------------------------------------------------------------------------------------------------------
    // Semantics.

    /** The Occ3D class of a surface: by object class, or for structures and the ground by material. */
    static int occClass(ObjectClass cls, Material m) {
        if (cls != null) return switch (cls) {
            case CAR, VAN -> 4;
            case TRUCK -> 10;
            case PEDESTRIAN -> 7;
            case CYCLIST -> 2;
            case BARRIER -> 1;
            case TRAFFIC_CONE -> 8;
            case BUS -> 3;
            case CONSTRUCTION_VEHICLE -> 5;
            case MOTORCYCLE -> 6;
            case TRAILER -> 9;
        };
        return switch (m) {
            case BUILDING, POLE -> 15;
            case VEGETATION -> 16;
            case ASPHALT, LANE_PAINT -> 11;
            case SIDEWALK, KERB -> 13;
            default -> 0; // others
        };
    }

    /** Which class wins a voxel several classes pass through (higher wins). */
    static int rank(int occClass) {
        return switch (occClass) {
            case 11 -> 0;
            case 13, 14, 12 -> 1;
            case 15, 16 -> 2;
            default -> 3;
        };
    }

    /** Labels from surface samples; {@code ego} is the ego origin in the scene frame. */
    static byte[] semantics(Scene scene, double[] ego) {
        byte[] sem = new byte[G.size()];
        Arrays.fill(sem, FREE);
        Sink sink = new Sink(sem, ego);
        double x0 = ego[0] + G.xMin(), y0 = ego[1] + G.yMin();
        double ext = G.nx() * (double) G.voxelSize();
        int n = (int) Math.ceil(ext / SPACING);
        double reach = ext / 2 * Math.sqrt(2) + 1;
        List<SceneObject> near = scene.objects().stream().filter(o -> {
            double[] b = o.box();
            return Math.hypot(b[0] - ego[0], b[1] - ego[1]) <= reach + Math.hypot(b[3], b[4]) / 2;
        }).toList();
        double[][] nearBoxes = near.stream().map(SceneObject::box).toArray(double[][]::new);
        // the ground: road or sidewalk top at every sample of the grid's footprint, except under solids (building floors)
        for (int i = 0; i <= n; i++) {
            double x = x0 + i * SPACING;
            for (int j = 0; j <= n; j++) {
                double y = y0 + j * SPACING;
                double z = scene.groundHeight(x, y);
                if (insideAny(near, nearBoxes, x, y, z)) continue;
                boolean road = Math.abs(y - scene.roadY()) <= scene.roadHalf();
                sink.add(x, y, z, road ? 11 : 13);
            }
        }
        // the kerb faces: vertical strips at y = roadY +- roadHalf
        int nk = (int) Math.ceil(scene.kerb() / SPACING);
        for (int side = -1; side <= 1; side += 2) {
            double yk = scene.roadY() + side * scene.roadHalf();
            for (int i = 0; i <= n; i++) {
                double x = x0 + i * SPACING, base = scene.slopeX() * x + scene.slopeY() * yk;
                for (int h = 0; h <= nk; h++) sink.add(x, yk, base + scene.kerb() * h / nk, 13);
            }
        }
        for (SceneObject o : near) {
            List<Part> parts = o.parts();
            for (int p = 0; p < parts.size(); p++) samplePart(scene, o, p, sink);
        }
        return sem;
    }

    /** Writes samples into the label array by rank. */
    private static final class Sink {
        final byte[] sem;
        final double[] ego;

        Sink(byte[] sem, double[] ego) {
            this.sem = sem;
            this.ego = ego;
        }

        void add(double x, double y, double z, int cls) {
            int v = voxel(x - ego[0], y - ego[1], z - ego[2]);
            if (v < 0) return;
            int cur = sem[v];
            if (cur == FREE || rank(cls) > rank(cur)) sem[v] = (byte) cls;
        }
    }

    /** The voxel index of an ego-frame point, -1 outside the grid. */
    static int voxel(double x, double y, double z) {
        double vs = G.voxelSize();
        int i = (int) Math.floor((x - G.xMin()) / vs), j = (int) Math.floor((y - G.yMin()) / vs), k = (int) Math.floor((z - G.zMin()) / vs);
        if (i < 0 || j < 0 || k < 0 || i >= G.nx() || j >= G.ny() || k >= G.nz()) return -1;
        return G.index(i, j, k);
    }

    private static void samplePart(Scene scene, SceneObject o, int pi, Sink sink) {
        Part p = o.parts().get(pi);
        int cls = occClass(o.cls(), p.material());
        double[] lo = p.lo(), hi = p.hi();
        double[] local = new double[3];
        if (p.kind() == Part.Kind.BOX) {
            for (int axis = 0; axis < 3; axis++) {
                int u = (axis + 1) % 3, v = (axis + 2) % 3;
                int nu = steps(hi[u] - lo[u]), nv = steps(hi[v] - lo[v]);
                for (int side = 0; side < 2; side++) {
                    local[axis] = side == 0 ? lo[axis] : hi[axis];
                    for (int a = 0; a <= nu; a++) {
                        local[u] = lo[u] + (hi[u] - lo[u]) * a / nu;
                        for (int b = 0; b <= nv; b++) {
                            local[v] = lo[v] + (hi[v] - lo[v]) * b / nv;
                            emit(scene, o, pi, local, cls, sink);
                        }
                    }
                }
            }
        } else {
            int a = p.axis(), u = (a + 1) % 3, v = (a + 2) % 3;
            double r = p.radius();
            int na = steps(hi[a] - lo[a]), nc = Math.max(8, steps(2 * Math.PI * r));
            for (int s = 0; s <= na; s++) {
                local[a] = lo[a] + (hi[a] - lo[a]) * s / na;
                for (int c = 0; c < nc; c++) {
                    double ang = 2 * Math.PI * c / nc;
                    local[u] = lo[u] + r * Math.cos(ang);
                    local[v] = lo[v] + r * Math.sin(ang);
                    emit(scene, o, pi, local, cls, sink);
                }
            }
            int nr = steps(r);
            for (int cap = 0; cap < 2; cap++) {
                local[a] = cap == 0 ? lo[a] : hi[a];
                for (int ring = 0; ring <= nr; ring++) {
                    double rr = r * ring / nr;
                    int m = Math.max(1, steps(2 * Math.PI * rr));
                    for (int c = 0; c < m; c++) {
                        double ang = 2 * Math.PI * c / m;
                        local[u] = lo[u] + rr * Math.cos(ang);
                        local[v] = lo[v] + rr * Math.sin(ang);
                        emit(scene, o, pi, local, cls, sink);
                    }
                }
            }
        }
    }

    private static int steps(double len) { return Math.max(1, (int) Math.ceil(len / SPACING)); }

    private static void emit(Scene scene, SceneObject o, int pi, double[] local, int cls, Sink sink) {
        double[] w = o.toScene(local[0], local[1], local[2]);
        if (Math.abs(w[0] - sink.ego[0]) > 41 || Math.abs(w[1] - sink.ego[1]) > 41) return;
        if (w[2] < scene.groundHeight(w[0], w[1]) - 1e-3) return; // inside the earth
        List<Part> parts = o.parts();
        for (int q = 0; q < parts.size(); q++) if (q != pi && inside(parts.get(q), local)) return; // an inner face
        sink.add(w[0], w[1], w[2], cls);
    }

    /** Whether a scene point lies strictly inside a part of one of {@code objects}. */
    private static boolean insideAny(List<SceneObject> objects, double[][] boxes, double x, double y, double z) {
        double[] local = new double[3];
        for (int i = 0; i < boxes.length; i++) {
            SceneObject o = objects.get(i);
            double[] b = boxes[i];
            double r = Math.hypot(b[3], b[4]) / 2;
            if (Math.abs(x - b[0]) > r || Math.abs(y - b[1]) > r) continue;
            double c = Math.cos(o.heading()), s = Math.sin(o.heading()), rx = x - o.cx(), ry = y - o.cy();
            local[0] = c * rx + s * ry;
            local[1] = -s * rx + c * ry;
            local[2] = z - o.cz();
            for (Part p : o.parts()) if (inside(p, local)) return true;
        }
        return false;
    }

    /** Whether a local point lies strictly inside a part (by more than a millimetre). */
    static boolean inside(Part p, double[] x) {
        double e = 1e-3;
        double[] lo = p.lo(), hi = p.hi();
        if (p.kind() == Part.Kind.BOX) {
            for (int k = 0; k < 3; k++) if (x[k] <= lo[k] + e || x[k] >= hi[k] - e) return false;
            return true;
        }
        int a = p.axis(), u = (a + 1) % 3, v = (a + 2) % 3;
        if (x[a] <= lo[a] + e || x[a] >= hi[a] - e) return false;
        return Math.hypot(x[u] - lo[u], x[v] - lo[v]) < p.radius() - e;
    }

    // ------------------------------------------------------------------------------------------------------
    // Visibility.

    /**
     * LiDAR visibility: each return's ray traversed from the sensor to the return, then on for up to
     * {@code noiseBound} while free (stopping after the first occupied voxel).
     */
    static boolean[] lidarMask(byte[] sem, Lidar.LidarScan scan, Pose lidarToEgo, double noiseBound) {
        boolean[] mask = new boolean[G.size()];
        double[] r = lidarToEgo.rowMajor();
        double ox = r[3], oy = r[7], oz = r[11];
        float[] p = scan.points();
        for (int i = 0; i < scan.size(); i++) {
            double x = p[i * 4], y = p[i * 4 + 1], z = p[i * 4 + 2];
            double ex = r[0] * x + r[1] * y + r[2] * z + r[3] - ox;
            double ey = r[4] * x + r[5] * y + r[6] * z + r[7] - oy;
            double ez = r[8] * x + r[9] * y + r[10] * z + r[11] - oz;
            double range = Math.sqrt(ex * ex + ey * ey + ez * ez);
            march(sem, mask, ox, oy, oz, ex / range, ey / range, ez / range, range, range + noiseBound);
        }
        return mask;
    }

    /** Camera visibility: rays through every {@link #CAMERA_STRIDE}-th pixel of each camera, to the first occupied voxel. */
    static boolean[] cameraMask(byte[] sem) {
        boolean[] mask = new boolean[G.size()];
        double far = 200;
        for (CameraRig c : CAMERAS) {
            double cy = Math.cos(c.yaw()), sy = Math.sin(c.yaw());
            for (int row = CAMERA_STRIDE / 2; row < IMAGE_H; row += CAMERA_STRIDE) {
                for (int col = CAMERA_STRIDE / 2; col < IMAGE_W; col += CAMERA_STRIDE) {
                    double xr = (col - IMAGE_W / 2.0) / c.focal(), yd = (row - IMAGE_H / 2.0) / c.focal();
                    // camera x right, y down, z forward -> ego: forward (cy, sy, 0), right (sy, -cy, 0), down (0, 0, -1)
                    double dx = cy + xr * sy, dy = sy - xr * cy, dz = -yd;
                    double n = Math.sqrt(dx * dx + dy * dy + dz * dz);
                    march(sem, mask, c.x(), c.y(), c.z(), dx / n, dy / n, dz / n, 0, far);
                }
            }
        }
        return mask;
    }

    /**
     * Walks the voxels along o + t d (d unit, o inside the grid) for t up to {@code tMax}, marking each in
     * {@code mask}; past {@code tFreeFrom} it stops after the first occupied voxel. Amanatides-Woo traversal.
     */
    static void march(byte[] sem, boolean[] mask, double ox, double oy, double oz, double dx, double dy, double dz, double tFreeFrom, double tMax) {
        double vs = G.voxelSize();
        double px = (ox - G.xMin()) / vs, py = (oy - G.yMin()) / vs, pz = (oz - G.zMin()) / vs;
        int i = (int) Math.floor(px), j = (int) Math.floor(py), k = (int) Math.floor(pz);
        if (i < 0 || j < 0 || k < 0 || i >= G.nx() || j >= G.ny() || k >= G.nz()) return;
        int si = dx > 0 ? 1 : -1, sj = dy > 0 ? 1 : -1, sk = dz > 0 ? 1 : -1;
        double tdx = dx == 0 ? Double.POSITIVE_INFINITY : vs / Math.abs(dx);
        double tdy = dy == 0 ? Double.POSITIVE_INFINITY : vs / Math.abs(dy);
        double tdz = dz == 0 ? Double.POSITIVE_INFINITY : vs / Math.abs(dz);
        double tx = dx == 0 ? Double.POSITIVE_INFINITY : ((si > 0 ? i + 1 - px : px - i) * tdx);
        double ty = dy == 0 ? Double.POSITIVE_INFINITY : ((sj > 0 ? j + 1 - py : py - j) * tdy);
        double tz = dz == 0 ? Double.POSITIVE_INFINITY : ((sk > 0 ? k + 1 - pz : pz - k) * tdz);
        while (true) {
            int v = G.index(i, j, k);
            mask[v] = true;
            double next = Math.min(tx, Math.min(ty, tz));
            // the voxel spans [t, next) along the ray; stop after an occupied one that reaches past tFreeFrom
            if (sem[v] != FREE && next > tFreeFrom) return;
            if (next >= tMax) return;
            if (tx <= ty && tx <= tz) {
                i += si;
                tx += tdx;
                if (i < 0 || i >= G.nx()) return;
            } else if (ty <= tz) {
                j += sj;
                ty += tdy;
                if (j < 0 || j >= G.ny()) return;
            } else {
                k += sk;
                tz += tdz;
                if (k < 0 || k >= G.nz()) return;
            }
        }
    }
}
