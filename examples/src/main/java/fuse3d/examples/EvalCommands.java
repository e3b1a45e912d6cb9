package fuse3d.examples;

import fuse3d.data.kitti.KittiEvalResult;
import fuse3d.data.kitti.KittiEvaluator;
import fuse3d.data.nuscenes.DetectionConfig;
import fuse3d.data.nuscenes.DetectionMetrics;
import fuse3d.data.nuscenes.DetectionResults;
import fuse3d.data.nuscenes.NuScenesEvaluator;
import fuse3d.data.nuscenes.NuScenesTables;
import fuse3d.data.occ3d.Occ3dEvaluator;
import fuse3d.data.occ3d.Occ3dResult;
import fuse3d.data.occ3d.RayOrigins;
import fuse3d.sparse.bev.SensorPose;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fuse3d eval kitti|nuscenes|occ3d}: the official metrics of each dataset, printed and written as JSON. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluates a trained detector: fuse3d eval --config C --data DIR --ckpt FILE|RUN_DIR --out DIR (KITTI AP R11/R40, recall, "
                + "metrics.json, PR curves, detections as label files).",
                "Or, with a subcommand, the official metrics of result files: KITTI AP, nuScenes mAP/NDS, Occ3D mIoU and RayIoU."},
        subcommands = {EvalCommands.Kitti.class, EvalCommands.NuScenes.class, EvalCommands.Occ3d.class})
final class EvalCommands implements Callable<Integer> {
    @CommandLine.Mixin DetectorCommands.ModelOptions model;

    @Option(names = "--ckpt", description = "a checkpoint file, or a training output folder (its newest checkpoint)") Path ckpt;

    @Option(names = "--out", description = "where metrics.json, pr_curves/, data/ and recall.json go") Path out;

    @Option(names = "--split", defaultValue = "val", description = "the split to evaluate (default ${DEFAULT-VALUE})") String split;

    @Option(names = "--batch", defaultValue = "2", description = "frames per forward pass (default ${DEFAULT-VALUE})") int batch;

    @Override
    public Integer call() throws Exception {
        if (ckpt == null && model.data == null) {
            CommandLine.usage(this, System.out);
            return 0;
        }
        if (ckpt == null) throw new IllegalArgumentException("eval: --ckpt is required to evaluate a model");
        return DetectorCommands.evaluate(model, ckpt, out, split, batch);
    }

    @Command(name = "kitti", mixinStandardHelpOptions = true,
            description = "KITTI 2D/BEV/3D/AOS AP, R11 and R40, as OpenPCDet's kitti_object_eval_python; detections are label lines with a 16th score field.")
    static final class Kitti implements Callable<Integer> {
        @Option(names = "--gt", required = true, description = "ground-truth label_2 directory") Path gt;
        @Option(names = "--det", required = true, description = "detection label directory (one file per frame, empty when none)") Path det;
        @Option(names = "--split", description = "ImageSets file of frame ids (default: every .txt in --gt)") Path split;
        @Option(names = "--classes", split = ",", defaultValue = "Car,Pedestrian,Cyclist", description = "classes (default ${DEFAULT-VALUE})")
        List<String> classes;
        @Option(names = "--json", description = "write every number here") Path json;

        @Override
        public Integer call() throws Exception {
            KittiEvalResult r = KittiEvaluator.evaluate(gt, det, split, classes);
            r.printTable(System.out);
            if (json != null) r.writeJson(json);
            return 0;
        }
    }

    @Command(name = "nuscenes", mixinStandardHelpOptions = true,
            description = "nuScenes detection (detection_cvpr_2019): mAP, TP errors, NDS; writes the devkit's metrics_summary.json layout.")
    static final class NuScenes implements Callable<Integer> {
        @Option(names = "--dataroot", required = true) Path dataroot;
        @Option(names = "--version", defaultValue = "v1.0-mini") String version;
        @Option(names = "--split", defaultValue = "mini_val", description = "mini_train, mini_val, all, or a file of scene names") String split;
        @Option(names = "--results", required = true, description = "the submission JSON") Path results;
        @Option(names = "--json", description = "write metrics_summary.json here") Path json;

        @Override
        public Integer call() throws Exception {
            NuScenesTables t = NuScenesTables.load(dataroot, version);
            DetectionConfig cfg = DetectionConfig.cvpr2019();
            DetectionMetrics m = NuScenesEvaluator.evaluate(t, NuScenesEvaluator.splitScenes(split, t), DetectionResults.read(results, 500), cfg);
            m.printTable(System.out);
            if (json != null) m.writeJson(json);
            return 0;
        }
    }

    @Command(name = "occ3d", mixinStandardHelpOptions = true,
            description = "Occ3D per-class IoU and mIoU (camera, LiDAR and no mask), occupied IoU, mIoU_D, and RayIoU.")
    static final class Occ3d implements Callable<Integer> {
        @Option(names = "--gt", required = true, description = "Occ3D tree <scene>/<token>/labels.npz") Path gt;
        @Option(names = "--pred", required = true, description = "predictions (same tree, or <scene>_<token>.npz with 'pred')") Path pred;
        @Option(names = "--dataroot", description = "nuScenes root: RayIoU's ray origins from the ego poses of each scene's keyframes") Path dataroot;
        @Option(names = "--version", defaultValue = "v1.0-trainval") String version;
        @Option(names = "--no-rayiou", description = "skip RayIoU") boolean noRayIou;
        @Option(names = "--json", description = "write every number here") Path json;

        @Override
        public Integer call() throws Exception {
            RayOrigins.Source origins = noRayIou ? null : dataroot == null ? RayOrigins.currentFrameOnly() : originsFromTables(NuScenesTables.load(dataroot, version));
            if (!noRayIou && dataroot == null)
                System.err.println("eval occ3d: no --dataroot, so RayIoU casts from each frame's own LiDAR origin only (not the 8-origin benchmark setting)");
            Occ3dResult r = Occ3dEvaluator.evaluate(gt, pred, origins);
            r.printTable(System.out);
            if (json != null) r.writeJson(json);
            return 0;
        }

        /** Every scene's keyframes in time order with their LiDAR poses, as RayIoU's origin selection needs. */
        private static RayOrigins.Source originsFromTables(NuScenesTables t) {
            Map<String, List<double[]>> byToken = new HashMap<>();
            for (String sceneToken : t.scenes().keySet()) {
                List<String> tokens = new ArrayList<>();
                List<SensorPose> poses = new ArrayList<>();
                for (NuScenesTables.Sample s : t.samplesOfScene(sceneToken)) {
                    tokens.add(s.token());
                    poses.add(t.sensorPose(t.keyFrame(s.token(), "LIDAR_TOP")));
                }
                byToken.putAll(RayOrigins.forScene(tokens, poses));
            }
            return RayOrigins.byToken(byToken);
        }
    }
}
