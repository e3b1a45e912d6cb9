package fuse3d.examples.demo;

import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.kitti.KittiEvalResult;
import fuse3d.data.kitti.KittiEvalResult.Metric;
import fuse3d.data.kitti.KittiEvalResult.Overlap;
import fuse3d.data.kitti.KittiEvalResult.Protocol;
import fuse3d.data.synth.SyntheticKitti;
import fuse3d.data.viz.CurvePicture;
import fuse3d.models.detect.Batch;
import fuse3d.models.train.DataLoader;
import fuse3d.models.train.Inference;
import fuse3d.models.train.KittiDetectionDataset;
import fuse3d.models.train.KittiEvaluation;
import fuse3d.models.train.Trainer;
import fuse3d.models.voxelrcnn.VoxelRcnn;
import fuse3d.models.voxelrcnn.VoxelRcnnConfig;
import fuse3d.tensor.Generator;
import fuse3d.tensor.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The README's main job: generates a small synthetic KITTI-format dataset, trains the {@code voxel_rcnn_small}
 * Voxel R-CNN on it, evaluates it on the held-out frames with the KITTI evaluator (R40 and R11) and writes what a
 * person looks at: {@code metrics.json}, PR curves, BEV pictures of val frames with GT and detections, the loss
 * and learning curves, and {@code report.md} tying them together.
 */
public final class DetectorDemo {
    private DetectorDemo() {}

    /**
     * @param out       the demo folder (data/, train/, and the results)
     * @param frames    synthetic frames to generate (even ids train, odd ids val)
     * @param epochs    training epochs (NUM_EPOCHS)
     * @param evalEvery evaluate the held-out frames every this many epochs (the learning curve); 0: only at the end
     * @param overrides further KEY.PATH=value config overrides
     */
    public record Options(Path out, int frames, long seed, int epochs, int evalEvery, int workers, int pictures, List<String> overrides) {}

    /** The headline numbers: Car 3D AP (R40) at easy / moderate / hard and the training time. */
    public record Result(double[] car3dR40, double trainSeconds, double totalSeconds, Path report) {}

    public static final String PRESET = "voxel_rcnn_small";

    /** Training batches whose statistics replace BatchNorm's running averages before each evaluation (a short run's are stale). */
    public static final int PRECISE_BN_BATCHES = 16;

