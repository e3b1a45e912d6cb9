package fuse3d.data.nuscenes;

import fuse3d.sparse.bev.Pose;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nuScenes detection evaluation with the devkit's semantics ({@code nuscenes/eval/detection}, re-derived, not
 * ported): filter GT and predictions by per-class range and GT by point count and bicycle racks, match predictions
 * to GT greedily by descending score at 2D centre distances 0.5/1/2/4 m, AP from the precision curve resampled at
 * 101 recall points (recall bins up to {@code min_recall} dropped, precision above {@code min_precision} rescaled),
 * TP errors (ATE, ASE, AOE, AVE, AAE) from the 2 m matches averaged from {@code min_recall} up to the highest recall
 * reached, mAP and NDS.
 *
 * <p>Entry points: {@link #evaluate(NuScenesTables, Collection, DetectionResults, DetectionConfig)} reads GT from the
 * tables for the given scenes, as the devkit's {@code DetectionEval}; {@link #evaluate(Map, Map, Map, DetectionConfig)}
 * takes boxes that already carry their ego translation (and GT their point counts).
 *
 * <p>Conventions kept from the devkit, odd ones included: a class without GT gets AP 0 and TP errors 1 (and so
 * lowers mAP); score ties are broken by the later box first (Python's reversed sort of (score, index) pairs);
 * a prediction matches the nearest untaken GT of its class strictly closer than the threshold, the first GT on
 * equal distance; a GT without attribute is left out of AAE, a GT without velocity (NaN) out of AVE; a class whose
 * highest recall stays at or below {@code min_recall} gets TP error 1.
 */
public final class NuScenesEvaluator {
    private NuScenesEvaluator() {}

    /** A bicycle rack annotation: bicycles and motorcycles whose centre lies inside are not evaluated. */
    public record BikeRack(double[] translation, double[] size, double[] rotation) {
        /**
         * Whether a point lies inside the box, faces included (the devkit's {@code points_in_box}: the point's
         * coordinates along the box's length, width and height axes within the half-sizes). Full 3D rotation.
         */
        public boolean contains(double[] p) {
            Pose toBox = Pose.fromQuaternion(rotation, translation).inverse();
            double[] l = toBox.apply(p[0], p[1], p[2]);
            double w = size[0], len = size[1], h = size[2];
            return Math.abs(l[0]) <= len / 2 && Math.abs(l[1]) <= w / 2 && Math.abs(l[2]) <= h / 2;
        }
    }

    // ---- splits ----

    /** The scenes of nuScenes-mini's official splits (the devkit's {@code splits.py}). */
    public static final List<String> MINI_TRAIN = List.of("scene-0061", "scene-0553", "scene-0655", "scene-0757", "scene-0796", "scene-1077",
            "scene-1094", "scene-1100");
    public static final List<String> MINI_VAL = List.of("scene-0103", "scene-0916");

    /**
     * The scene names of a split: {@code mini_train}, {@code mini_val}, {@code all} (every scene in the tables), or the
     * path of a text file with one scene name per line (how the 700/150 train/val lists, which this project does not
     * embed, are passed).
     */
    public static List<String> splitScenes(String split, NuScenesTables tables) throws IOException {
        return switch (split) {
            case "mini_train" -> MINI_TRAIN;
            case "mini_val" -> MINI_VAL;
            case "all" -> tables.scenes().values().stream().map(NuScenesTables.Scene::name).toList();
            default -> {
                Path file = Path.of(split);
                if (!Files.isRegularFile(file))
                    throw new IllegalArgumentException("split '" + split + "': not mini_train, mini_val or all, and no such scene-list file");
                yield Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
            }
        };
    }

    // ---- GT from the tables ----

    /** The samples (in table order) whose scene is in {@code sceneNames}. */
    public static List<String> samplesOf(NuScenesTables t, Collection<String> sceneNames) {
        Set<String> names = new HashSet<>(sceneNames);
        List<String> out = new ArrayList<>();
        for (NuScenesTables.Sample s : t.samples().values()) if (names.contains(t.scene(s.sceneToken()).name())) out.add(s.token());
        return out;
    }

    /**
     * GT boxes of the samples as the devkit's {@code load_gt}: annotations whose category maps to a detection class,
     * their attribute (none, or exactly one), velocity from {@link NuScenesTables#boxVelocity(String)} (xy), and
     * {@code num_lidar_pts + num_radar_pts}; ego translations are still zero.
     */
    public static Map<String, List<DetectionBox>> loadGt(NuScenesTables t, List<String> sampleTokens) {
        Map<String, List<DetectionBox>> gt = new LinkedHashMap<>();
        for (String s : sampleTokens) {
            List<DetectionBox> boxes = new ArrayList<>();
            for (String at : t.annotationsOf(s)) {
                NuScenesTables.SampleAnnotation a = t.sampleAnnotation(at);
                String name = DetectionClasses.detectionName(t.categoryName(a));
                if (name == null) continue;
                String attr = switch (a.attributeTokens().size()) {
                    case 0 -> "";
                    case 1 -> t.attributes().get(a.attributeTokens().get(0)).name();
                    default -> throw new IllegalArgumentException("annotation " + a.token() + " has " + a.attributeTokens().size()
                            + " attributes; the detection task allows at most one");
                };
                double[] v = t.boxVelocity(a.token());
                boxes.add(new DetectionBox(s, a.translation(), a.size(), a.rotation(), new double[] {v[0], v[1]}, new double[3],
                        a.numLidarPts() + a.numRadarPts(), name, -1.0, attr));
            }
            gt.put(s, boxes);
        }
        return gt;
    }

    /** Sets each box's ego translation: its centre minus the ego position at the sample's LIDAR_TOP key frame. */
    public static Map<String, List<DetectionBox>> addCenterDist(NuScenesTables t, Map<String, List<DetectionBox>> boxes) {
        Map<String, List<DetectionBox>> out = new LinkedHashMap<>();
        boxes.forEach((s, list) -> {
            double[] ego = t.egoPose(t.keyFrame(s, "LIDAR_TOP").egoPoseToken()).translation();
            out.put(s, list.stream().map(b -> b.withEgoTranslation(new double[] {
                b.translation()[0] - ego[0], b.translation()[1] - ego[1], b.translation()[2] - ego[2]})).toList());
        });
        return out;
    }

    /** The bicycle racks of each sample. */
    public static Map<String, List<BikeRack>> bikeRacks(NuScenesTables t, Collection<String> sampleTokens) {
        Map<String, List<BikeRack>> out = new LinkedHashMap<>();
        for (String s : sampleTokens) {
            List<BikeRack> racks = new ArrayList<>();
            for (String at : t.annotationsOf(s)) {
                NuScenesTables.SampleAnnotation a = t.sampleAnnotation(at);
                if (t.categoryName(a).equals(DetectionClasses.BICYCLE_RACK)) racks.add(new BikeRack(a.translation(), a.size(), a.rotation()));
            }
            out.put(s, racks);
        }
        return out;
    }

    /**
     * The devkit's {@code filter_eval_boxes}: keep boxes with {@code ego_dist < classRange[class]}, drop boxes with
     * exactly 0 points (predictions carry -1 and stay), drop bicycles and motorcycles whose centre is inside a rack.
     */
    public static Map<String, List<DetectionBox>> filter(Map<String, List<DetectionBox>> boxes, Map<String, List<BikeRack>> racks,
                                                         Map<String, Double> classRange) {
        Map<String, List<DetectionBox>> out = new LinkedHashMap<>();
        boxes.forEach((s, list) -> {
            List<BikeRack> r = racks.getOrDefault(s, List.of());
            List<DetectionBox> kept = new ArrayList<>();
            for (DetectionBox b : list) {
                if (!(b.egoDist() < classRange.get(b.detectionName()))) continue;
                if (b.numPts() == 0) continue;
                if ((b.detectionName().equals("bicycle") || b.detectionName().equals("motorcycle"))
                        && r.stream().anyMatch(k -> k.contains(b.translation()))) continue;
                kept.add(b);
            }
            out.put(s, kept);
        });
        return out;
    }

    // ---- evaluation ----

    /**
     * Evaluates a submission on the scenes {@code sceneNames} of the tables, as the devkit's {@code DetectionEval}:
     * the results must cover exactly the split's samples (the devkit asserts this too).
     */
    public static DetectionMetrics evaluate(NuScenesTables t, Collection<String> sceneNames, DetectionResults results, DetectionConfig cfg) {
        long start = System.nanoTime();
        List<String> samples = samplesOf(t, sceneNames);
        if (samples.isEmpty()) throw new IllegalArgumentException("evaluate: no sample of the tables belongs to the scenes " + sceneNames);
        Set<String> want = new HashSet<>(samples), got = results.results().keySet();
        if (!want.equals(got)) {
            List<String> missing = samples.stream().filter(s -> !got.contains(s)).limit(3).toList();
            List<String> extra = got.stream().filter(s -> !want.contains(s)).limit(3).toList();
            throw new IllegalArgumentException("evaluate: the results' samples differ from the split's (" + got.size() + " vs " + want.size()
                    + "; missing e.g. " + missing + ", not in split e.g. " + extra + ")");
        }
        for (var e : results.results().entrySet())
            if (e.getValue().size() > cfg.maxBoxesPerSample())
                throw new IllegalArgumentException("evaluate: sample " + e.getKey() + " has " + e.getValue().size() + " boxes, at most "
                        + cfg.maxBoxesPerSample() + " allowed");
        Map<String, List<BikeRack>> racks = bikeRacks(t, samples);
        Map<String, List<DetectionBox>> gt = filter(addCenterDist(t, loadGt(t, samples)), racks, cfg.classRange());
        Map<String, List<DetectionBox>> pred = filter(addCenterDist(t, results.results()), racks, cfg.classRange());
        DetectionMetrics m = evaluateFiltered(gt, pred, cfg, results.meta(), start);
        return m;
    }

    /**
     * Evaluates boxes that carry their ego translation (GT also its point counts): filters both, then accumulates.
     * Sample and box order are those of the maps' iteration.
     */
    public static DetectionMetrics evaluate(Map<String, List<DetectionBox>> gt, Map<String, List<DetectionBox>> pred,
                                            Map<String, List<BikeRack>> racks, DetectionConfig cfg) {
        long start = System.nanoTime();
        return evaluateFiltered(filter(gt, racks, cfg.classRange()), filter(pred, racks, cfg.classRange()), cfg, Map.of(), start);
    }

    /** Evaluates boxes that are already filtered (no range, point or rack filtering here). */
    public static DetectionMetrics evaluateFiltered(Map<String, List<DetectionBox>> gt, Map<String, List<DetectionBox>> pred, DetectionConfig cfg,
                                                    Map<String, Boolean> meta, long startNanos) {
        Map<String, Map<Double, Double>> aps = new LinkedHashMap<>();
        Map<String, Map<String, Double>> tps = new LinkedHashMap<>();
        Map<String, Map<Double, DetectionMetrics.MetricData>> curves = new LinkedHashMap<>();
        for (String c : cfg.classRange().keySet()) {
            Map<Double, Double> ap = new LinkedHashMap<>();
            Map<Double, DetectionMetrics.MetricData> cc = new LinkedHashMap<>();
            for (double d : cfg.distThs()) {
                DetectionMetrics.MetricData md = accumulate(gt, pred, c, d);
                cc.put(d, md);
                ap.put(d, calcAp(md, cfg.minRecall(), cfg.minPrecision()));
            }
            Map<String, Double> tp = new LinkedHashMap<>();
            DetectionMetrics.MetricData md = cc.get(cfg.distThTp());
            for (String metric : DetectionMetrics.TP_METRICS) {
                boolean undefined = (c.equals("traffic_cone") && List.of("attr_err", "vel_err", "orient_err").contains(metric))
                        || (c.equals("barrier") && List.of("attr_err", "vel_err").contains(metric));
                tp.put(metric, undefined ? Double.NaN : calcTp(md, cfg.minRecall(), metric));
            }
            aps.put(c, ap);
            tps.put(c, tp);
            curves.put(c, cc);
        }
        return new DetectionMetrics(cfg, aps, tps, curves, (System.nanoTime() - startNanos) * 1e-9, meta);
    }

    /** 2D distance between box centres. */
    static double centerDistance(DetectionBox gt, DetectionBox pred) {
        double dx = pred.translation()[0] - gt.translation()[0], dy = pred.translation()[1] - gt.translation()[1];
        return Math.sqrt(dx * dx + dy * dy);
    }

    /** L2 norm of the xy velocity difference (NaN when either is NaN). */
    static double velocityL2(DetectionBox gt, DetectionBox pred) {
        double dx = pred.velocity()[0] - gt.velocity()[0], dy = pred.velocity()[1] - gt.velocity()[1];
        return Math.sqrt(dx * dx + dy * dy);
    }

    /** IoU of the two boxes moved onto a common centre and heading: the overlap of their sizes. */
    static double scaleIou(DetectionBox gt, DetectionBox pred) {
        double[] a = gt.size(), b = pred.size();
        for (int k = 0; k < 3; k++)
            if (!(a[k] > 0) || !(b[k] > 0))
                throw new IllegalArgumentException("scale IoU needs positive sizes, got GT " + Arrays.toString(a) + " and prediction " + Arrays.toString(b)
                        + " (sample " + pred.sampleToken() + ")");
        double inter = Math.min(a[0], b[0]) * Math.min(a[1], b[1]) * Math.min(a[2], b[2]);
        double union = a[0] * a[1] * a[2] + b[0] * b[1] * b[2] - inter;
        return inter / union;
    }

    /** |smallest yaw difference| in [0, pi], angles equal modulo {@code period} (pi for barriers, 2 pi otherwise). */
    static double yawDiff(DetectionBox gt, DetectionBox pred, double period) {
        return Math.abs(angleDiff(gt.yaw(), pred.yaw(), period));
    }

    /** Python's {@code (x - y + period/2) % period - period/2}, then (pi, 2pi] moved to (-pi, 0]. */
    static double angleDiff(double x, double y, double period) {
        double a = x - y + period / 2;
        double m = a % period; // Java's % is C's fmod; Python's float % then moves the result to the divisor's sign.
        if (m != 0 && m < 0) m += period;
        double diff = m - period / 2;
        if (diff > Math.PI) diff -= 2 * Math.PI;
        return diff;
    }

    /** 1 if the attributes agree, 0 if not, NaN when the GT has none. */
    static double attrAcc(DetectionBox gt, DetectionBox pred) {
        if (gt.attributeName().isEmpty()) return Double.NaN;
        return gt.attributeName().equals(pred.attributeName()) ? 1.0 : 0.0;
    }

    /** Greedy matching and the resampled curves of one class at one distance threshold (the devkit's {@code accumulate}). */
    static DetectionMetrics.MetricData accumulate(Map<String, List<DetectionBox>> gt, Map<String, List<DetectionBox>> pred, String className,
                                                  double distTh) {
        int npos = 0;
        for (List<DetectionBox> l : gt.values()) for (DetectionBox b : l) if (b.detectionName().equals(className)) npos++;
        if (npos == 0) return DetectionMetrics.MetricData.noPredictions();

        List<DetectionBox> preds = new ArrayList<>();
        for (List<DetectionBox> l : pred.values()) for (DetectionBox b : l) if (b.detectionName().equals(className)) preds.add(b);
        Integer[] order = new Integer[preds.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        // Python: sorted((score, index))[::-1]; higher score first, and on a tie the later index first.
        Arrays.sort(order, (i, j) -> {
            double a = preds.get(i).detectionScore(), b = preds.get(j).detectionScore();
            if (a > b) return -1;
            if (a < b) return 1;
            return Integer.compare(j, i);
        });

        Map<String, boolean[]> taken = new LinkedHashMap<>();
        int n = preds.size();
        double[] tp = new double[n], fp = new double[n], conf = new double[n];
        List<double[]> matches = new ArrayList<>(); // trans, vel, scale, orient, attr, conf
        double period = className.equals("barrier") ? Math.PI : 2 * Math.PI;
        for (int k = 0; k < n; k++) {
            DetectionBox p = preds.get(order[k]);
            List<DetectionBox> g = gt.getOrDefault(p.sampleToken(), List.of());
            boolean[] tk = taken.computeIfAbsent(p.sampleToken(), s -> new boolean[g.size()]);
            double minDist = Double.POSITIVE_INFINITY;
            int match = -1;
            for (int gi = 0; gi < g.size(); gi++) {
                DetectionBox gb = g.get(gi);
                if (gb.detectionName().equals(className) && !tk[gi]) {
                    double d = centerDistance(gb, p);
                    if (d < minDist) {
                        minDist = d;
                        match = gi;
                    }
                }
            }
            conf[k] = p.detectionScore();
            if (minDist < distTh) {
                tk[match] = true;
                tp[k] = 1;
                DetectionBox gb = g.get(match);
                matches.add(new double[] {centerDistance(gb, p), velocityL2(gb, p), 1 - scaleIou(gb, p), yawDiff(gb, p, period),
                    1 - attrAcc(gb, p), p.detectionScore()});
            } else {
                fp[k] = 1;
            }
        }
        if (matches.isEmpty()) return DetectionMetrics.MetricData.noPredictions();

        double[] prec = new double[n], rec = new double[n];
        double ctp = 0, cfp = 0;
        for (int k = 0; k < n; k++) {
            ctp += tp[k];
            cfp += fp[k];
            prec[k] = ctp / (cfp + ctp);
            rec[k] = ctp / npos;
        }
        double[] recInterp = DetectionMetrics.MetricData.recallAxis();
        double[] precision = NpInterp.interp(recInterp, rec, prec, prec[0], 0);
        double[] confidence = NpInterp.interp(recInterp, rec, conf, conf[0], 0);

        int m = matches.size();
        double[] matchConfRev = new double[m];
        for (int i = 0; i < m; i++) matchConfRev[i] = matches.get(m - 1 - i)[5];
        double[] confRev = reverse(confidence);
        double[][] errs = new double[5][];
        for (int e = 0; e < 5; e++) {
            double[] x = new double[m];
            for (int i = 0; i < m; i++) x[i] = matches.get(i)[e];
            double[] tmpRev = reverse(cummean(x));
            errs[e] = reverse(NpInterp.interp(confRev, matchConfRev, tmpRev, tmpRev[0], tmpRev[m - 1]));
        }
        return new DetectionMetrics.MetricData(recInterp, precision, confidence, errs[0], errs[1], errs[2], errs[3], errs[4]);
    }

    private static double[] reverse(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[a.length - 1 - i];
        return r;
    }

    /** Cumulative mean skipping NaN (0 before the first number); all NaN gives ones, as the devkit's {@code cummean}. */
    static double[] cummean(double[] x) {
        boolean allNan = true;
        for (double v : x) allNan &= Double.isNaN(v);
        double[] out = new double[x.length];
        if (allNan) {
            Arrays.fill(out, 1.0);
            return out;
        }
        double s = 0;
        int c = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isNaN(x[i])) {
                s += x[i];
                c++;
            }
            out[i] = c == 0 ? 0 : s / c;
        }
        return out;
    }

    /** AP: mean of {@code max(precision - minPrecision, 0)} over the recall bins above {@code minRecall}, over {@code 1 - minPrecision}. */
    static double calcAp(DetectionMetrics.MetricData md, double minRecall, double minPrecision) {
        int first = (int) Math.rint(100 * minRecall) + 1;
        double[] p = md.precision();
        double s = 0;
        for (int i = first; i < p.length; i++) s += Math.max(p[i] - minPrecision, 0);
        return s / (p.length - first) / (1.0 - minPrecision);
    }

    /** A TP error: the mean of its curve from just above {@code minRecall} to the highest recall reached, or 1 if that is empty. */
    static double calcTp(DetectionMetrics.MetricData md, double minRecall, String metric) {
        int first = (int) Math.rint(100 * minRecall) + 1;
        int last = md.maxRecallInd();
        if (last < first) return 1.0;
        double[] v = md.metric(metric);
        double s = 0;
        for (int i = first; i <= last; i++) s += v[i];
        return s / (last - first + 1);
    }
}
