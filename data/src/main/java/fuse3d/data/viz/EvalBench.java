package fuse3d.data.viz;

import fuse3d.data.kitti.KittiEvalResult;
import fuse3d.data.kitti.KittiEvaluator;
import fuse3d.data.kitti.KittiObject;
import fuse3d.data.nuscenes.DetectionBox;
import fuse3d.data.nuscenes.DetectionClasses;
import fuse3d.data.nuscenes.DetectionConfig;
import fuse3d.data.nuscenes.DetectionMetrics;
import fuse3d.data.nuscenes.NuScenesEvaluator;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

/**
 * The evaluation benchmark: seconds the KITTI evaluator takes on val-sized random data (3,769 frames, about 4 GT
 * objects and 20 perturbed or spurious detections per frame) and the nuScenes evaluator on 6,019 samples (about
 * 40 GT boxes and 300 detections each). Prints one bench line per evaluator; data generation is not timed.
 */
public final class EvalBench {
    private EvalBench() {}

    public static final int KITTI_FRAMES = 3769, NUSCENES_SAMPLES = 6019;
    /** Quick mode runs a tenth of each (for smoke tests); the line then names the smaller count. */
    static final int QUICK_DIVISOR = 10;

    /** One measurement: which evaluator, over how many frames or samples, wall seconds, and the threads it could use. */
    public record Result(String name, int count, double seconds, int threads) {
        public String line() {
            String unit = name.equals("eval_kitti") ? "frames" : "samples";
            return String.format(Locale.ROOT, "bench %s %s=%d s=%.3f threads=%d", name, unit, count, seconds, threads);
        }
    }

    /**
     * Runs both measurements and prints {@code bench eval_kitti frames=3769 s=... threads=...} and
     * {@code bench eval_nuscenes samples=6019 s=... threads=...}; {@code quick} uses a tenth of the data.
     */
    public static List<Result> run(PrintStream out, boolean quick) {
        int frames = quick ? KITTI_FRAMES / QUICK_DIVISOR : KITTI_FRAMES;
        int samples = quick ? NUSCENES_SAMPLES / QUICK_DIVISOR : NUSCENES_SAMPLES;
        List<Result> results = new ArrayList<>();

        List<List<KittiObject>>[] k = kittiData(frames, 42);
        long t0 = System.nanoTime();
        KittiEvalResult kr = KittiEvaluator.evaluate(k[0], k[1]);
        double ks = (System.nanoTime() - t0) / 1e9;
        // the KITTI evaluator runs its (class, difficulty) tasks on the common fork-join pool
        Result kres = new Result("eval_kitti", frames, ks, ForkJoinPool.getCommonPoolParallelism() + 1);
        results.add(kres);
        out.println(kres.line());
        out.flush();
        if (!Double.isFinite(kr.ap("Car", KittiEvalResult.Overlap.STRICT, KittiEvalResult.Protocol.R40, KittiEvalResult.Metric.THREE_D,
                KittiEvalResult.Difficulty.MODERATE))) throw new IllegalStateException("EvalBench: KITTI AP is not finite");

        @SuppressWarnings("unchecked")
        Map<String, List<DetectionBox>>[] n = nuscenesData(samples, 7);
        long t1 = System.nanoTime();
        DetectionMetrics m = NuScenesEvaluator.evaluate(n[0], n[1], Map.of(), DetectionConfig.cvpr2019());
        double ns = (System.nanoTime() - t1) / 1e9;
        Result nres = new Result("eval_nuscenes", samples, ns, 1);
        results.add(nres);
        out.println(nres.line());
        out.flush();
        if (!Double.isFinite(m.ndScore())) throw new IllegalStateException("EvalBench: NDS is not finite");
        return results;
    }

    private static final String[] KITTI_TYPES = {"Car", "Car", "Car", "Pedestrian", "Cyclist", "Van", "DontCare"};
    private static final double[][] KITTI_HWL = {{1.5, 1.6, 3.9}, {1.5, 1.6, 3.9}, {1.5, 1.6, 3.9}, {1.75, 0.6, 0.8}, {1.7, 0.6, 1.75},
        {2.2, 1.9, 5.1}, {1, 1, 1}};

    /** [GT, detections] per frame: GT of ~4 objects, detections two perturbed copies of each GT plus spurious boxes to ~20. */
    @SuppressWarnings("unchecked")
    static List<List<KittiObject>>[] kittiData(int frames, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<List<KittiObject>> gt = new ArrayList<>(frames), dt = new ArrayList<>(frames);
        for (int f = 0; f < frames; f++) {
            int ng = 2 + rnd.nextInt(5);
            List<KittiObject> g = new ArrayList<>(ng), d = new ArrayList<>(20);
            for (int i = 0; i < ng; i++) {
                int t = rnd.nextInt(KITTI_TYPES.length);
                KittiObject o = randomObject(rnd, KITTI_TYPES[t], KITTI_HWL[t]);
                g.add(o);
                if (o.isDontCare()) continue;
                for (int c = 0; c < 2; c++) d.add(perturb(rnd, o).withScore(rnd.nextDouble()));
            }
            while (d.size() < 20) {
                int t = rnd.nextInt(KITTI_TYPES.length - 1);
                d.add(randomObject(rnd, KITTI_TYPES[t], KITTI_HWL[t]).withScore(rnd.nextDouble() * 0.6));
            }
            gt.add(g);
            dt.add(d);
        }
        return new List[] {gt, dt};
    }

