package fuse3d.data.kitti;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The numbers of one {@link KittiEvaluator} run: per class, overlap set, metric and difficulty the 41-point
 * interpolated precision (and recall) arrays, the R11 / R40 averages from them, the table in OpenPCDet's layout
 * and the JSON layout {@code {"<Class>": {"strict"|"loose": {"R11"|"R40": {"bbox"|"bev"|"3d"|"aos":
 * [easy, moderate, hard]}}}}} (percent; aos null when the detections carry no alpha; NaN, which the official code
 * can produce for a degenerate curve, as null).
 */
public final class KittiEvalResult {

    /** The four measures: 2D box, bird's-eye view, 3D, and average orientation similarity (on the 2D matching). */
    public enum Metric {
        BBOX("bbox"), BEV("bev"), THREE_D("3d"), AOS("aos");

        public final String key;

        Metric(String key) { this.key = key; }
    }

    /** Strict = 0.7 / 0.5 / 0.5 (Car / Pedestrian / Cyclist); loose = 0.5 / 0.25 / 0.25 for BEV and 3D. */
    public enum Overlap {
        STRICT("strict"), LOOSE("loose");

        public final String key;

        Overlap(String key) { this.key = key; }
    }

    /** R11: slots 0, 4, ..., 40 of the precision array over 11; R40: slots 1..40 over 40. */
    public enum Protocol { R11, R40 }

    public enum Difficulty { EASY, MODERATE, HARD }

    private final List<String> classes;
    private final boolean aosComputed;
    private final double[][][] minOverlaps;     // [class][set][bbox, bev, 3d]
    private final double[][][][][] precision;   // [class][set][metric 0..3][difficulty][41]; aos null when not computed
    private final double[][][][][] recall;      // [class][set][metric 0..2][difficulty][41]

    KittiEvalResult(List<String> classes, boolean aosComputed, double[][][] minOverlaps, double[][][][][] precision, double[][][][][] recall) {
        this.classes = classes;
        this.aosComputed = aosComputed;
        this.minOverlaps = minOverlaps;
        this.precision = precision;
        this.recall = recall;
    }

    public List<String> classes() { return classes; }

    /** Whether AOS was computed (the detections carry an alpha). */
    public boolean aosComputed() { return aosComputed; }

    private int classIndex(String cls) {
        for (int i = 0; i < classes.size(); i++) if (classes.get(i).equalsIgnoreCase(cls)) return i;
        throw new IllegalArgumentException("KittiEvalResult: class '" + cls + "' was not evaluated (have " + classes + ")");
    }

    /** The minimum overlaps (bbox, bev, 3d) of a class in a set. */
    public double[] minOverlaps(String cls, Overlap set) { return minOverlaps[classIndex(cls)][set.ordinal()].clone(); }

    /** The 41-point interpolated precision (fractions), or null for AOS when it was not computed. */
    public double[] precision(String cls, Overlap set, Metric metric, Difficulty d) {
        double[] p = precision[classIndex(cls)][set.ordinal()][metric.ordinal()][d.ordinal()];
        return p == null ? null : p.clone();
    }

    /** The 41-point recall (suffix maxima, as the official code returns it); not defined for AOS. */
    public double[] recall(String cls, Overlap set, Metric metric, Difficulty d) {
        if (metric == Metric.AOS) throw new IllegalArgumentException("KittiEvalResult.recall: AOS has no recall of its own");
        return recall[classIndex(cls)][set.ordinal()][metric.ordinal()][d.ordinal()].clone();
    }

    /** AP in percent, or NaN for AOS when it was not computed. */
    public double ap(String cls, Overlap set, Protocol protocol, Metric metric, Difficulty d) {
        double[] p = precision[classIndex(cls)][set.ordinal()][metric.ordinal()][d.ordinal()];
        return p == null ? Double.NaN : average(p, protocol);
    }

