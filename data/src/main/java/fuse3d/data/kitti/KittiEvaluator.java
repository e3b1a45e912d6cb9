package fuse3d.data.kitti;

import fuse3d.data.kitti.KittiEvalResult.Metric;
import fuse3d.sparse.box.RotatedIoU;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * KITTI object-detection average precision exactly as OpenPCDet's kitti_object_eval_python computes it (itself a
 * port of the official devkit): 2D bbox, BEV, 3D and AOS, Easy / Moderate / Hard, at the strict and the loose
 * overlap sets, R11 and R40 from one 41-point interpolated precision array.
 *
 * <p>The conventions reproduced on purpose, odd ones included:
 * <ul>
 * <li>Difficulty filters on the GT: ignored when occluded &gt; 0/1/2, truncated &gt; 0.15/0.3/0.5 or 2D height
 *     (y2 - y1) &lt;= 40/25/25 px. Detections lower than 40/25/25 px (strictly) are "ignored" detections of any
 *     class: they may absorb a GT match without counting as true or false positives.</li>
 * <li>Neighbouring classes: a Van GT is ignored (neither TP nor FN) for Car, a Person_sitting GT for Pedestrian.</li>
 * <li>DontCare regions only matter for the 2D bbox metric: an unmatched detection whose box lies in a DontCare
 *     region by more than the class's overlap (intersection over the detection's area) is not a false positive.</li>
 * <li>Matching needs overlap strictly greater than the threshold. Score thresholds come from a first pass (each GT
 *     takes the highest-scoring unassigned detection) and are sampled at 41 recall positions; the second pass
 *     (each GT takes the best-overlapping detection above the threshold) counts TP, FP, FN per threshold.</li>
 * <li>Precision is made monotone by a suffix maximum over all 41 slots (unfilled slots are 0). R11 averages
 *     slots 0, 4, ..., 40; R40 slots 1..40. With fewer GT than sample points the array is short: a perfect
 *     detector of one GT gets R11 = 100 / 11 and R40 = 0, as the official code does.</li>
 * <li>AOS is computed (from the bbox matching) only when the first frame that has detections gives its first
 *     detection an alpha other than -10.</li>
 * <li>BEV boxes are (x, z, l, w, ry) in the camera x-z plane; the 3D overlap multiplies the BEV intersection by
 *     the overlap of the height intervals [y - h, y] (y points down to the bottom face). Rotated overlaps use
 *     {@link RotatedIoU#bevOverlap} in float64 (the official kernel runs float32: values agree to ~1e-6).</li>
 * </ul>
 */
public final class KittiEvaluator {
    private KittiEvaluator() {}

    /** The classes the official code knows, in its order (the index picks the overlap thresholds). */
    public static final List<String> CLASSES = List.of("Car", "Pedestrian", "Cyclist", "Van", "Person_sitting", "Truck");
    /** The classes evaluated by default (OpenPCDet's KITTI configs). */
    public static final List<String> DEFAULT_CLASSES = List.of("Car", "Pedestrian", "Cyclist");

    static final int SAMPLE_POINTS = 41;
    private static final double[] MIN_HEIGHT = {40, 25, 25};
    private static final int[] MAX_OCCLUSION = {0, 1, 2};
    private static final double[] MAX_TRUNCATION = {0.15, 0.3, 0.5};
    /** [overlap set][bbox, bev, 3d][class]: strict, then loose (where the bbox column stays strict, as officially). */
    static final double[][][] MIN_OVERLAPS = {
        {{0.7, 0.5, 0.5, 0.7, 0.5, 0.7}, {0.7, 0.5, 0.5, 0.7, 0.5, 0.7}, {0.7, 0.5, 0.5, 0.7, 0.5, 0.7}},
        {{0.7, 0.5, 0.5, 0.7, 0.5, 0.5}, {0.5, 0.25, 0.25, 0.5, 0.25, 0.5}, {0.5, 0.25, 0.25, 0.5, 0.25, 0.5}}};
    private static final double NO_DETECTION = -10000000;

    /** {@link #evaluate(List, List, List)} for Car, Pedestrian and Cyclist. */
    public static KittiEvalResult evaluate(List<List<KittiObject>> gt, List<List<KittiObject>> dt) {
        return evaluate(gt, dt, DEFAULT_CLASSES);
    }

    /**
     * Evaluates detections against ground truth, frame by frame.
     *
     * @param gt      per frame, the label_2 objects (DontCare included)
     * @param dt      per frame, the detections (score as the 16th field; a detection without one scores 0, as the
     *                official reader does)
     * @param classes names from {@link #CLASSES} (case-insensitive)
     */
    public static KittiEvalResult evaluate(List<List<KittiObject>> gt, List<List<KittiObject>> dt, List<String> classes) {
        if (gt.size() != dt.size())
            throw new IllegalArgumentException("KittiEvaluator: " + gt.size() + " GT frames but " + dt.size() + " detection frames");
        int[] cls = new int[classes.size()];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < cls.length; i++) {
            cls[i] = -1;
            for (int k = 0; k < CLASSES.size(); k++) if (CLASSES.get(k).equalsIgnoreCase(classes.get(i))) cls[i] = k;
            if (cls[i] < 0) throw new IllegalArgumentException("KittiEvaluator: unknown class '" + classes.get(i) + "', expected one of " + CLASSES);
            names.add(CLASSES.get(cls[i]));
        }
        int n = gt.size();
        Frame[] frames = new Frame[n];
        for (int f = 0; f < n; f++) frames[f] = new Frame(gt.get(f), dt.get(f));
        boolean computeAos = false;
        for (Frame f : frames)
            if (f.nd > 0) {
                computeAos = f.dtAlpha[0] != KittiObject.NO_ALPHA;
                break;
            }
        // overlaps[metric][frame]: [nd * ng], detection-major, as calculate_iou_partly(dt, gt) lays them out
        double[][][] overlaps = new double[3][n][];
        IntStream.range(0, n).parallel().forEach(f -> {
            for (int m = 0; m < 3; m++) overlaps[m][f] = frames[f].overlaps(m);
        });
        int nc = cls.length;
        double[][][][][] precision = new double[nc][2][4][3][];
        double[][][][][] recall = new double[nc][2][3][3][];
        boolean aos = computeAos;
        // every (class, difficulty) is independent: run them in parallel; each result lands in its own slot
        IntStream.range(0, nc * 3).parallel().forEach(task -> {
            int c = task / 3, d = task % 3;
            Cleaned[] cl = new Cleaned[n];
            for (int f = 0; f < n; f++) cl[f] = frames[f].clean(cls[c], d);
            for (int m = 0; m < 3; m++)
                for (int s = 0; s < 2; s++) {
                    double minOverlap = MIN_OVERLAPS[s][m][cls[c]];
                    boolean withAos = aos && m == 0;
                    double[][] pr = evalOne(frames, cl, overlaps[m], m, minOverlap, withAos);
                    precision[c][s][m][d] = pr[0];
                    recall[c][s][m][d] = pr[1];
                    if (m == 0) precision[c][s][3][d] = withAos ? pr[2] : null;
                }
        });
        double[][][] minOverlaps = new double[nc][2][3];
        for (int c = 0; c < nc; c++)
            for (int s = 0; s < 2; s++)
                for (int m = 0; m < 3; m++) minOverlaps[c][s][m] = MIN_OVERLAPS[s][m][cls[c]];
        return new KittiEvalResult(List.copyOf(names), computeAos, minOverlaps, precision, recall);
    }

    /**
     * Reads label_2-style folders and evaluates: frame ids from {@code splitFile} (one per line) or, when null,
     * every {@code *.txt} in {@code gtDir}, sorted. A missing GT or detection file is an error naming it (write an
     * empty file for a frame without detections).
     */
    public static KittiEvalResult evaluate(Path gtDir, Path detDir, Path splitFile, List<String> classes) throws IOException {
        List<String> ids;
        if (splitFile != null) ids = KittiSplits.read(splitFile);
        else try (Stream<Path> s = Files.list(gtDir)) {
            ids = s.map(p -> p.getFileName().toString()).filter(x -> x.endsWith(".txt")).map(x -> x.substring(0, x.length() - 4)).sorted().toList();
        }
        List<List<KittiObject>> gt = new ArrayList<>(), dt = new ArrayList<>();
        for (String id : ids) {
            gt.add(KittiLabels.read(gtDir.resolve(id + ".txt")));
            dt.add(KittiLabels.read(detDir.resolve(id + ".txt")));
        }
        return evaluate(gt, dt, classes);
    }

    /** The per-frame arrays the official code builds from an annotation dict. */
    static final class Frame {
        final int ng, nd;
        final String[] gtName, dtName;
        final double[][] gtBox2, dtBox2, gtBox3, dtBox3; // 2D: x1 y1 x2 y2; 3D camera: x y z l h w ry
        final double[] gtAlpha, dtAlpha, gtTrunc, dtScore;
        final int[] gtOcc;

        Frame(List<KittiObject> gt, List<KittiObject> dt) {
            ng = gt.size();
            nd = dt.size();
            gtName = new String[ng];
            gtBox2 = new double[ng][];
            gtBox3 = new double[ng][];
            gtAlpha = new double[ng];
            gtTrunc = new double[ng];
            gtOcc = new int[ng];
            for (int i = 0; i < ng; i++) {
                KittiObject o = gt.get(i);
                gtName[i] = o.type();
                gtBox2[i] = o.bbox();
                gtBox3[i] = o.cameraBox();
                gtAlpha[i] = o.alpha();
                gtTrunc[i] = o.truncated();
                gtOcc[i] = o.occluded();
            }
            dtName = new String[nd];
            dtBox2 = new double[nd][];
            dtBox3 = new double[nd][];
            dtAlpha = new double[nd];
            dtScore = new double[nd];
            for (int j = 0; j < nd; j++) {
                KittiObject o = dt.get(j);
                dtName[j] = o.type();
                dtBox2[j] = o.bbox();
                dtBox3[j] = o.cameraBox();
                dtAlpha[j] = o.alpha();
                dtScore[j] = o.hasScore() ? o.score() : 0.0;
            }
        }

        double[] overlaps(int metric) {
            double[] out = new double[nd * ng];
            for (int j = 0; j < nd; j++)
                for (int i = 0; i < ng; i++)
                    out[j * ng + i] = switch (metric) {
                        case 0 -> imageIou(dtBox2[j], gtBox2[i], false);
                        case 1 -> bevIou(dtBox3[j], gtBox3[i]);
                        default -> iou3d(dtBox3[j], gtBox3[i]);
                    };
            return out;
        }

        /** clean_data: which GT count (0), are ignored (1) or belong to another class (-1); the same for detections. */
        Cleaned clean(int cls, int difficulty) {
            String current = CLASSES.get(cls).toLowerCase(Locale.ROOT);
            int[] ignGt = new int[ng], ignDt = new int[nd];
            int valid = 0;
            List<double[]> dc = new ArrayList<>();
            for (int i = 0; i < ng; i++) {
                String name = gtName[i].toLowerCase(Locale.ROOT);
                double height = gtBox2[i][3] - gtBox2[i][1];
                int validClass;
                if (name.equals(current)) validClass = 1;
                else if (current.equals("pedestrian") && name.equals("person_sitting")) validClass = 0;
                else if (current.equals("car") && name.equals("van")) validClass = 0;
                else validClass = -1;
                boolean ignore = gtOcc[i] > MAX_OCCLUSION[difficulty] || gtTrunc[i] > MAX_TRUNCATION[difficulty] || height <= MIN_HEIGHT[difficulty];
                if (validClass == 1 && !ignore) {
                    ignGt[i] = 0;
                    valid++;
                } else if (validClass == 0 || (ignore && validClass == 1)) ignGt[i] = 1;
                else ignGt[i] = -1;
                if (gtName[i].equals(KittiObject.DONT_CARE)) dc.add(gtBox2[i]);
            }
            for (int j = 0; j < nd; j++) {
                boolean validClass = dtName[j].toLowerCase(Locale.ROOT).equals(current);
                double height = Math.abs(dtBox2[j][3] - dtBox2[j][1]);
                if (height < MIN_HEIGHT[difficulty]) ignDt[j] = 1;
                else ignDt[j] = validClass ? 0 : -1;
            }
            // detection-vs-DontCare overlap: intersection over the detection's area (criterion 0)
            double[] dcOv = new double[nd * dc.size()];
            for (int j = 0; j < nd; j++)
                for (int k = 0; k < dc.size(); k++) dcOv[j * dc.size() + k] = imageIou(dtBox2[j], dc.get(k), true);
            return new Cleaned(ignGt, ignDt, valid, dc.size(), dcOv);
        }
    }

    record Cleaned(int[] ignGt, int[] ignDt, int numValid, int ndc, double[] dcOv) {}

    /** image_box_overlap of a detection box and a GT (or DontCare) box; over the detection's area when {@code overFirst}. */
    static double imageIou(double[] a, double[] b, boolean overFirst) {
        double iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
        if (!(iw > 0)) return 0;
        double ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
        if (!(ih > 0)) return 0;
        double areaA = (a[2] - a[0]) * (a[3] - a[1]);
        double ua = overFirst ? areaA : areaA + (b[2] - b[0]) * (b[3] - b[1]) - iw * ih;
        return iw * ih / ua;
    }

    /** The BEV intersection of camera boxes in the x-z plane: the official corners rotate by -ry there. */
    static double bevIntersection(double[] a, double[] b) {
        return RotatedIoU.bevOverlap(a[0], a[2], a[3], a[5], -a[6], b[0], b[2], b[3], b[5], -b[6]);
    }

    static double bevIou(double[] a, double[] b) {
        double inter = bevIntersection(a, b);
        if (inter <= 0) return 0;
        return inter / (a[3] * a[5] + b[3] * b[5] - inter);
    }

    static double iou3d(double[] a, double[] b) {
        double inter = bevIntersection(a, b);
        if (inter <= 0) return 0;
        // camera y points down and y is the bottom face: the box spans [y - h, y]
        double iw = Math.min(a[1], b[1]) - Math.max(a[1] - a[4], b[1] - b[4]);
        if (!(iw > 0)) return 0;
        double inc = iw * inter;
        return inc / (a[3] * a[4] * a[5] + b[3] * b[4] * b[5] - inc);
    }

    /** One (class, difficulty, metric, overlap): {precision[41], recall[41], aos[41] or null}. */
    private static double[][] evalOne(Frame[] frames, Cleaned[] cl, double[][] overlaps, int metric, double minOverlap, boolean withAos) {
        int n = frames.length, numValid = 0;
        DoubleList scores = new DoubleList();
        Stats st = new Stats();
        for (int f = 0; f < n; f++) {
            numValid += cl[f].numValid();
            statistics(overlaps[f], frames[f], cl[f], metric, minOverlap, 0.0, false, false, st, scores);
        }
        double[] thresholds = thresholds(scores.toArray(), numValid);
        int t = thresholds.length;
        double[][] pr = new double[t][4];
        for (int f = 0; f < n; f++)
            for (int k = 0; k < t; k++) {
                statistics(overlaps[f], frames[f], cl[f], metric, minOverlap, thresholds[k], true, withAos, st, null);
                pr[k][0] += st.tp;
                pr[k][1] += st.fp;
                pr[k][2] += st.fn;
                if (st.similarity != -1) pr[k][3] += st.similarity;
            }
        double[] prec = new double[SAMPLE_POINTS], rec = new double[SAMPLE_POINTS], aos = withAos ? new double[SAMPLE_POINTS] : null;
        for (int k = 0; k < t; k++) {
            rec[k] = pr[k][0] / (pr[k][0] + pr[k][2]);
            prec[k] = pr[k][0] / (pr[k][0] + pr[k][1]);
            if (withAos) aos[k] = pr[k][3] / (pr[k][0] + pr[k][1]);
        }
        for (int k = 0; k < t; k++) {
            prec[k] = suffixMax(prec, k);
            rec[k] = suffixMax(rec, k);
            if (withAos) aos[k] = suffixMax(aos, k);
        }
        return new double[][] {prec, rec, aos};
    }

    /** np.max(a[k:]): NaN wins, as in numpy. */
    private static double suffixMax(double[] a, int k) {
        double m = a[k];
        for (int i = k + 1; i < a.length; i++) m = Math.max(m, a[i]);
        return m;
    }

    /** get_thresholds: scores of the first-pass true positives, sampled at 41 recall positions. */
    static double[] thresholds(double[] scores, int numGt) {
        double[] s = scores.clone();
        Arrays.sort(s);
        int n = s.length;
        DoubleList out = new DoubleList();
        double current = 0;
        for (int i = 0; i < n; i++) {
            double score = s[n - 1 - i];
            double l = (i + 1) / (double) numGt;
            double r = i < n - 1 ? (i + 2) / (double) numGt : l;
            if ((r - current) < (current - l) && i < n - 1) continue;
            out.add(score);
            current += 1 / (SAMPLE_POINTS - 1.0);
        }
        return out.toArray();
    }

    static final class Stats {
        int tp, fp, fn;
        double similarity;
    }

    /** compute_statistics_jit for one frame, into {@code out}; first-pass TP scores go to {@code tpScores}. */
    static void statistics(double[] ov, Frame fr, Cleaned cl, int metric, double minOverlap, double thresh, boolean computeFp,
                           boolean computeAos, Stats out, DoubleList tpScores) {
        int ng = fr.ng, nd = fr.nd;
        int[] ignGt = cl.ignGt(), ignDt = cl.ignDt();
        double[] score = fr.dtScore;
        boolean[] assigned = new boolean[nd], below = new boolean[nd];
        if (computeFp) for (int j = 0; j < nd; j++) below[j] = score[j] < thresh;
        int tp = 0, fp = 0, fn = 0;
        double[] delta = computeAos ? new double[ng] : null;
        int nDelta = 0;
        for (int i = 0; i < ng; i++) {
            if (ignGt[i] == -1) continue;
            int det = -1;
            double validDetection = NO_DETECTION, maxOverlap = 0;
            boolean assignedIgnoredDet = false;
            for (int j = 0; j < nd; j++) {
                if (ignDt[j] == -1 || assigned[j] || below[j]) continue;
                double o = ov[j * ng + i];
                if (!computeFp && o > minOverlap && score[j] > validDetection) {
                    det = j;
                    validDetection = score[j];
                } else if (computeFp && o > minOverlap && (o > maxOverlap || assignedIgnoredDet) && ignDt[j] == 0) {
                    // a counted detection replaces an ignored one, else the best overlap wins
                    maxOverlap = o;
                    det = j;
                    validDetection = 1;
                    assignedIgnoredDet = false;
                } else if (computeFp && o > minOverlap && validDetection == NO_DETECTION && ignDt[j] == 1) {
                    det = j;
                    validDetection = 1;
                    assignedIgnoredDet = true;
                }
            }
            if (validDetection == NO_DETECTION && ignGt[i] == 0) fn++;
            else if (validDetection != NO_DETECTION && (ignGt[i] == 1 || ignDt[det] == 1)) assigned[det] = true;
            else if (validDetection != NO_DETECTION) {
                tp++;
                if (tpScores != null) tpScores.add(score[det]);
                if (computeAos) delta[nDelta++] = fr.gtAlpha[i] - fr.dtAlpha[det];
                assigned[det] = true;
            }
        }
        double similarity = 0;
        if (computeFp) {
            for (int j = 0; j < nd; j++) if (!(assigned[j] || ignDt[j] == -1 || ignDt[j] == 1 || below[j])) fp++;
            int nstuff = 0;
            if (metric == 0) {
                int ndc = cl.ndc();
                double[] dcOv = cl.dcOv();
                for (int k = 0; k < ndc; k++)
                    for (int j = 0; j < nd; j++) {
                        if (assigned[j] || ignDt[j] == -1 || ignDt[j] == 1 || below[j]) continue;
                        if (dcOv[j * ndc + k] > minOverlap) {
                            assigned[j] = true;
                            nstuff++;
                        }
                    }
            }
            fp -= nstuff;
            if (computeAos) {
                double sum = 0;
                for (int k = 0; k < nDelta; k++) sum += (1.0 + Math.cos(delta[k])) / 2.0;
                similarity = tp > 0 || fp > 0 ? sum : -1;
            }
        }
        out.tp = tp;
        out.fp = fp;
        out.fn = fn;
        out.similarity = similarity;
    }

    /** A growable double array (the hot loops must not box). */
    static final class DoubleList {
        private double[] a = new double[16];
        private int n;

        void add(double v) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        double[] toArray() { return Arrays.copyOf(a, n); }
    }
}
