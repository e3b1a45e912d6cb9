package fuse3d.models.voxelrcnn;

import static org.junit.jupiter.api.Assertions.*;

import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.kitti.KittiEvalResult.Difficulty;
import fuse3d.data.kitti.KittiEvalResult.Metric;
import fuse3d.data.kitti.KittiEvalResult.Overlap;
import fuse3d.data.kitti.KittiEvalResult.Protocol;
import fuse3d.data.kitti.KittiLabels;
import fuse3d.data.kitti.KittiObject;
import fuse3d.data.kitti.KittiSplits;
import fuse3d.data.synth.SyntheticKitti;
import fuse3d.models.train.DataLoader;
import fuse3d.models.train.KittiDetectionDataset;
import fuse3d.models.train.KittiEvaluation;
import fuse3d.models.train.Trainer;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overfit proof: the tiny Voxel R-CNN trained from scratch on four synthetic KITTI frames (no augmentation,
 * no dropout) learns them: its losses fall by an order of magnitude and, evaluated on the same frames with the
 * official KITTI metric, its Car 3D AP (R40, IoU 0.7) is near perfect.
 *
 * <p>Two things make the short run measurable, neither touching the model:
 * <ul>
 * <li>Labels: a car the tiny range cuts (any BEV corner outside it) is relabelled DontCare in the written dataset,
 *     for training and evaluation alike: the model cannot see the part outside, and a box it never could place
 *     must not count as a miss.</li>
 * <li>BatchNorm statistics: OpenPCDet's backbones update their running statistics with momentum 0.01, so after a
 *     bounded run they are still mostly their initial (0, 1) and the eval-mode network is not the trained one (AP
 *     near 0 although the training losses are low). The trainer recomputes them at the end as the mean of the
 *     per-batch statistics over the training frames ({@code Trainer.Options.withPreciseBn}, what {@code train} and the
 *     demo do), which a long run's running averages approach.</li>
 * </ul>
 * The evaluator samples precision at 40 recall steps, one per matched object: the split repeats the frames until
 * it holds at least 40 moderate cars, as the train tests do.
 */
class VoxelRcnnOverfitTest {
    private static final int FRAMES = 4, EPOCHS = 100;

