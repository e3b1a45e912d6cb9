package fuse3d.data.nuscenes;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import fuse3d.tensor.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of a nuScenes detection evaluation (the devkit's {@code DetectionMetrics} plus its per-curve
 * {@code DetectionMetricData}): AP per class and distance threshold, TP errors per class (NaN where the devkit
 * leaves them undefined: orientation, velocity and attribute of traffic cones, velocity and attribute of
 * barriers), and the summaries mAP, mean TP errors, TP scores and NDS.
 *
 * <p>{@link #writeJson} writes the devkit's {@code metrics_summary.json} layout, {@link #writeDetailsJson} its
 * {@code metrics_details.json} (the 101-point curves, for PR plots), {@link #printTable} the devkit's printout.
 */
public record DetectionMetrics(DetectionConfig cfg, Map<String, Map<Double, Double>> labelAps, Map<String, Map<String, Double>> labelTpErrors,
                               Map<String, Map<Double, MetricData>> curves, double evalTime, Map<String, Boolean> meta) {

    /** The five TP metrics in the devkit's order. */
    public static final List<String> TP_METRICS = List.of("trans_err", "scale_err", "orient_err", "vel_err", "attr_err");
    /** Their short names as printed: mATE, mASE, mAOE, mAVE, mAAE. */
    public static final Map<String, String> TP_SHORT = Map.of("trans_err", "mATE", "scale_err", "mASE", "orient_err", "mAOE",
            "vel_err", "mAVE", "attr_err", "mAAE");

    /**
     * One accumulated, 101-point-resampled curve for a class at a distance threshold: recall 0, 0.01, ..., 1 with the
     * interpolated precision and confidence, and the cumulative-mean TP errors at each recall.
     */
    public record MetricData(double[] recall, double[] precision, double[] confidence, double[] transErr, double[] velErr, double[] scaleErr,
                             double[] orientErr, double[] attrErr) {
        public static final int NELEM = 101;

        /** The curve of a class that has no GT or no match: zero precision and confidence, unit errors. */
        public static MetricData noPredictions() {
            double[] ones = new double[NELEM];
            Arrays.fill(ones, 1.0);
            return new MetricData(recallAxis(), new double[NELEM], new double[NELEM], ones.clone(), ones.clone(), ones.clone(), ones.clone(), ones.clone());
        }

        /** numpy's {@code linspace(0, 1, 101)}. */
        static double[] recallAxis() {
            double[] r = new double[NELEM];
            double step = 1.0 / (NELEM - 1);
            for (int i = 0; i < NELEM; i++) r[i] = i * step;
            r[NELEM - 1] = 1.0;
            return r;
        }

        /** The last index with non-zero confidence: the highest recall reached (0 when nothing matched). */
        public int maxRecallInd() {
            for (int i = NELEM - 1; i >= 0; i--) if (confidence[i] != 0) return i;
            return 0;
        }

        public double[] metric(String name) {
            return switch (name) {
                case "trans_err" -> transErr;
                case "scale_err" -> scaleErr;
                case "orient_err" -> orientErr;
                case "vel_err" -> velErr;
                case "attr_err" -> attrErr;
                default -> throw new IllegalArgumentException("unknown TP metric '" + name + "', expected one of " + TP_METRICS);
            };
        }
    }

    public DetectionMetrics {
        labelAps = Collections.unmodifiableMap(labelAps);
        labelTpErrors = Collections.unmodifiableMap(labelTpErrors);
        curves = Collections.unmodifiableMap(curves);
        meta = meta == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    }

    /** AP of one class averaged over the distance thresholds. */
    public Map<String, Double> meanDistAps() {
        Map<String, Double> m = new LinkedHashMap<>();
        labelAps.forEach((c, d) -> m.put(c, d.values().stream().mapToDouble(Double::doubleValue).sum() / d.size()));
        return m;
    }

    /** mAP: the mean over classes of {@link #meanDistAps()}. */
    public double meanAp() {
        return meanDistAps().values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Each TP metric averaged over the classes where it is defined (NaN entries skipped, as numpy's nanmean). */
    public Map<String, Double> tpErrors() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String metric : TP_METRICS) {
            double s = 0;
            int n = 0;
            for (String c : cfg.classRange().keySet()) {
                double v = labelTpErrors.get(c).get(metric);
                if (!Double.isNaN(v)) {
                    s += v;
                    n++;
                }
            }
            m.put(metric, n == 0 ? Double.NaN : s / n);
        }
        return m;
    }

    /** {@code max(0, 1 - error)} per TP metric. */
    public Map<String, Double> tpScores() {
        Map<String, Double> m = new LinkedHashMap<>();
        tpErrors().forEach((k, v) -> m.put(k, Math.max(0.0, 1.0 - v)));
        return m;
    }

    /** NDS = (meanApWeight * mAP + sum of the 5 TP scores) / (meanApWeight + 5). */
    public double ndScore() {
        double total = cfg.meanApWeight() * meanAp() + tpScores().values().stream().mapToDouble(Double::doubleValue).sum();
        return total / (cfg.meanApWeight() + TP_METRICS.size());
    }

    /** The distance-threshold key as Python's {@code str(float)} writes it ("0.5", "1.0"). */
    static String key(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.format(Locale.ROOT, "%.1f", d) : Double.toString(d);
    }

    /**
     * Writes {@code metrics_summary.json} as the devkit lays it out: label_aps, mean_dist_aps, mean_ap, label_tp_errors,
     * tp_errors, tp_scores, nd_score, eval_time, cfg, meta. Undefined errors are written as {@code NaN}, as Python's
     * json module does, so the devkit's tooling reads the file back.
     */
    public void writeJson(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = NuScenesTables.MAPPER.createGenerator(out).useDefaultPrettyPrinter()) {
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                g.disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS.mappedFeature());
                g.writeStartObject();
                g.writeObjectFieldStart("label_aps");
                for (var e : labelAps.entrySet()) {
                    g.writeObjectFieldStart(e.getKey());
                    for (var d : e.getValue().entrySet()) g.writeNumberField(key(d.getKey()), d.getValue());
                    g.writeEndObject();
                }
                g.writeEndObject();
                g.writeObjectFieldStart("mean_dist_aps");
                for (var e : meanDistAps().entrySet()) g.writeNumberField(e.getKey(), e.getValue());
                g.writeEndObject();
                g.writeNumberField("mean_ap", meanAp());
                g.writeObjectFieldStart("label_tp_errors");
                for (var e : labelTpErrors.entrySet()) {
                    g.writeObjectFieldStart(e.getKey());
                    for (var d : e.getValue().entrySet()) g.writeNumberField(d.getKey(), d.getValue());
                    g.writeEndObject();
                }
                g.writeEndObject();
                g.writeObjectFieldStart("tp_errors");
                for (var e : tpErrors().entrySet()) g.writeNumberField(e.getKey(), e.getValue());
                g.writeEndObject();
                g.writeObjectFieldStart("tp_scores");
                for (var e : tpScores().entrySet()) g.writeNumberField(e.getKey(), e.getValue());
                g.writeEndObject();
                g.writeNumberField("nd_score", ndScore());
                g.writeNumberField("eval_time", evalTime);
                g.writeObjectFieldStart("cfg");
                g.writeObjectFieldStart("class_range");
                for (var e : cfg.classRange().entrySet()) number(g, e.getKey(), e.getValue());
                g.writeEndObject();
                g.writeStringField("dist_fcn", "center_distance");
                g.writeArrayFieldStart("dist_ths");
                for (double d : cfg.distThs()) g.writeNumber(d);
                g.writeEndArray();
                g.writeNumberField("dist_th_tp", cfg.distThTp());
                g.writeNumberField("min_recall", cfg.minRecall());
                g.writeNumberField("min_precision", cfg.minPrecision());
                g.writeNumberField("max_boxes_per_sample", cfg.maxBoxesPerSample());
                g.writeNumberField("mean_ap_weight", cfg.meanApWeight());
                g.writeEndObject();
                g.writeObjectFieldStart("meta");
                for (var e : meta.entrySet()) g.writeBooleanField(e.getKey(), e.getValue());
                g.writeEndObject();
                g.writeEndObject();
            }
        });
    }

    private static void number(JsonGenerator g, String name, double v) throws IOException {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) g.writeNumberField(name, (long) v);
        else g.writeNumberField(name, v);
    }

    /** Writes {@code metrics_details.json}: one entry {@code "<class>:<dist_th>"} per curve with its 101-point arrays. */
    public void writeDetailsJson(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = NuScenesTables.MAPPER.createGenerator(out)) {
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                g.disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS.mappedFeature());
                g.writeStartObject();
                for (var c : curves.entrySet())
                    for (var d : c.getValue().entrySet()) {
                        MetricData md = d.getValue();
                        g.writeObjectFieldStart(c.getKey() + ":" + key(d.getKey()));
                        DetectionResults.numbers(g, "recall", md.recall());
                        DetectionResults.numbers(g, "precision", md.precision());
                        DetectionResults.numbers(g, "confidence", md.confidence());
                        DetectionResults.numbers(g, "trans_err", md.transErr());
                        DetectionResults.numbers(g, "vel_err", md.velErr());
                        DetectionResults.numbers(g, "scale_err", md.scaleErr());
                        DetectionResults.numbers(g, "orient_err", md.orientErr());
                        DetectionResults.numbers(g, "attr_err", md.attrErr());
                        g.writeEndObject();
                    }
                g.writeEndObject();
            }
        });
    }

    /** Prints the summary and the per-class table as the devkit's evaluator does. */
    public void printTable(PrintStream out) {
        out.printf(Locale.ROOT, "mAP: %.4f%n", meanAp());
        Map<String, Double> tp = tpErrors();
        for (String m : TP_METRICS) out.printf(Locale.ROOT, "%s: %.4f%n", TP_SHORT.get(m), tp.get(m));
        out.printf(Locale.ROOT, "NDS: %.4f%n", ndScore());
        out.printf(Locale.ROOT, "Eval time: %.1fs%n%n", evalTime);
        out.println("Per-class results:");
        out.println("Object Class\tAP\tATE\tASE\tAOE\tAVE\tAAE");
        Map<String, Double> aps = meanDistAps();
        for (String c : aps.keySet()) {
            Map<String, Double> e = labelTpErrors.get(c);
            out.printf(Locale.ROOT, "%s\t%.3f\t%s\t%s\t%s\t%s\t%s%n", c, aps.get(c), f3(e.get("trans_err")), f3(e.get("scale_err")),
                    f3(e.get("orient_err")), f3(e.get("vel_err")), f3(e.get("attr_err")));
        }
    }

    /** Python's {@code '%.3f' % nan} prints "nan". */
    private static String f3(double v) { return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.3f", v); }
}
