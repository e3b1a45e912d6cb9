package fuse3d.models.voxelrcnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.data.kitti.KittiDataset;
import fuse3d.models.detect.Batch;
import fuse3d.models.detect.Detections;
import fuse3d.models.detect.LossTerms;
import fuse3d.models.train.KittiDetectionDataset;
import fuse3d.models.train.KittiEvaluation;
import fuse3d.tensor.Generator;
import fuse3d.tensor.testing.SampleData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector on the six real KITTI frames (read in place from the sample data, never copied; skipped with the
 * reason when absent): the training pipeline with its GT database and augmentation gives finite losses and a
 * gradient to the whole network, and both presets predict on full real scans and evaluate against the real labels.
 * The weights are untrained, so this checks the path real data takes, not accuracy.
 */
class VoxelRcnnRealKittiTest {
    static Path root;

    @BeforeAll
    static void link(@TempDir Path tmp) throws Exception {
        root = SampleData.linkedKittiRoot(tmp).orElse(null);
        assumeTrue(root != null, SampleData.missing("kitti/training/velodyne"));
    }

    @Test
    void realFramesTrainAStep() throws Exception {
        VoxelRcnnConfig cfg = VoxelRcnnConfig.load("voxel_rcnn_small", List.of());
        KittiDetectionDataset train = new KittiDetectionDataset(KittiDataset.open(root, "train"), cfg.classNames(), cfg.dataConfig(), true, 3);
        assertEquals(6, train.size());
        assertTrue(Files.exists(root.resolve("kitti_dbinfos_train.json")), "the GT database is built from the real frames");
        VoxelRcnn model = new VoxelRcnn(cfg, new Generator(4));
        model.train();
        Batch b = KittiDetectionDataset.collate(List.of(train.get(0, 0), train.get(1, 0)));
        LossTerms terms = model.losses(b);
        Var total = terms.total();
        total.backward();
        for (Map.Entry<String, Double> e : terms.values().entrySet())
            assertTrue(Double.isFinite(e.getValue()) && e.getValue() >= 0, e.toString());
        int withGrad = 0, params = 0;
        for (Var p : model.parameters()) {
            params++;
            if (p.grad() != null && p.grad().abs().sum().item() > 0) withGrad++;
        }
        assertTrue(withGrad > params * 0.9, withGrad + " of " + params + " parameters got a gradient");
    }

    @Test
    void bothPresetsPredictAndEvaluateOnRealScans() throws Exception {
        for (String preset : List.of("voxel_rcnn_small", "voxel_rcnn_car")) {
            VoxelRcnnConfig cfg = VoxelRcnnConfig.load(preset, List.of());
            VoxelRcnn model = new VoxelRcnn(cfg, new Generator(4));
            model.eval();
            KittiDetectionDataset val = new KittiDetectionDataset(KittiDataset.open(root, "train").subset(List.of("000000", "000001")), cfg.classNames(),
                    cfg.dataConfig(), false, 0);
            try (GradMode.Scope _ = GradMode.noGrad()) {
                List<Detections> d = model.predict(KittiDetectionDataset.collate(List.of(val.get(0, 0))));
                assertEquals(1, d.size());
                assertTrue(d.get(0).count() <= cfg.model().postProcessing().nmsConfig().nmsPostMaxsize(), preset + ": " + d.get(0).count() + " boxes");
            }
            KittiEvaluation.Result r = KittiEvaluation.run(model, val, 1, 0, root.resolve("eval_" + preset), null, null);
            assertEquals(List.of("000000", "000001"), r.frameIds());
            assertEquals(cfg.classNames(), r.metrics().classes());
            assertTrue(Files.exists(root.resolve("eval_" + preset).resolve("metrics.json")), preset);
        }
    }
}