    private static KittiObject randomObject(SplittableRandom rnd, String type, double[] hwl) {
        double z = 5 + rnd.nextDouble() * 50, x = -15 + rnd.nextDouble() * 30, ry = -Math.PI + rnd.nextDouble() * 2 * Math.PI;
        // a rough pinhole projection (f = 720 px) keeps 2D boxes, heights and distances consistent
        double u = 610 + 720 * x / z, h2d = 720 * hwl[0] / z, w2d = 720 * Math.max(hwl[1], hwl[2]) / z;
        double[] bbox = {u - w2d / 2, 180 - h2d / 2, u + w2d / 2, 180 + h2d / 2};
        double alpha = ry - Math.atan2(x, z);
        return KittiObject.label(type, rnd.nextDouble() * 0.5, rnd.nextInt(3), alpha, bbox, hwl.clone(), new double[] {x, 1.6, z}, ry);
    }

    private static KittiObject perturb(SplittableRandom rnd, KittiObject o) {
        double s = 0.05;
        double[] bbox = {o.x1() + rnd.nextGaussian() * 3, o.y1() + rnd.nextGaussian() * 3, o.x2() + rnd.nextGaussian() * 3, o.y2() + rnd.nextGaussian() * 3};
        double[] hwl = {o.height() * (1 + rnd.nextGaussian() * s), o.width() * (1 + rnd.nextGaussian() * s), o.length() * (1 + rnd.nextGaussian() * s)};
        double[] loc = {o.x() + rnd.nextGaussian() * 0.2, o.y() + rnd.nextGaussian() * 0.05, o.z() + rnd.nextGaussian() * 0.3};
        double ry = o.rotationY() + rnd.nextGaussian() * 0.1;
        return KittiObject.label(o.type(), 0, 0, o.alpha() + (ry - o.rotationY()), bbox, hwl, loc, ry);
    }

    private static final double[][] NUSC_WLH = {{1.95, 4.6, 1.7}, {2.5, 6.9, 2.8}, {2.9, 11, 3.5}, {2.9, 12, 3.9}, {2.8, 6.4, 3.2},
        {0.67, 0.73, 1.77}, {0.77, 2.1, 1.47}, {0.6, 1.7, 1.3}, {0.41, 0.41, 1.07}, {2.5, 0.5, 1}};

    /** [GT, predictions] by sample token: 40 GT boxes (ego at the origin) and 300 predictions, ~80 of them near a GT box. */
    @SuppressWarnings("unchecked")
    static Map<String, List<DetectionBox>>[] nuscenesData(int samples, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        // shared, never-mutated arrays keep two million boxes in a few hundred megabytes
        double[][] rotations = new double[360][];
        for (int i = 0; i < rotations.length; i++) rotations[i] = DetectionBox.yawQuaternion(Math.toRadians(i));
        double[][] velocities = new double[64][];
        for (int i = 0; i < velocities.length; i++) velocities[i] = new double[] {rnd.nextGaussian() * 3, rnd.nextGaussian() * 3};
        List<String> names = DetectionClasses.NAMES;
        Map<String, List<DetectionBox>> gt = new LinkedHashMap<>(), pred = new LinkedHashMap<>();
        for (int s = 0; s < samples; s++) {
            String token = String.format(Locale.ROOT, "sample%06d", s);
            List<DetectionBox> g = new ArrayList<>(40), p = new ArrayList<>(300);
            for (int i = 0; i < 40; i++) {
                int c = rnd.nextInt(names.size());
                String name = names.get(c);
                double[] t = {-48 + rnd.nextDouble() * 96, -48 + rnd.nextDouble() * 96, rnd.nextDouble() * 2 - 1};
                List<String> attrs = DetectionClasses.relevantAttributes(name);
                String attr = attrs.isEmpty() ? "" : attrs.get(rnd.nextInt(attrs.size()));
                int r = rnd.nextInt(360);
                g.add(new DetectionBox(token, t, NUSC_WLH[c], rotations[r], velocities[rnd.nextInt(64)], t, 1 + rnd.nextInt(200), name, -1, attr));
                for (int k = 0; k < 2; k++) {
                    double[] pt = {t[0] + rnd.nextGaussian() * 0.4, t[1] + rnd.nextGaussian() * 0.4, t[2] + rnd.nextGaussian() * 0.1};
                    double[] size = {NUSC_WLH[c][0] * (1 + rnd.nextGaussian() * 0.05), NUSC_WLH[c][1] * (1 + rnd.nextGaussian() * 0.05), NUSC_WLH[c][2]};
                    int pr = Math.floorMod(r + (int) Math.round(rnd.nextGaussian() * 10), 360);
                    p.add(new DetectionBox(token, pt, size, rotations[pr], velocities[rnd.nextInt(64)], pt, -1, name, rnd.nextDouble(), attr));
                }
            }
            while (p.size() < 300) {
                int c = rnd.nextInt(names.size());
                String name = names.get(c);
                double[] t = {-55 + rnd.nextDouble() * 110, -55 + rnd.nextDouble() * 110, rnd.nextDouble() * 2 - 1};
                List<String> attrs = DetectionClasses.relevantAttributes(name);
                String attr = attrs.isEmpty() ? "" : attrs.get(rnd.nextInt(attrs.size()));
                p.add(new DetectionBox(token, t, NUSC_WLH[c], rotations[rnd.nextInt(360)], velocities[rnd.nextInt(64)], t, -1, name,
                        rnd.nextDouble() * 0.5, attr));
            }
            gt.put(token, g);
            pred.put(token, p);
        }
        return new Map[] {gt, pred};
    }
}