    /** AP in percent for easy, moderate, hard; null for AOS when it was not computed. */
    public double[] ap(String cls, Overlap set, Protocol protocol, Metric metric) {
        double[][] p = precision[classIndex(cls)][set.ordinal()][metric.ordinal()];
        if (p[0] == null) return null;
        return new double[] {average(p[0], protocol), average(p[1], protocol), average(p[2], protocol)};
    }

    static double average(double[] prec, Protocol protocol) {
        double sum = 0;
        if (protocol == Protocol.R11) {
            for (int i = 0; i < prec.length; i += 4) sum = sum + prec[i];
            return sum / 11 * 100;
        }
        for (int i = 1; i < prec.length; i++) sum = sum + prec[i];
        return sum / 40 * 100;
    }

    /** The nested map of the JSON layout (insertion-ordered). */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> root = new LinkedHashMap<>();
        for (String cls : classes) {
            Map<String, Object> perSet = new LinkedHashMap<>();
            for (Overlap set : Overlap.values()) {
                Map<String, Object> perProtocol = new LinkedHashMap<>();
                for (Protocol pr : Protocol.values()) {
                    Map<String, Object> perMetric = new LinkedHashMap<>();
                    for (Metric m : Metric.values()) {
                        double[] v = ap(cls, set, pr, m);
                        if (v == null) perMetric.put(m.key, null);
                        else {
                            List<Double> l = new ArrayList<>(3);
                            for (double x : v) l.add(Double.isFinite(x) ? x : null);
                            perMetric.put(m.key, l);
                        }
                    }
                    perProtocol.put(pr.name(), perMetric);
                }
                perSet.put(set.key, perProtocol);
            }
            root.put(cls, perSet);
        }
        return root;
    }

    public String toJson() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJsonMap());
        } catch (IOException e) {
            throw new IllegalStateException("KittiEvalResult: JSON of plain maps cannot fail", e);
        }
    }

    /** Writes {@link #toJson()} atomically. */
    public void writeJson(Path file) throws IOException { KittiFiles.writeText(file, toJson() + "\n"); }

    /**
     * The result text of OpenPCDet's get_official_eval_result, byte for byte: per class and overlap set an
     * {@code AP@} block (R11) and an {@code AP_R40@} block, four decimals (two for aos), Python's rounding.
     */
    public String table() {
        StringBuilder sb = new StringBuilder();
        for (String cls : classes) {
            for (Overlap set : Overlap.values()) {
                double[] ov = minOverlaps(cls, set);
                for (Protocol pr : Protocol.values()) {
                    sb.append(cls).append(pr == Protocol.R11 ? " AP@" : " AP_R40@").append(fixed(ov[0], 2)).append(", ").append(fixed(ov[1], 2))
                            .append(", ").append(fixed(ov[2], 2)).append(":\n");
                    row(sb, "bbox AP:", ap(cls, set, pr, Metric.BBOX), 4);
                    row(sb, "bev  AP:", ap(cls, set, pr, Metric.BEV), 4);
                    row(sb, "3d   AP:", ap(cls, set, pr, Metric.THREE_D), 4);
                    if (aosComputed) row(sb, "aos  AP:", ap(cls, set, pr, Metric.AOS), 2);
                }
            }
        }
        return sb.toString();
    }

    public void printTable(PrintStream out) {
        out.print(table());
        out.flush();
    }

    private static void row(StringBuilder sb, String head, double[] v, int decimals) {
        sb.append(head).append(fixed(v[0], decimals)).append(", ").append(fixed(v[1], decimals)).append(", ").append(fixed(v[2], decimals)).append('\n');
    }

    /** Python's {@code f"{x:.Nf}"}: the exact binary value rounded half-even ({@code String.format} rounds half-up). */
    static String fixed(double x, int decimals) {
        if (Double.isNaN(x)) return "nan";
        if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
        String s = new BigDecimal(x).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        return (x < 0 || (x == 0 && 1 / x < 0)) && !s.startsWith("-") ? "-" + s : s;
    }
}
