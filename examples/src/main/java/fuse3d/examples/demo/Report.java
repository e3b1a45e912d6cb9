package fuse3d.examples.demo;

import fuse3d.data.kitti.KittiEvalResult;
import fuse3d.data.kitti.KittiEvalResult.Metric;
import fuse3d.data.kitti.KittiEvalResult.Overlap;
import fuse3d.data.kitti.KittiEvalResult.Protocol;
import fuse3d.models.train.Inference;
import fuse3d.models.voxelrcnn.VoxelRcnnConfig;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The demo's report.md: what was trained on what, the AP tables, the learning curve, recall, and the pictures. */
final class Report {
    private Report() {}

    static String markdown(DetectorDemo.Options o, VoxelRcnnConfig cfg, long params, int trainFrames, int valFrames, KittiEvalResult m,
                           Map<String, Double> recall, Map<Integer, double[]> curve, TrainLog log, List<Inference.FrameOutput> frames,
                           double trainSeconds, double totalSeconds) {
        StringBuilder b = new StringBuilder();
        b.append("# Fuse3D demo: Voxel R-CNN on synthetic KITTI\n\n");
        b.append(f("A `%s` Voxel R-CNN (%,d parameters) trained from scratch for %d epochs (%,d iterations, batch %d) on %d synthetic KITTI-format frames "
                        + "and evaluated on %d held-out frames with the official KITTI protocol (R40 and R11). Data seed %d. "
                        + "Training took %.1f min, the whole demo %.1f min, on %d threads (Java %s).\n\n",
                DetectorDemo.PRESET, params, o.epochs(), log.rows().length, cfg.optimization().batchSizePerGpu(), trainFrames, valFrames, o.seed(),
                trainSeconds / 60, totalSeconds / 60, Runtime.getRuntime().availableProcessors(), Runtime.version()));
        b.append(f("Voxels %s m over %s; classes %s.\n\n", java.util.Arrays.toString(cfg.dataConfig().voxelSize()),
                java.util.Arrays.toString(cfg.dataConfig().pointCloudRange()), cfg.classNames()));

        b.append("## Car AP on the held-out frames\n\n");
        b.append("| metric | protocol | IoU | easy | moderate | hard |\n|---|---|---|---|---|---|\n");
        for (Protocol p : Protocol.values())
            for (Metric metric : List.of(Metric.THREE_D, Metric.BEV, Metric.BBOX, Metric.AOS)) {
                double[] ap = m.ap("Car", Overlap.STRICT, p, metric);
                if (ap == null) continue;
                double[] ov = m.minOverlaps("Car", Overlap.STRICT);
                double iou = metric == Metric.BEV ? ov[1] : metric == Metric.THREE_D ? ov[2] : ov[0];
                b.append(f("| %s | %s | %.2f | %.2f | %.2f | %.2f |\n", metric.key, p, iou, ap[0], ap[1], ap[2]));
            }
        double[] loose = m.ap("Car", Overlap.LOOSE, Protocol.R40, Metric.THREE_D);
        b.append(f("\nAt the loose overlap (3D IoU 0.5), R40: easy %.2f, moderate %.2f, hard %.2f. All numbers are in `metrics.json`; the full table "
                + "as OpenPCDet prints it:\n\n```\n%s```\n\n", loose[0], loose[1], loose[2], m.table()));

        if (!curve.isEmpty()) {
            b.append("## Learning curve\n\n![held-out AP by epoch](ap_curve.png)\n\n| epoch | mean training loss | Car 3D AP R40 easy | moderate | hard |\n|---|---|---|---|---|\n");
            for (Map.Entry<Integer, double[]> e : curve.entrySet())
                b.append(f("| %d | %.3f | %.2f | %.2f | %.2f |\n", e.getKey(), log.epochMean("loss", e.getKey()), e.getValue()[0], e.getValue()[1],
                        e.getValue()[2]));
            b.append('\n');
        }
        b.append("## Training loss\n\n![loss terms by iteration](loss_curve.png)\n\n| epoch |");
        for (String t : log.lossTerms()) b.append(' ').append(t).append(" |");
        b.append(" total |\n|---|");
        for (int i = 0; i <= log.lossTerms().size(); i++) b.append("---|");
        b.append('\n');
        for (int e = 1; e <= log.epochs(); e++) {
            b.append("| ").append(e).append(" |");
            for (String t : log.lossTerms()) b.append(f(" %.3f |", log.epochMean(t, e)));
            b.append(f(" %.3f |\n", log.epochMean("loss", e)));
        }
        if (!recall.isEmpty()) {
            b.append("\n## Recall of the ground truth (3D IoU above the threshold), by RoIs and by refined boxes\n\n| | value |\n|---|---|\n");
            recall.forEach((k, v) -> b.append(f("| %s | %.3f |\n", k, v)));
        }
        b.append("\n## Pictures\n\nBird's-eye views of held-out frames: LiDAR points, ground truth in green, detections in pink with their scores.\n\n");
        for (Inference.FrameOutput fo : frames)
            b.append(f("- frame %s, %d detections: ![frame %s](bev/%s.png)\n", fo.frameId(), fo.detections(), fo.frameId(), fo.frameId()));
        b.append("\nPrecision-recall curves per metric and overlap set are in `eval/pr_curves/`; the detections as KITTI label files in `eval/data/` "
                + "and `labels/`; the loss of every iteration in `train/train_log.csv`; the checkpoints in `train/ckpt/`.\n");
        b.append(f("\nReproduce: `./fuse3d demo --out %s --frames %d --epochs %d --seed %d`.\n", o.out(), o.frames(), o.epochs(), o.seed()));
        return b.toString();
    }

    private static String f(String pattern, Object... args) { return String.format(Locale.ROOT, pattern, args); }
}
