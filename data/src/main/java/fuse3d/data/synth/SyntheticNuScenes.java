package fuse3d.data.synth;

import fuse3d.data.nuscenes.CameraImages;
import fuse3d.data.nuscenes.DetectionBox;
import fuse3d.data.nuscenes.LidarPointCloud;
import fuse3d.data.nuscenes.NuScenesTables;
import fuse3d.data.nuscenes.RadarPointCloud;
import fuse3d.sparse.bev.Pose;
import fuse3d.sparse.points.PointsInBoxes;
import fuse3d.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a synthetic dataset in nuScenes' layout: per scene a drive along one {@link SceneGenerator}
 * street with some objects moving, scanned by a 32-beam {@link Lidar#hdl32e()} at 20 Hz, with key frames at 2 Hz
 * ({@code samples/LIDAR_TOP}) and the sweeps between them ({@code sweeps/LIDAR_TOP}); the five radars of
 * {@link NuScenesRig} capture at 13 Hz, free-running, each sample's radar key frame being the capture nearest to it
 * ({@code samples/RADAR_*}, the rest {@code sweeps/RADAR_*}; PCD files, see {@link Radar}), so the devkit's 5-6 radar
 * sweeps per sample exist; the six cameras render JPEGs ({@code samples/CAM_*}, at {@link Config#cameraScale()} of
 * 1600x900 with the intrinsics scaled alike) at each key frame, at the LiDAR's timestamp, and with
 * {@link Config#cameraSweeps()} also at 12 Hz in between ({@code sweeps/CAM_*}; off by default: six JPEG renders
 * per capture would make the cameras the bulk of the writing time). Every capture has its own ego_pose at its
 * timestamp and a sample_data row chained by prev/next within its channel. The v1.0 tables are written
 * through {@link NuScenesTables#write(Path, String)}, so that the nuScenes readers, {@code MultiSweep} and the
 * detection evaluator run on it unchanged.
 *
 * <p>Frames: the street's scene frame is placed in the global frame by a seeded yaw and offset (as a map's
 * coordinates); the ego drives along the scene's x axis at y = 0 on the ground with no pitch or roll; LIDAR_TOP sits
 * 0.94 m ahead of and 1.84 m above the ego origin, rotated -90 degrees about z (sensor x right, y forward), as on
 * the nuScenes car. Each scan is instantaneous (no motion during a turn). Annotations cover the objects within
 * {@link Config#annotationRange()} of the ego at each key frame; {@code num_lidar_pts} counts the key frame's points
 * inside the box ({@link PointsInBoxes}, as the devkit counts them), the visibility bin is the fraction of the
 * object's returns that survive occlusion (its points in the full scan over its points scanned alone),
 * {@code num_radar_pts} counts the radar key frames' returns (all five radars, default filters, each at its own
 * capture time) inside the box, and every sweep's sample_token is the sample nearest to it in time (ties go to the
 * later), as in the released tables.
 */
public final class SyntheticNuScenes {
    private SyntheticNuScenes() {}

    /** The table folder name under the data root. */
    public static final String VERSION = "v1.0-mini";
    public static final String CHANNEL = "LIDAR_TOP";
    /** Cameras render at half of 1600x900 by default (800x450, intrinsics halved): a quarter of the rays. */
    public static final double DEFAULT_CAMERA_SCALE = 0.5;
    /** The first timestamp, microseconds (an arbitrary 2018 date, as the real logs). */
    public static final long T0 = 1_533_151_603_547_590L;

    /** Told after each written scene. */
    @FunctionalInterface
    public interface Progress {
        void sceneDone(int done, int total);
    }

    /** Camera captures per key interval with camera sweeps on: 6 per 0.5 s, the cameras' 12 Hz. */
    public static final int CAMERA_CAPTURES_PER_KEY = 6;
    /** The radars' capture period, microseconds: 13 Hz, free-running (not locked to the LiDAR, as on the car). */
    public static final long RADAR_PERIOD_MICROS = 76_923;

    /**
     * How long a scene is and what it records: {@code keyframes} samples at 2 Hz with {@code sweepsBetween} LiDAR
     * sweeps between two samples (9: LiDAR at 20 Hz); as many sweeps are written before the first sample, so every
     * sample has a full history. Radars (when on) run at 13 Hz over the same span with their sweeps; cameras (scale
     * > 0) capture at every key frame and, with {@code cameraSweeps}, at 12 Hz in between (each capture is a JPEG
     * render, the writer's dearest step, hence the switch).
     */
    public record Config(int keyframes, int sweepsBetween, double annotationRange, double cameraScale, boolean radar, boolean cameraSweeps) {
        public Config {
            if (keyframes < 1 || sweepsBetween < 0 || !(annotationRange > 0) || !(cameraScale >= 0 && cameraScale <= 1))
                throw new IllegalArgumentException("SyntheticNuScenes.Config: need keyframes >= 1, sweepsBetween >= 0, annotationRange > 0, "
                        + "0 <= cameraScale <= 1, got " + keyframes + ", " + sweepsBetween + ", " + annotationRange + ", " + cameraScale);
        }

        /** Without camera sweeps. */
        public Config(int keyframes, int sweepsBetween, double annotationRange, double cameraScale, boolean radar) {
            this(keyframes, sweepsBetween, annotationRange, cameraScale, radar, false);
        }

        /** With the six cameras at {@link #DEFAULT_CAMERA_SCALE} (key frames only) and the five radars. */
        public Config(int keyframes, int sweepsBetween, double annotationRange) {
            this(keyframes, sweepsBetween, annotationRange, DEFAULT_CAMERA_SCALE, true);
        }

        /** 10 samples (4.5 s) at 2 Hz, 9 sweeps between, annotations to 60 m, cameras at 800x450 (key frames), radars. */
        public static Config defaults() { return new Config(10, 9, 60); }

        /** The same with cameras at {@code scale} of 1600x900 (0: no cameras) and radars on or off. */
        public Config withSensors(double scale, boolean withRadar) { return new Config(keyframes, sweepsBetween, annotationRange, scale, withRadar, cameraSweeps); }

        /** The same with the cameras' 12 Hz sweeps on or off. */
        public Config withCameraSweeps(boolean on) { return new Config(keyframes, sweepsBetween, annotationRange, cameraScale, radar, on); }

        public boolean cameras() { return cameraScale > 0; }

        int readings() { return sweepsBetween + (keyframes - 1) * (sweepsBetween + 1) + 1; }

        long periodMicros() { return 500_000L / (sweepsBetween + 1); }

        boolean isKeyFrame(int reading) { return reading % (sweepsBetween + 1) == sweepsBetween; }

        /** The key frame index a reading belongs to (the one that follows it, or itself). */
        int keyIndex(int reading) { return reading / (sweepsBetween + 1); }

        /** Microseconds from the scene's first LiDAR reading to key frame {@code k}. */
        public long keyMicros(int k) { return (long) (k * (sweepsBetween + 1) + sweepsBetween) * periodMicros(); }

        /**
         * The sample a capture at {@code micros} belongs to: the one nearest in time (ties go to the later one), as
         * the released tables attach every sweep to its nearest sample.
         */
        public int nearestSample(long micros) {
            long k = Math.floorDiv(2 * (micros - keyMicros(0)) + 500_000, 1_000_000);
            return (int) Math.max(0, Math.min(keyframes - 1, k));
        }
    }

    /**
     * One capture of a camera or radar: its place in its channel's chain, its time in microseconds from the scene's
     * first LiDAR reading, whether it is its channel's key frame of a sample, and the sample it is attached to.
     */
    public record Capture(int index, long micros, boolean keyFrame, int sample) {}

    /** The key-frame capture of sample {@code k} among {@code captures}. */
    public static Capture keyCapture(List<Capture> captures, int k) {
        for (Capture c : captures) if (c.keyFrame() && c.sample() == k) return c;
        throw new IllegalArgumentException("SyntheticNuScenes: no key-frame capture of sample " + k + " among " + captures.size() + " captures");
    }

    /** An object moving at constant velocity along its heading; at the middle of the scene it stands where generated. */
    record Mover(int id, double vx, double vy) {}

    /**
     * One scene's drive: the static street, the movers, the scene-to-global placement and the ego speed.
     *
     * @param world        the street with the objects at the middle time of the scene
     * @param sceneToGlobal where the scene frame lies in the global frame (a yaw and an offset)
     */
    public record Plan(long seed, Config cfg, Scene world, Map<Integer, Mover> movers, Pose sceneToGlobal, double yaw, double egoSpeed, double egoX0) {
        /** Seconds since the scene's first reading. */
        public double time(int reading) { return reading * cfg.periodMicros() * 1e-6; }

        public long timestamp(int reading) { return timestampAt(reading * cfg.periodMicros()); }

        /** The timestamp of a capture {@code micros} after the scene's first reading. */
        public long timestampAt(long micros) { return T0 + Math.floorMod(seed, 1000L) * 1000 + micros; }

        double midTime() { return time(cfg.readings() - 1) / 2; }

        /** The scene with every mover at its place at {@code reading}. */
        public Scene sceneAt(int reading) { return sceneAtMicros(reading * cfg.periodMicros()); }

        /** The scene with every mover at its place {@code micros} after the first reading. */
        public Scene sceneAtMicros(long micros) {
            double dt = micros * 1e-6 - midTime();
            List<SceneObject> objs = new ArrayList<>(world.objects().size());
            for (SceneObject o : world.objects()) {
                Mover m = movers.get(o.id());
                if (m == null) objs.add(o);
                else {
                    double x = o.cx() + m.vx * dt, y = o.cy() + m.vy * dt;
                    objs.add(o.placed(o.id(), x, y, world.groundHeight(x, y)));
                }
            }
            return new Scene(world.seed(), world.slopeX(), world.slopeY(), world.roadY(), world.roadHalf(), world.kerb(), objs);
        }

        /** The ego (x forward, y left, z up, on the ground) in the scene frame at {@code reading}. */
        public Pose egoToScene(int reading) { return egoToSceneAt(reading * cfg.periodMicros()); }

        /** The ego in the scene frame {@code micros} after the first reading. */
        public Pose egoToSceneAt(long micros) {
            double x = egoX0 + egoSpeed * micros * 1e-6;
            return Pose.translation(x, 0, world.groundHeight(x, 0));
        }

        public Pose egoToGlobal(int reading) { return egoToScene(reading).then(sceneToGlobal); }

        public Pose egoToGlobalAt(long micros) { return egoToSceneAt(micros).then(sceneToGlobal); }

        public Pose lidarToScene(int reading) { return LIDAR_TO_EGO.then(egoToScene(reading)); }

        /** The sweep at {@code reading} in the LiDAR frame. */
        public Lidar.LidarScan scan(int reading) {
            return LIDAR.scan(sceneAt(reading), lidarToScene(reading), Lidar.mix(seed, 1000 + reading));
        }

        /** The ego's velocity in the scene frame (it drives along x on the sloped ground). */
        public double[] egoVelocity() { return new double[] {egoSpeed, 0, world.slopeX() * egoSpeed}; }

        /** A mover's velocity in the scene frame, null for an object standing still. */
        public double[] sceneVelocity(int id) {
            Mover m = movers.get(id);
            return m == null ? null : new double[] {m.vx, m.vy, 0};
        }

        /**
         * Every camera's captures in time order: with camera sweeps, 12 Hz locked to the LiDAR's key frames (the
         * real cameras fire as the LiDAR sweeps past them) over the LiDAR's span; without, the key frames alone.
         */
        public List<Capture> cameraCaptures() {
            List<Capture> out = new ArrayList<>();
            if (!cfg.cameraSweeps()) {
                for (int k = 0; k < cfg.keyframes(); k++) out.add(new Capture(k, cfg.keyMicros(k), true, k));
                return out;
            }
            int per = CAMERA_CAPTURES_PER_KEY;
            long key0 = cfg.keyMicros(0);
            int first = -(int) (key0 * per / 500_000);
            for (int j = first; j <= per * (cfg.keyframes() - 1); j++) {
                long us = key0 + Math.floorDiv(j * 500_000L, per);
                boolean key = Math.floorMod(j, per) == 0;
                out.add(new Capture(out.size(), us, key, key ? j / per : cfg.nearestSample(us)));
            }
            return out;
        }

        /**
         * The captures of radar {@code r} (an index into {@link NuScenesRig#RADARS}) in time order: every
         * {@link #RADAR_PERIOD_MICROS} from a phase of its own, from the LiDAR's first reading (or half a period
         * before the first key frame, if that is earlier) to half a period after the last key frame; a sample's key
         * frame is the capture nearest to it, as the released data picks a radar key frame.
         */
        public List<Capture> radarCaptures(int r) {
            long p = RADAR_PERIOD_MICROS, key0 = cfg.keyMicros(0), last = cfg.keyMicros(cfg.keyframes() - 1);
            // phases apart from 0 and half a period: 13 Hz fits 6.5 periods in a key interval, so no capture ties two samples
            long phase = Math.round((r - 2.3) / 6 * p);
            long lo = Math.min(0, key0 - p / 2), hi = last + p / 2;
            long j0 = -Math.floorDiv(key0 + phase - lo, p);
            List<Long> times = new ArrayList<>();
            for (long j = j0; key0 + phase + j * p < hi; j++) times.add(key0 + phase + j * p);
            int[] keyOf = new int[times.size()];
            java.util.Arrays.fill(keyOf, -1);
            for (int k = 0; k < cfg.keyframes(); k++) {
                int best = 0;
                for (int i = 1; i < times.size(); i++)
                    if (Math.abs(times.get(i) - cfg.keyMicros(k)) < Math.abs(times.get(best) - cfg.keyMicros(k))) best = i;
                keyOf[best] = k;
            }
            List<Capture> out = new ArrayList<>();
            for (int i = 0; i < times.size(); i++) {
                long us = times.get(i);
                out.add(new Capture(i, us, keyOf[i] >= 0, keyOf[i] >= 0 ? keyOf[i] : cfg.nearestSample(us)));
            }
            return out;
        }

        public Pose cameraToScene(Capture c, NuScenesRig.CameraMount cam) { return cam.toEgo().then(egoToSceneAt(c.micros())); }

        /** What {@code cam} sees at capture {@code c}, at the configured camera scale. */
        public Camera.Image render(Capture c, NuScenesRig.CameraMount cam) {
            int ch = NuScenesRig.CAMERAS.indexOf(cam);
            return cam.camera(cfg.cameraScale()).render(sceneAtMicros(c.micros()), cameraToScene(c, cam), Lidar.mix(Lidar.mix(seed, 5), 10L * c.index() + ch));
        }

        public Pose radarToScene(Capture c, NuScenesRig.RadarMount radar) { return radar.toEgo().then(egoToSceneAt(c.micros())); }

        /** What {@code radar} returns at capture {@code c}. */
        public Radar.RadarScan radarScan(Capture c, NuScenesRig.RadarMount radar) {
            int ch = NuScenesRig.RADARS.indexOf(radar);
            return Radar.scan(sceneAtMicros(c.micros()), radarToScene(c, radar), egoVelocity(), this::sceneVelocity,
                    Lidar.mix(Lidar.mix(seed, 7), 10L * c.index() + ch));
        }

        /** Whether an annotated object moves. */
        public boolean moving(int id) { return movers.containsKey(id); }

        /** A mover's global velocity (vx, vy), zeros for a still object. */
        public double[] globalVelocity(int id) {
            Mover m = movers.get(id);
            if (m == null) return new double[2];
            double c = Math.cos(yaw), s = Math.sin(yaw);
            return new double[] {c * m.vx - s * m.vy, s * m.vx + c * m.vy};
        }
    }

    static final Lidar LIDAR = Lidar.hdl32e();
    /** LIDAR_TOP on the ego: 0.94 m ahead, 1.84 m up, x right and y forward. */
    public static final Pose LIDAR_TO_EGO = Pose.rotationZ(-Math.PI / 2).then(Pose.translation(0.94, 0, 1.84));

    /** The plan of scene {@code scene} of the dataset {@link #write} writes from {@code seed}. */
    public static Plan scenePlan(long seed, long scene, Config cfg) { return plan(Lidar.mix(seed, scene), cfg); }

    /** Plans one scene from its seed: street, ego speed, movers, and its place in the global frame. */
    public static Plan plan(long seed, Config cfg) {
        Scene street = SceneGenerator.generate(seed, true);
        SplittableRandom r = new SplittableRandom(Lidar.mix(seed, 99));
        double egoSpeed = SceneGenerator.uniform(r, 3, 8);
        double duration = (cfg.readings() - 1) * cfg.periodMicros() * 1e-6;
        double x0 = -0.3 * egoSpeed * duration, x1 = x0 + egoSpeed * duration;
        // clear the ego's lane along its path: nothing may stand where the car drives
        List<SceneObject> kept = new ArrayList<>();
        for (SceneObject o : street.objects()) {
            double rad = o.footprintRadius();
            double[] bb = o.bevBounds();
            boolean inLane = bevOnly(o) ? bb[1] < 1.3 && bb[3] > -1.3 && bb[2] > x0 - 3 && bb[0] < x1 + 3
                    : Math.abs(o.cy()) < rad + 1.3 && o.cx() > x0 - rad - 3 && o.cx() < x1 + rad + 3;
            if (!inLane) kept.add(o.placed(kept.size(), o.cx(), o.cy(), o.cz()));
        }
        Scene world = new Scene(street.seed(), street.slopeX(), street.slopeY(), street.roadY(), street.roadHalf(), street.kerb(), kept);
        Map<Integer, Mover> movers = new LinkedHashMap<>();
        double mid = duration / 2;
        for (SceneObject o : kept) {
            if (!o.annotated()) continue;
            double speed = switch (o.cls()) {
                case CAR, VAN, TRUCK -> SceneGenerator.uniform(r, 3, 10);
                case PEDESTRIAN -> SceneGenerator.uniform(r, 0.8, 1.6);
                case CYCLIST -> SceneGenerator.uniform(r, 2, 5);
                case BUS -> SceneGenerator.uniform(r, 3, 9);
                case MOTORCYCLE -> SceneGenerator.uniform(r, 4, 11);
                case TRAILER, CONSTRUCTION_VEHICLE -> SceneGenerator.uniform(r, 1.5, 5);
                case BARRIER, TRAFFIC_CONE -> 0;
            };
            // trailers and construction vehicles mostly stand (parked, at work)
            double movingShare = o.cls() == ObjectClass.TRAILER || o.cls() == ObjectClass.CONSTRUCTION_VEHICLE ? 0.2 : 0.5;
            if (speed == 0 || r.nextDouble() >= movingShare) continue;
            Mover m = new Mover(o.id(), speed * Math.cos(o.heading()), speed * Math.sin(o.heading()));
            if (pathIsFree(world, movers, m, o, duration, mid)) movers.put(o.id(), m);
        }
        double yaw = SceneGenerator.uniform(r, -Math.PI, Math.PI);
        Pose sceneToGlobal = Pose.rotationZ(yaw).then(Pose.translation(SceneGenerator.uniform(r, 300, 2000), SceneGenerator.uniform(r, 300, 2000), 0));
        return new Plan(seed, cfg, world, Map.copyOf(movers), sceneToGlobal, yaw, egoSpeed, x0);
    }

    /**
     * The nuScenes-only classes (bus, trailer, construction vehicle, motorcycle), placed by their footprint bounds
     * ({@link SceneObject#bevBounds}), keep clear by those bounds here too: a bus's footprint circle would
     * reach over every lane. The other classes keep their footprint circles, apart from these.
     */
    static boolean bevOnly(SceneObject o) {
        return o.cls() != null && switch (o.cls()) {
            case BUS, TRAILER, CONSTRUCTION_VEHICLE, MOTORCYCLE -> true;
            case CAR, VAN, TRUCK, PEDESTRIAN, CYCLIST, BARRIER, TRAFFIC_CONE -> false;
        };
    }

    /** Whether a mover keeps clear of every other object, the ego lane and the kerb over the whole scene. */
    private static boolean pathIsFree(Scene world, Map<Integer, Mover> movers, Mover m, SceneObject o, double duration, double mid) {
        double ri = o.footprintRadius();
        boolean bev = bevOnly(o);
        int side = Integer.signum((int) Math.signum(Math.abs(o.cy() - world.roadY()) - world.roadHalf()));
        for (double t = 0; t <= duration + 1e-9; t += 0.25) {
            double dt = t - mid, x = o.cx() + m.vx() * dt, y = o.cy() + m.vy() * dt;
            double[] bb = o.bevBounds(x, y);
            if (bev ? bb[1] < 1.3 && bb[3] > -1.3 : Math.abs(y) < ri + 1.3) return false;
            if (bev) {
                if (bb[1] < world.roadY() - world.roadHalf() + 0.05 || bb[3] > world.roadY() + world.roadHalf() - 0.05) return false;
            } else {
                double edge = Math.abs(y - world.roadY()) - world.roadHalf();
                if (Math.signum(edge) != side || Math.abs(edge) < ri + 0.05) return false;
            }
            for (SceneObject q : world.objects()) {
                if (q.id() == o.id()) continue;
                Mover mq = movers.get(q.id());
                double qx = q.cx() + (mq == null ? 0 : mq.vx() * dt), qy = q.cy() + (mq == null ? 0 : mq.vy() * dt);
                if (bev || bevOnly(q)) { // a bounds mover keeps clear of the bounds of everything (a building's circle covers lanes)
                    if (!apart(bev ? bb : null, x, y, ri, q.bevBounds(qx, qy), qx, qy, q.footprintRadius(), 0.3)) return false;
                } else if (Math.hypot(x - qx, y - qy) < ri + q.footprintRadius() + 0.3) return false;
            }
        }
        return true;
    }

    /**
     * Whether two footprints keep {@code gap} apart, each given by its bounds {@code a} / {@code b} or, where
     * those are null, by its circle about (x, y) of radius r.
     */
    private static boolean apart(double[] a, double ax, double ay, double ar, double[] b, double bx, double by, double br, double gap) {
        if (a == null && b == null) return Math.hypot(ax - bx, ay - by) >= ar + br + gap;
        if (a == null) return apart(b, bx, by, br, null, ax, ay, ar, gap);
        if (b == null) {
            double dx = Math.max(0, Math.max(a[0] - bx, bx - a[2])), dy = Math.max(0, Math.max(a[1] - by, by - a[3]));
            return Math.hypot(dx, dy) >= br + gap;
        }
        return a[0] >= b[2] + gap || b[0] >= a[2] + gap || a[1] >= b[3] + gap || b[1] >= a[3] + gap;
    }

    /** {@link #write(Path, int, long, Config, Progress)} with {@link Config#defaults()}. */
    public static NuScenesTables write(Path out, int scenes, long seed, Progress progress) throws IOException {
        return write(out, scenes, seed, Config.defaults(), progress);
    }

    /**
     * Writes {@code scenes} scenes (named scene-0000, ...; scene i planned from {@code Lidar.mix(seed, i)}) under
     * {@code out}: point clouds in {@code samples/LIDAR_TOP} and {@code sweeps/LIDAR_TOP}, tables in
     * {@code out/}{@value #VERSION}. Returns the tables as written.
     */
    public static NuScenesTables write(Path out, int scenes, long seed, Config cfg, Progress progress) throws IOException {
        if (scenes < 0) throw new IllegalArgumentException("SyntheticNuScenes.write: scenes must be >= 0, got " + scenes);
        Files.createDirectories(out.resolve("samples").resolve(CHANNEL));
        Files.createDirectories(out.resolve("sweeps").resolve(CHANNEL));
        List<String> channels = new ArrayList<>();
        if (cfg.cameras()) for (NuScenesRig.CameraMount c : NuScenesRig.CAMERAS) channels.add(c.channel());
        if (cfg.radar()) for (NuScenesRig.RadarMount r : NuScenesRig.RADARS) channels.add(r.channel());
        for (String c : channels) {
            Files.createDirectories(out.resolve("samples").resolve(c));
            Files.createDirectories(out.resolve("sweeps").resolve(c));
        }
        Tables tb = new Tables(seed);
        for (int s = 0; s < scenes; s++) {
            writeScene(out, tb, s, scenePlan(seed, s, cfg));
            if (progress != null) progress.sceneDone(s + 1, scenes);
        }
        NuScenesTables t = tb.build();
        t.write(out, VERSION);
        return t;
    }

    /** Visibility bins as the released table: token "1".."4". */
    static final List<NuScenesTables.Visibility> VISIBILITY = List.of(
            new NuScenesTables.Visibility("1", "v0-40", "visibility of whole object is between 0 and 40%"),
            new NuScenesTables.Visibility("2", "v40-60", "visibility of whole object is between 40 and 60%"),
            new NuScenesTables.Visibility("3", "v60-80", "visibility of whole object is between 60 and 80%"),
            new NuScenesTables.Visibility("4", "v80-100", "visibility of whole object is between 80 and 100%"));

    static final List<String> ATTRIBUTES = List.of("vehicle.moving", "vehicle.parked", "vehicle.stopped", "pedestrian.moving",
            "pedestrian.standing", "pedestrian.sitting_lying_down", "cycle.with_rider", "cycle.without_rider");

    /** The rows of all tables, gathered scene by scene. */
    private static final class Tables {
        final long seed;
        final Map<String, NuScenesTables.Category> category = new LinkedHashMap<>();
        final List<NuScenesTables.Attribute> attribute = new ArrayList<>();
        final List<NuScenesTables.Instance> instance = new ArrayList<>();
        final List<NuScenesTables.Sensor> sensor = new ArrayList<>();
        final List<NuScenesTables.CalibratedSensor> calibrated = new ArrayList<>();
        final List<NuScenesTables.EgoPose> ego = new ArrayList<>();
        final List<NuScenesTables.Log> log = new ArrayList<>();
        final List<NuScenesTables.Scene> scene = new ArrayList<>();
        final List<NuScenesTables.Sample> sample = new ArrayList<>();
        final List<NuScenesTables.SampleData> sampleData = new ArrayList<>();
        final List<NuScenesTables.SampleAnnotation> ann = new ArrayList<>();
        final String sensorToken;

        Tables(long seed) {
            this.seed = seed;
            sensorToken = token(1, 0, 0, 0);
            sensor.add(new NuScenesTables.Sensor(sensorToken, CHANNEL, "lidar"));
            for (int c = 0; c < NuScenesRig.CAMERAS.size(); c++)
                sensor.add(new NuScenesTables.Sensor(token(1, 0, 1 + c, 0), NuScenesRig.CAMERAS.get(c).channel(), "camera"));
            for (int c = 0; c < NuScenesRig.RADARS.size(); c++)
                sensor.add(new NuScenesTables.Sensor(token(1, 0, 1 + NuScenesRig.CAMERAS.size() + c, 0), NuScenesRig.RADARS.get(c).channel(), "radar"));
            for (int i = 0; i < ATTRIBUTES.size(); i++) attribute.add(new NuScenesTables.Attribute(token(2, 0, i, 0), ATTRIBUTES.get(i), ""));
            for (ObjectClass c : ObjectClass.values())
                category.computeIfAbsent(c.nuScenesCategory, n -> new NuScenesTables.Category(token(3, 0, category.size(), 0), n, ""));
        }

        /** A 32-hex-digit token, a hash of (seed, table, scene, a, b). */
        String token(int table, int scene, int a, int b) {
            long h = Lidar.mix(Lidar.mix(Lidar.mix(seed, table), scene), (long) a * 1_000_003L + b);
            return String.format(Locale.ROOT, "%016x%016x", h, Lidar.mix(h, 7));
        }

        String attributeToken(String name) { return attribute.get(ATTRIBUTES.indexOf(name)).token(); }

        NuScenesTables build() {
            return NuScenesTables.of(List.copyOf(category.values()), attribute, VISIBILITY, instance, sensor, calibrated, ego, log, scene, sample,
                    sampleData, ann);
        }
    }

    private static double[] quaternion(Pose p) { return p.quaternion(); }

    private static void writeScene(Path out, Tables tb, int s, Plan plan) throws IOException {
        Config cfg = plan.cfg();
        String name = String.format(Locale.ROOT, "scene-%04d", s);
        String logToken = tb.token(10, s, 0, 0), sceneToken = tb.token(11, s, 0, 0), csToken = tb.token(12, s, 0, 0);
        tb.log.add(new NuScenesTables.Log(logToken, "synth-" + name, "synth", "2018-08-01", "synthetic"));
        tb.calibrated.add(new NuScenesTables.CalibratedSensor(csToken, tb.sensorToken, LIDAR_TO_EGO.translationVector(), quaternion(LIDAR_TO_EGO),
                new double[0][]));
        for (int c = 0; c < NuScenesRig.CAMERAS.size() && cfg.cameras(); c++) {
            NuScenesRig.CameraMount cam = NuScenesRig.CAMERAS.get(c);
            tb.calibrated.add(new NuScenesTables.CalibratedSensor(tb.token(12, s, 1 + c, 0), tb.token(1, 0, 1 + c, 0), cam.toEgo().translationVector(),
                    quaternion(cam.toEgo()), cam.intrinsic(cfg.cameraScale())));
        }
        for (int c = 0; c < NuScenesRig.RADARS.size() && cfg.radar(); c++) {
            NuScenesRig.RadarMount rad = NuScenesRig.RADARS.get(c);
            int ch = radarChannel(c);
            tb.calibrated.add(new NuScenesTables.CalibratedSensor(tb.token(12, s, ch, 0), tb.token(1, 0, ch, 0), rad.toEgo().translationVector(),
                    quaternion(rad.toEgo()), new double[0][]));
        }
        int readings = cfg.readings();
        String[] sampleTokens = new String[cfg.keyframes()];
        for (int k = 0; k < sampleTokens.length; k++) sampleTokens[k] = tb.token(13, s, k, 0);
        for (int k = 0; k < sampleTokens.length; k++)
            tb.sample.add(new NuScenesTables.Sample(sampleTokens[k], plan.timestamp(k * (cfg.sweepsBetween() + 1) + cfg.sweepsBetween()),
                    k == 0 ? "" : sampleTokens[k - 1], k + 1 == sampleTokens.length ? "" : sampleTokens[k + 1], sceneToken));
        tb.scene.add(new NuScenesTables.Scene(sceneToken, logToken, cfg.keyframes(), sampleTokens[0], sampleTokens[sampleTokens.length - 1], name,
                "synthetic street, " + plan.movers().size() + " moving objects"));
        // per instance (object id): its annotation tokens in time order
        Map<Integer, List<Integer>> annIndexByObject = new LinkedHashMap<>();
        Map<Integer, String> instanceToken = new HashMap<>();
        Tensor[] radarPts = writeCamerasAndRadars(out, tb, s, name, plan, sampleTokens);
        for (int i = 0; i < readings; i++) {
            boolean key = cfg.isKeyFrame(i);
            long ts = plan.timestamp(i);
            String sdToken = tb.token(14, s, i, 0), egoToken = tb.token(15, s, i, 0);
            Pose egoToGlobal = plan.egoToGlobal(i);
            tb.ego.add(new NuScenesTables.EgoPose(egoToken, ts, quaternion(egoToGlobal), egoToGlobal.translationVector()));
            String file = (key ? "samples/" : "sweeps/") + CHANNEL + "/" + String.format(Locale.ROOT, "synth-%s__%s__%d.pcd.bin", name, CHANNEL, ts);
            tb.sampleData.add(new NuScenesTables.SampleData(sdToken, sampleTokens[cfg.nearestSample(i * cfg.periodMicros())], egoToken, csToken, ts, "pcd", key, 0, 0, file,
                    i == 0 ? "" : tb.token(14, s, i - 1, 0), i + 1 == readings ? "" : tb.token(14, s, i + 1, 0)));
            Scene scene = plan.sceneAt(i);
            Pose lidarToScene = plan.lidarToScene(i);
            Lidar.LidarScan scan = LIDAR.scan(scene, lidarToScene, Lidar.mix(plan.seed(), 1000 + i));
            LidarPointCloud.write(out.resolve(file), pcd(scan));
            if (!key) continue;
            annotate(tb, s, plan, i, scene, lidarToScene, scan, radarPts[cfg.keyIndex(i)], sampleTokens[cfg.keyIndex(i)], annIndexByObject, instanceToken);
        }
        // prev/next chains and instances
        for (var e : annIndexByObject.entrySet()) {
            List<Integer> idx = e.getValue();
            for (int j = 0; j < idx.size(); j++) {
                NuScenesTables.SampleAnnotation a = tb.ann.get(idx.get(j));
                tb.ann.set(idx.get(j), new NuScenesTables.SampleAnnotation(a.token(), a.sampleToken(), a.instanceToken(), a.visibilityToken(),
                        a.attributeTokens(), a.translation(), a.size(), a.rotation(), j == 0 ? "" : tb.ann.get(idx.get(j - 1)).token(),
                        j + 1 == idx.size() ? "" : tb.ann.get(idx.get(j + 1)).token(), a.numLidarPts(), a.numRadarPts()));
            }
            SceneObject o = plan.world().objects().get(e.getKey());
            tb.instance.add(new NuScenesTables.Instance(instanceToken.get(e.getKey()), tb.category.get(o.cls().nuScenesCategory).token(), idx.size(),
                    tb.ann.get(idx.get(0)).token(), tb.ann.get(idx.get(idx.size() - 1)).token()));
        }
    }

    private static int radarChannel(int radar) { return 1 + NuScenesRig.CAMERAS.size() + radar; }

    /**
     * Writes every camera and radar capture of the scene (key frames under {@code samples/}, sweeps under
     * {@code sweeps/}) with its sample_data row (chained per channel in time order, attached to its nearest sample)
     * and its ego_pose at its own timestamp; returns per sample the radar key-frame returns that pass the devkit's
     * default filters, in the scene frame [N, 3], for num_radar_pts.
     */
    private static Tensor[] writeCamerasAndRadars(Path out, Tables tb, int s, String name, Plan plan, String[] sampleTokens) throws IOException {
        Config cfg = plan.cfg();
        for (int c = 0; c < NuScenesRig.CAMERAS.size() && cfg.cameras(); c++) {
            NuScenesRig.CameraMount cam = NuScenesRig.CAMERAS.get(c);
            List<Capture> caps = plan.cameraCaptures();
            for (Capture cap : caps) {
                Camera.Image img = plan.render(cap, cam);
                String file = captureFile(cap, cam.channel(), name, plan, "jpg");
                CameraImages.write(out.resolve(file), toImage(img));
                addSampleData(tb, s, 1 + c, caps, cap, sampleTokens, plan, "jpg", img.height(), img.width(), file);
            }
        }
        List<List<float[]>> radarScene = new ArrayList<>();
        for (int k = 0; k < cfg.keyframes(); k++) radarScene.add(new ArrayList<>());
        for (int c = 0; c < NuScenesRig.RADARS.size() && cfg.radar(); c++) {
            NuScenesRig.RadarMount rad = NuScenesRig.RADARS.get(c);
            List<Capture> caps = plan.radarCaptures(c);
            for (Capture cap : caps) {
                Radar.RadarScan scan = plan.radarScan(cap, rad);
                String file = captureFile(cap, rad.channel(), name, plan, "pcd");
                RadarPointCloud.write(out.resolve(file), Tensor.of(scan.returns(), scan.size(), 18));
                addSampleData(tb, s, radarChannel(c), caps, cap, sampleTokens, plan, "pcd", 0, 0, file);
                if (!cap.keyFrame()) continue;
                double[] r = plan.radarToScene(cap, rad).rowMajor();
                float[] v = scan.returns();
                for (int j = 0; j < scan.size(); j++) {
                    int o = j * 18;
                    if (v[o + RadarPointCloud.INVALID_STATE] != 0 || v[o + RadarPointCloud.AMBIG_STATE] != 3 || v[o + RadarPointCloud.DYN_PROP] > 6) continue;
                    double x = v[o], y = v[o + 1], z = v[o + 2];
                    radarScene.get(cap.sample()).add(new float[] {(float) (r[0] * x + r[1] * y + r[2] * z + r[3]),
                        (float) (r[4] * x + r[5] * y + r[6] * z + r[7]), (float) (r[8] * x + r[9] * y + r[10] * z + r[11])});
                }
            }
        }
        Tensor[] perSample = new Tensor[cfg.keyframes()];
        for (int k = 0; k < perSample.length; k++) {
            List<float[]> pts = radarScene.get(k);
            float[] all = new float[pts.size() * 3];
            for (int j = 0; j < pts.size(); j++) System.arraycopy(pts.get(j), 0, all, j * 3, 3);
            perSample[k] = Tensor.of(all, pts.size(), 3);
        }
        return perSample;
    }

    /** Where a capture's file goes: samples/ for a key frame, sweeps/ otherwise, named as the released files. */
    private static String captureFile(Capture cap, String channel, String name, Plan plan, String ext) {
        return (cap.keyFrame() ? "samples/" : "sweeps/") + channel + "/"
                + String.format(Locale.ROOT, "synth-%s__%s__%d.%s", name, channel, plan.timestampAt(cap.micros()), ext);
    }

    private static void addSampleData(Tables tb, int s, int ch, List<Capture> caps, Capture cap, String[] sampleTokens, Plan plan, String format,
                                      int height, int width, String file) {
        int i = cap.index();
        long ts = plan.timestampAt(cap.micros());
        Pose egoToGlobal = plan.egoToGlobalAt(cap.micros());
        String egoToken = tb.token(19, s, i, ch);
        tb.ego.add(new NuScenesTables.EgoPose(egoToken, ts, quaternion(egoToGlobal), egoToGlobal.translationVector()));
        tb.sampleData.add(new NuScenesTables.SampleData(tb.token(18, s, i, ch), sampleTokens[cap.sample()], egoToken, tb.token(12, s, ch, 0), ts, format,
                cap.keyFrame(), height, width, file, i == 0 ? "" : tb.token(18, s, i - 1, ch), i + 1 == caps.size() ? "" : tb.token(18, s, i + 1, ch)));
    }

    /** A rendered image as an RGB BufferedImage. */
    static BufferedImage toImage(Camera.Image img) {
        int w = img.width(), h = img.height();
        byte[] rgb = img.rgb();
        int[] argb = new int[w * h];
        for (int i = 0; i < argb.length; i++) argb[i] = (rgb[i * 3] & 0xff) << 16 | (rgb[i * 3 + 1] & 0xff) << 8 | rgb[i * 3 + 2] & 0xff;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, argb, 0, w);
        return out;
    }

    /**
     * A reading (KITTI's 0..1 scale) on the Velodyne calibrated-reflectivity scale nuScenes stores: diffuse surfaces
     * at 0..100 (their reflectance in percent: a road reading 0.27 stores about 13, as the real key frame's road
     * reads 14), retro-reflectors (readings from 0.6 up: plates, lamps, cones) at 101..255.
     */
    static int velodyneReflectivity(double reading) {
        if (reading < RETRO_READING) return (int) Math.round(reading * 50);
        return (int) Math.round(101 + Math.min(1, (reading - RETRO_READING) / (1 - RETRO_READING)) * 154);
    }

    /** The reading from which a return counts as a retro-reflector's. */
    static final double RETRO_READING = 0.6;

    /** A scan as nuScenes stores it: x, y, z, intensity on the Velodyne 0..255 scale, ring (0 = top beam). */
    static Tensor pcd(Lidar.LidarScan scan) {
        int n = scan.size();
        float[] v = new float[n * 5], p = scan.points();
        for (int i = 0; i < n; i++) {
            v[i * 5] = p[i * 4];
            v[i * 5 + 1] = p[i * 4 + 1];
            v[i * 5 + 2] = p[i * 4 + 2];
            v[i * 5 + 3] = velodyneReflectivity(p[i * 4 + 3]);
            v[i * 5 + 4] = scan.ring()[i];
        }
        return Tensor.of(v, n, 5);
    }

    /** The scan's points moved into the scene frame, float [N, 3]. */
    static Tensor sceneCloud(Lidar.LidarScan scan, Pose lidarToScene) {
        double[] r = lidarToScene.rowMajor();
        float[] p = scan.points(), v = new float[scan.size() * 3];
        for (int i = 0; i < scan.size(); i++) {
            double x = p[i * 4], y = p[i * 4 + 1], z = p[i * 4 + 2];
            v[i * 3] = (float) (r[0] * x + r[1] * y + r[2] * z + r[3]);
            v[i * 3 + 1] = (float) (r[4] * x + r[5] * y + r[6] * z + r[7]);
            v[i * 3 + 2] = (float) (r[8] * x + r[9] * y + r[10] * z + r[11]);
        }
        return Tensor.of(v, scan.size(), 3);
    }

    private static void annotate(Tables tb, int s, Plan plan, int reading, Scene scene, Pose lidarToScene, Lidar.LidarScan scan, Tensor radarPts, String sampleToken,
                                 Map<Integer, List<Integer>> annIndexByObject, Map<Integer, String> instanceToken) {
        double[] ego = plan.egoToScene(reading).translationVector();
        List<SceneObject> objs = new ArrayList<>();
        for (SceneObject o : scene.objects())
            if (o.annotated() && Math.hypot(o.cx() - ego[0], o.cy() - ego[1]) < plan.cfg().annotationRange()) objs.add(o);
        if (objs.isEmpty()) return;
        float[] boxes = new float[objs.size() * 7];
        for (int j = 0; j < objs.size(); j++) {
            double[] b = objs.get(j).box();
            for (int k = 0; k < 7; k++) boxes[j * 7 + k] = (float) b[k];
        }
        int[][] inside = PointsInBoxes.pointsOfBoxes(sceneCloud(scan, lidarToScene), Tensor.of(boxes, objs.size(), 7), 0f);
        int[][] radarInside = PointsInBoxes.pointsOfBoxes(radarPts, Tensor.of(boxes, objs.size(), 7), 0f);
        int[] hits = new int[scene.objects().size()];
        for (int id : scan.objectIds()) if (id >= 0) hits[id]++;
        long scanSeed = Lidar.mix(plan.seed(), 1000 + reading);
        for (int j = 0; j < objs.size(); j++) {
            SceneObject o = objs.get(j);
            double[] b = o.box();
            // the same rays against the object alone: what occlusion by everything else took away
            Scene alone = new Scene(scene.seed(), scene.slopeX(), scene.slopeY(), scene.roadY(), scene.roadHalf(), scene.kerb(),
                    List.of(o.placed(0, o.cx(), o.cy(), o.cz())));
            int free = 0;
            for (int id : LIDAR.scan(alone, lidarToScene, scanSeed).objectIds()) if (id == 0) free++;
            double frac = free == 0 ? 0 : (double) hits[o.id()] / free;
            String vis = frac <= 0.4 ? "1" : frac <= 0.6 ? "2" : frac <= 0.8 ? "3" : "4";
            double[] c = plan.sceneToGlobal().apply(b[0], b[1], b[2]);
            boolean moving = plan.moving(o.id());
            String attr = switch (o.cls()) {
                case CAR, VAN, TRUCK, BUS, TRAILER, CONSTRUCTION_VEHICLE -> moving ? "vehicle.moving" : "vehicle.parked";
                case PEDESTRIAN -> moving ? "pedestrian.moving" : "pedestrian.standing";
                case CYCLIST, MOTORCYCLE -> "cycle.with_rider";
                case BARRIER, TRAFFIC_CONE -> null;
            };
            String inst = instanceToken.computeIfAbsent(o.id(), id -> tb.token(16, s, id, 0));
            String token = tb.token(17, s, o.id(), reading);
            annIndexByObject.computeIfAbsent(o.id(), id -> new ArrayList<>()).add(tb.ann.size());
            tb.ann.add(new NuScenesTables.SampleAnnotation(token, sampleToken, inst, vis, attr == null ? List.of() : List.of(tb.attributeToken(attr)),
                    c, new double[] {b[4], b[3], b[5]}, DetectionBox.yawQuaternion(b[6] + plan.yaw()), "", "", inside[j].length, radarInside[j].length));
        }
    }
}