    public static Result run(Options o, PrintStream log) throws IOException {
        long start = System.nanoTime();
        Path out = o.out(), data = out.resolve("data"), train = out.resolve("train");
        Files.createDirectories(out);

        // 1. the dataset, generated once (a folder with the same frame count and seed is reused)
        Path stamp = data.resolve("fuse3d_synth.txt");
        String want = "frames=" + o.frames() + " seed=" + o.seed();
        if (!Files.exists(stamp) || !Files.readString(stamp).strip().equals(want)) {
            log.printf(Locale.ROOT, "[1/5] generating %d synthetic KITTI frames into %s%n", o.frames(), data);
            long t = System.nanoTime();
            SyntheticKitti.write(data, o.frames(), o.seed(), (done, total) -> {
                if (done % Math.max(1, total / 10) == 0 || done == total) log.printf(Locale.ROOT, "      %d/%d frames%n", done, total);
            });
            AtomicFiles.write(stamp, os -> os.write((want + "\n").getBytes(StandardCharsets.UTF_8)));
            log.printf(Locale.ROOT, "      %.1f s%n", (System.nanoTime() - t) / 1e9);
        } else {
            log.printf("[1/5] reusing the synthetic dataset in %s (%s)%n", data, want);
        }

        // 2. training, with the held-out AP every evalEvery epochs for the learning curve
        List<String> sets = new ArrayList<>(o.overrides());
        sets.add(0, "OPTIMIZATION.NUM_EPOCHS=" + o.epochs());
        VoxelRcnnConfig cfg = VoxelRcnnConfig.load(PRESET, sets);
        VoxelRcnn model = new VoxelRcnn(cfg, new Generator(o.seed()));
        KittiDetectionDataset trainSet = new KittiDetectionDataset(KittiDataset.open(data, "train"), cfg.classNames(), cfg.dataConfig(), true, o.seed());
        KittiDetectionDataset valSet = new KittiDetectionDataset(KittiDataset.open(data, "val"), cfg.classNames(), cfg.dataConfig(), false, o.seed());
        log.printf(Locale.ROOT, "[2/5] training %s (%,d parameters) for %d epochs on %d frames, batch %d%n", PRESET, model.parameterCount(), o.epochs(),
                trainSet.size(), cfg.optimization().batchSizePerGpu());
        Map<Integer, double[]> curve = new LinkedHashMap<>();
        Trainer.Evaluator learning = (detector, epoch) -> {
            KittiEvaluation.Result r = KittiEvaluation.run(detector, valSet, 2, o.workers(), null, null, null);
            double[] ap = r.metrics().ap("Car", Overlap.STRICT, Protocol.R40, Metric.THREE_D);
            curve.put(epoch, ap);
            log.printf(Locale.ROOT, "      epoch %d: Car 3D AP R40 (IoU 0.7) easy %.2f  moderate %.2f  hard %.2f%n", epoch, ap[0], ap[1], ap[2]);
        };
        Trainer.Options topt = Trainer.Options.of(train).withGenerators(model.generators()).withMetadata(Map.of("config", PRESET))
                .withEvaluator(learning, o.evalEvery()).withPreciseBn(PRECISE_BN_BATCHES);
        long t0 = System.nanoTime();
        try (DataLoader<KittiDetectionDataset.Sample, Batch> loader = DataLoader.of(trainSet, cfg.optimization().batchSizePerGpu(), o.seed(), o.workers())) {
            new Trainer(model, cfg.optimization(), loader, topt).train(false);
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;

        // 3. the final evaluation: metrics.json, PR curves, recall
        log.println("[3/5] evaluating on the held-out frames");
        Path evalDir = out.resolve("eval");
        KittiEvaluation.Result r = KittiEvaluation.run(model, valSet, 2, o.workers(), evalDir, model.newRecallAccumulator(), null);
        KittiEvalResult m = r.metrics();
        Files.copy(evalDir.resolve("metrics.json"), out.resolve("metrics.json"), StandardCopyOption.REPLACE_EXISTING);
        m.printTable(log);

        // 4. pictures: BEV of some val frames, loss and learning curves
        log.println("[4/5] drawing BEV pictures and curves");
        List<String> shown = valSet.dataset().ids().subList(0, Math.min(o.pictures(), valSet.size()));
        KittiDetectionDataset few = new KittiDetectionDataset(valSet.dataset().subset(shown), cfg.classNames(), cfg.dataConfig(), false, o.seed());
        List<Inference.FrameOutput> frames = Inference.run(model, few, 1, o.workers(), out, cfg.model().postProcessing().scoreThresh(), null);
        TrainLog tl = TrainLog.read(train.resolve(Trainer.LOG_FILE));
        List<CurvePicture.Series> lossSeries = new ArrayList<>();
        lossSeries.add(new CurvePicture.Series("loss (total)", tl.iterations(), tl.column("loss")));
        for (String term : tl.lossTerms()) lossSeries.add(new CurvePicture.Series(term, tl.iterations(), tl.column(term)));
        int window = Math.max(1, tl.iterations().length / 40);
        CurvePicture.write(out.resolve("loss_curve.png"), "Voxel R-CNN (" + PRESET + ") training loss", "iteration", "loss", lossSeries, window, true);
        if (!curve.isEmpty()) {
            double[] ep = curve.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            List<CurvePicture.Series> apSeries = new ArrayList<>();
            String[] names = {"easy", "moderate", "hard"};
            for (int d = 0; d < 3; d++) {
                double[] y = new double[ep.length];
                int i = 0;
                for (double[] ap : curve.values()) y[i++] = ap[d];
                apSeries.add(new CurvePicture.Series("Car 3D AP R40 " + names[d], ep, y));
            }
            CurvePicture.write(out.resolve("ap_curve.png"), "Held-out Car 3D AP (R40, IoU 0.7) by epoch", "epoch", "AP", apSeries, 1, false);
        }

        // 5. the report
        double total = (System.nanoTime() - start) / 1e9;
        Path report = out.resolve("report.md");
        String md = Report.markdown(o, cfg, model.parameterCount(), trainSet.size(), valSet.size(), m, r.recall(), curve, tl, frames, trainSeconds, total);
        AtomicFiles.write(report, os -> os.write(md.getBytes(StandardCharsets.UTF_8)));
        log.printf(Locale.ROOT, "[5/5] wrote %s (training %.1f min, total %.1f min)%n", report, trainSeconds / 60, total / 60);
        return new Result(m.ap("Car", Overlap.STRICT, Protocol.R40, Metric.THREE_D), trainSeconds, total, report);
    }
}