    @Test
    void fourFramesAreLearnt(@TempDir Path root) throws Exception {
        SyntheticKitti.write(root, FRAMES, 7, null);
        VoxelRcnnConfig cfg = GoldenFrame.tinyConfig("MODEL.ROI_HEAD.DP_RATIO=0.0", "OPTIMIZATION.NUM_EPOCHS=" + EPOCHS);
        KittiDataset all = KittiDataset.open(root, "trainval");
        int moderate = keepInsideRange(all, cfg.dataConfig().pointCloudRange());
        assertTrue(moderate >= 4, "the frames hold only " + moderate + " moderate cars inside the range");
        List<String> repeated = new ArrayList<>();
        for (int r = 0; r < Math.ceilDiv(40, moderate); r++) repeated.addAll(all.ids());
        KittiSplits.write(root.resolve("ImageSets").resolve("repeated.txt"), repeated);

        VoxelRcnn model = new VoxelRcnn(cfg, new Generator(1));
        KittiDetectionDataset train = new KittiDetectionDataset(all, cfg.classNames(), cfg.dataConfig(), true, 3);
        long t0 = System.nanoTime();
        Trainer.Result result;
        try (var loader = DataLoader.of(train, cfg.optimization().batchSizePerGpu(), 5, 0)) {
            var options = Trainer.Options.of(root.resolve("run")).withGenerators(model.generators())
                    .withProgress(new PrintStream(PrintStream.nullOutputStream()), false).withPreciseBn(16);
            result = new Trainer(model, cfg.optimization(), loader, options).train(false);
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(EPOCHS, result.epochsDone());

        double[] totals = totals(root.resolve("run").resolve(Trainer.LOG_FILE));
        double first = totals[0], last = mean(totals, totals.length - 4, totals.length);
        assertTrue(last < first / 10, "the total loss fell from " + first + " to " + last + " only");

        KittiDetectionDataset eval = new KittiDetectionDataset(KittiDataset.open(root, "repeated"), cfg.classNames(), cfg.dataConfig(), false, 0);
        KittiEvaluation.Result r = KittiEvaluation.run(model, eval, 4, 0, null, null, null);
        double moderate3d = r.metrics().ap("Car", Overlap.STRICT, Protocol.R40, Metric.THREE_D, Difficulty.MODERATE);
        double hard3d = r.metrics().ap("Car", Overlap.STRICT, Protocol.R40, Metric.THREE_D, Difficulty.HARD);
        double moderateAos = r.metrics().ap("Car", Overlap.STRICT, Protocol.R40, Metric.AOS, Difficulty.MODERATE);
        double moderateBbox = r.metrics().ap("Car", Overlap.STRICT, Protocol.R40, Metric.BBOX, Difficulty.MODERATE);
        System.out.printf("voxel_rcnn_tiny overfit: %d steps in %.1f s, loss %.3f -> %.3f, Car 3D AP R40 moderate %.2f hard %.2f, bbox %.2f aos %.2f%n",
                result.iterations(), trainSeconds, first, last, moderate3d, hard3d, moderateBbox, moderateAos);
        // moderate and hard count at least 40 cars (easy may not, which caps its R40 AP below 100 for a perfect detector)
        assertTrue(moderate3d > 90, "Car 3D AP (R40, moderate) " + moderate3d + "\n" + r.metrics().table());
        assertTrue(hard3d > 90, "Car 3D AP (R40, hard) " + hard3d + "\n" + r.metrics().table());
        // headings: direction classifier, its targets and the decoding agree, so every learnt box faces the right way
        assertTrue(moderateAos > 0.97 * moderateBbox, "AOS " + moderateAos + " vs bbox AP " + moderateBbox + ": headings flipped\n" + r.metrics().table());
    }

    /**
     * Rewrites every label file so that an object not wholly inside the range (a BEV corner outside) becomes
     * DontCare; returns the number of moderate cars left.
     */
    static int keepInsideRange(KittiDataset ds, double[] range) throws Exception {
        int moderate = 0;
        for (String id : ds.ids()) {
            KittiCalibration calib = ds.calib(id);
            List<KittiObject> out = new ArrayList<>();
            for (KittiObject o : ds.labels(id)) {
                if (!o.isDontCare() && !inside(calib.boxesCameraToLidar(Tensor.of(o.cameraBox(), 1, 7)).toDouble().toDoubleArray(), range))
                    o = new KittiObject(KittiObject.DONT_CARE, -1, -1, KittiObject.NO_ALPHA, o.x1(), o.y1(), o.x2(), o.y2(), -1, -1, -1, -1000, -1000,
                            -1000, -10, Double.NaN);
                else if (o.type().equals("Car") && o.level() >= 0 && o.level() <= 1) moderate++;
                out.add(o);
            }
            KittiLabels.write(ds.labelPath(id), out);
        }
        return moderate;
    }

    /** Whether all four BEV corners of a LiDAR box (x, y, z, dx, dy, dz, heading) lie in the range's x-y rectangle. */
    static boolean inside(double[] b, double[] range) {
        double c = Math.cos(b[6]), s = Math.sin(b[6]);
        for (int sx = -1; sx <= 1; sx += 2)
            for (int sy = -1; sy <= 1; sy += 2) {
                double x = b[0] + sx * b[3] / 2 * c - sy * b[4] / 2 * s, y = b[1] + sx * b[3] / 2 * s + sy * b[4] / 2 * c;
                if (x < range[0] || x > range[3] || y < range[1] || y > range[4]) return false;
            }
        return true;
    }

    /** The "total" column of the trainer's CSV log, by iteration. */
    static double[] totals(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        int col = List.of(lines.get(0).split(",")).indexOf("total");
        return lines.subList(1, lines.size()).stream().mapToDouble(l -> Double.parseDouble(l.split(",")[col])).toArray();
    }

    static double mean(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += v[i];
        return s / (to - from);
    }
}
