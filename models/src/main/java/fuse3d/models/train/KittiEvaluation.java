package fuse3d.models.train;

import fuse3d.autograd.GradMode;
import fuse3d.data.kitti.KittiEvalResult;
import fuse3d.data.kitti.KittiEvaluator;
import fuse3d.data.kitti.KittiObject;
import fuse3d.data.viz.PrCurvePicture;
import fuse3d.models.detect.Batch;
import fuse3d.models.detect.Detections;
import fuse3d.models.detect.Detector;
import fuse3d.nn.Module;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Evaluates a {@link Detector} on a KITTI split, OpenPCDet's eval_one_epoch: the model in eval mode without
 * gradients over the split's batches, detections turned into KITTI objects ({@link KittiExport}), then the official
 * KITTI AP (R11 and R40) against the split's label files. With an output folder it writes {@code metrics.json},
 * the PR-curve pictures under {@code pr_curves/} and the detections as label files under {@code data/} (OpenPCDet's
 * final_result/data), plus {@code recall.json} when a {@link RecallAccumulator} is given.
 */
public final class KittiEvaluation {
    private KittiEvaluation() {}

    /**
     * Collects recall numbers over the evaluated batches (OpenPCDet's recall_thresh_list statistics from the RoIs
     * and the final boxes): the dense or RoI head supplies one.
     */
    public interface RecallAccumulator {
        /** Sees one batch (with its labels) and its detections. */
        void add(Batch batch, List<Detections> detections);

        /** The recall numbers by name, e.g. {@code recall_rcnn_0.7}. */
        Map<String, Double> results();
    }

    /**
     * What an evaluation produced.
     *
     * @param metrics    the KITTI AP tables (null when the split has no labels)
     * @param frameIds   the frames in split order
     * @param detections per frame the KITTI detections (camera frame, with scores)
     * @param raw        per frame the detector's LiDAR-frame detections
     * @param recall     the accumulator's numbers, empty without one
     */
    public record Result(KittiEvalResult metrics, List<String> frameIds, List<List<KittiObject>> detections, List<Detections> raw,
                         Map<String, Double> recall) {}

    /**
     * Runs the evaluation.
     *
     * @param data     a test-mode dataset of the split
     * @param outDir   where to write results, or null
     * @param recall   may be null
     * @param progress where to report progress (one line per tenth), or null
     */
    public static Result run(Detector detector, KittiDetectionDataset data, int batchSize, int workers, Path outDir, RecallAccumulator recall,
                             PrintStream progress) throws IOException {
        if (data.training()) throw new IllegalArgumentException("KittiEvaluation: the dataset is in training mode (augmented); open it with training = false");
        Module model = detector.module();
        boolean wasTraining = model.isTraining();
        List<String> classes = detector.classNames();
        List<String> ids = new ArrayList<>();
        List<List<KittiObject>> dets = new ArrayList<>();
        List<Detections> raw = new ArrayList<>();
        model.eval();
        long t0 = System.nanoTime();
        try (GradMode.Scope ignored = GradMode.noGrad();
             DataLoader<KittiDetectionDataset.Sample, Batch> loader = DataLoader.of(data, batchSize, 0, workers);
             DataLoader<KittiDetectionDataset.Sample, Batch>.Epoch epoch = loader.epoch(0)) {
            int n = loader.batchesPerEpoch(), k = 0;
            while (epoch.hasNext()) {
                Batch batch = epoch.next();
                List<Detections> out = detector.predict(batch);
                if (out.size() != batch.batchSize())
                    throw new IllegalStateException("KittiEvaluation: predict returned " + out.size() + " results for a batch of " + batch.batchSize());
                for (int i = 0; i < batch.batchSize(); i++) {
                    ids.add(batch.frames().get(i).frameId());
                    raw.add(out.get(i));
                    dets.add(KittiExport.toKitti(out.get(i), batch.frames().get(i), classes));
                }
                if (recall != null && batch.hasLabels()) recall.add(batch, out);
                k++;
                if (progress != null && (k == n || k % Math.max(1, n / 10) == 0))
                    progress.printf(Locale.ROOT, "eval %d/%d batches, %.1f s%n", k, n, (System.nanoTime() - t0) / 1e9);
            }
        } finally {
            model.train(wasTraining);
        }
        KittiEvalResult metrics = null;
        boolean labelled = ids.stream().allMatch(data.dataset()::hasLabels);
        if (labelled && !ids.isEmpty()) {
            List<List<KittiObject>> gt = new ArrayList<>();
            for (String id : ids) gt.add(data.dataset().labels(id));
            List<String> evalClasses = classes.stream().filter(c -> KittiEvaluator.CLASSES.stream().anyMatch(c::equalsIgnoreCase)).toList();
            if (!evalClasses.isEmpty()) metrics = KittiEvaluator.evaluate(gt, dets, evalClasses);
        }
        Map<String, Double> rec = recall == null ? Map.of() : new LinkedHashMap<>(recall.results());
        if (outDir != null) write(outDir, ids, dets, metrics, rec);
        return new Result(metrics, List.copyOf(ids), dets, raw, rec);
    }

    private static void write(Path outDir, List<String> ids, List<List<KittiObject>> dets, KittiEvalResult metrics, Map<String, Double> recall)
            throws IOException {
        Files.createDirectories(outDir);
        Path data = outDir.resolve("data");
        for (int i = 0; i < ids.size(); i++) KittiExport.write(data, ids.get(i), dets.get(i));
        if (metrics != null) {
            metrics.writeJson(outDir.resolve("metrics.json"));
            PrCurvePicture.writeKitti(outDir.resolve("pr_curves"), metrics);
        }
        if (!recall.isEmpty()) {
            StringBuilder sb = new StringBuilder("{");
            int j = 0;
            for (var e : recall.entrySet())
                sb.append(j++ == 0 ? "\n  " : ",\n  ").append('"').append(e.getKey().replace("\"", "\\\"")).append("\": ").append(jsonNumber(e.getValue()));
            sb.append("\n}\n");
            byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            fuse3d.tensor.io.AtomicFiles.write(outDir.resolve("recall.json"), out -> out.write(bytes));
        }
    }

    private static String jsonNumber(double v) { return Double.isFinite(v) ? Double.toString(v) : "null"; }

    /** A {@link Trainer.Evaluator} that evaluates on {@code data} and writes under {@code <outDir>/eval/epoch_<n>}. */
    public static Trainer.Evaluator evaluator(KittiDetectionDataset data, int batchSize, int workers, Path outDir, PrintStream progress) {
        return (detector, epoch) -> {
            Result r = run(detector, data, batchSize, workers, outDir.resolve("eval").resolve("epoch_" + epoch), null, progress);
            if (r.metrics() != null && progress != null) progress.println(r.metrics().table());
        };
    }

}
