package fuse3d.models.voxelrcnn;

import fuse3d.autograd.Var;
import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.synth.SyntheticKitti;
import fuse3d.models.detect.Batch;
import fuse3d.models.train.KittiDetectionDataset;
import fuse3d.models.train.Trainer;
import fuse3d.nn.optim.Optimizer;
import fuse3d.sparse.voxel.VoxelGrid;
import fuse3d.sparse.voxel.Voxelizer;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;
import fuse3d.tensor.io.ScratchDir;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./fuse3d bench model voxel_rcnn}: Voxel R-CNN's inference time per frame, split into voxelization, 3D
 * backbone, BEV, dense head, proposal NMS, RoI head and final NMS, and the time of one training step (forward,
 * backward, clip, optimizer step) at the config's batch size, for the small preset and the paper's config, on
 * synthetic KITTI frames (a full 64-beam scan each, restricted to the camera's view as training sees it).
 */
public final class VoxelRcnnBench {
    private VoxelRcnnBench() {}

    public static void run(PrintStream out, boolean quick, List<String> presets) throws IOException {
        try (ScratchDir scratch = ScratchDir.create("fuse3d-bench-voxel-rcnn")) {
            Path dir = scratch.path();
            int frames = quick ? 4 : 8;
            SyntheticKitti.write(dir, frames, 11, null);
            out.printf(Locale.ROOT, "bench env jdk=%s threads=%d frames=%d%n", System.getProperty("java.version"), Parallel.threads(), frames);
            for (String preset : presets) run(out, dir, preset, quick);
        }
    }

    static void run(PrintStream out, Path dir, String preset, boolean quick) throws IOException {
        VoxelRcnnConfig cfg = VoxelRcnnConfig.load(preset, List.of());
        VoxelRcnn model = new VoxelRcnn(cfg, new Generator(0));
        KittiDetectionDataset test = new KittiDetectionDataset(KittiDataset.open(dir, "trainval"), cfg.classNames(), cfg.dataConfig(), false, 0);
        KittiDetectionDataset train = new KittiDetectionDataset(KittiDataset.open(dir, "trainval"), cfg.classNames(), cfg.dataConfig(), true, 0);
        int n = test.size(), reps = quick ? 2 : 5;

        // voxelization alone, on the FOV-restricted points the model sees
        Voxelizer vox = new Voxelizer(new VoxelGrid(cfg.dataConfig().pointCloudRange(), cfg.dataConfig().voxelSize()),
                cfg.dataConfig().maxPointsPerVoxel(), cfg.dataConfig().maxNumberOfVoxels(false));
        List<Batch> batches = new ArrayList<>();
        double points = 0, voxels = 0;
        for (int i = 0; i < n; i++) {
            KittiDetectionDataset.Sample s = test.get(i, 0);
            batches.add(KittiDetectionDataset.collate(List.of(s)));
            points += s.points().size(0);
            voxels += s.voxels().count();
        }
        double[] voxMs = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            for (Batch b : batches) vox.voxelize(b.points().narrow(1, 1, b.points().size(1) - 1).contiguous());
            voxMs[r] = (System.nanoTime() - t0) / 1e6 / n;
        }

        model.eval();
        for (int w = 0; w < 2; w++) for (Batch b : batches) model.predict(b); // warm-up (JIT, rulebook code paths)
        Map<String, double[]> parts = new LinkedHashMap<>();
        for (String p : VoxelRcnn.PARTS) parts.put(p, new double[reps]);
        double[] total = new double[reps];
        for (int r = 0; r < reps; r++) {
            int rr = r;
            long t0 = System.nanoTime();
            for (Batch b : batches) model.predict(b, (part, nanos) -> parts.get(part)[rr] += nanos / 1e6 / n);
            total[r] = (System.nanoTime() - t0) / 1e6 / n;
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "bench model_voxel_rcnn_infer preset=%s ms=%.1f voxelize_ms=%.2f", preset,
                median(total) + median(voxMs), median(voxMs)));
        for (Map.Entry<String, double[]> e : parts.entrySet()) sb.append(String.format(Locale.ROOT, " %s_ms=%.1f", e.getKey(), median(e.getValue())));
        sb.append(String.format(Locale.ROOT, " points=%.0f voxels=%.0f params=%d", points / n, voxels / n, model.parameterCount()));
        out.println(sb);
        out.flush();

        int bs = cfg.optimization().batchSizePerGpu();
        model.train();
        Optimizer opt = Trainer.buildOptimizer(model, cfg.optimization());
        List<Var> params = model.parameters();
        int steps = quick ? 3 : 6;
        double[] stepMs = new double[steps];
        double[] fwdMs = new double[steps];
        for (int s = -2; s < steps; s++) { // two warm-up steps
            List<KittiDetectionDataset.Sample> samples = new ArrayList<>();
            for (int k = 0; k < bs; k++) samples.add(train.get(Math.floorMod(s * bs + k, n), 0));
            Trainer.Step done = Trainer.step(model, params, opt, cfg.optimization().gradNormClip(), KittiDetectionDataset.collate(samples), "bench step " + s);
            if (s >= 0) {
                fwdMs[s] = done.forwardNanos() / 1e6;
                stepMs[s] = done.stepNanos() / 1e6;
            }
        }
        out.printf(Locale.ROOT, "bench model_voxel_rcnn_train_step preset=%s batch=%d ms=%.1f forward_ms=%.1f backward_and_step_ms=%.1f%n", preset, bs,
                median(stepMs), median(fwdMs), median(stepMs) - median(fwdMs));
        out.flush();
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
