package fuse3d.models.voxelrcnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.kitti.KittiObject;
import fuse3d.data.synth.SyntheticKitti;
import fuse3d.models.config.DataConfig.AugConfig;
import fuse3d.models.detect.Batch;
import fuse3d.models.detect.Detections;
import fuse3d.models.train.DataLoader;
import fuse3d.models.train.KittiDetectionDataset;
import fuse3d.models.train.KittiEvaluation;
import fuse3d.models.train.Trainer;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** voxel_rcnn_3classes: the preset binds to the three-class network, and the three-class wiring trains, predicts and evaluates. */
class VoxelRcnnThreeClassTest {
    static final List<String> CLASSES = List.of("Car", "Pedestrian", "Cyclist");

    @Test
    void presetHasThreeClassesOfAnchorsOnTheCarNetwork() {
        VoxelRcnnConfig three = VoxelRcnnConfig.load("voxel_rcnn_3classes", List.of());
        assertEquals(CLASSES, three.classNames());
        var anchors = three.model().denseHead().anchorGeneratorConfig();
        assertEquals(CLASSES, anchors.stream().map(a -> a.className()).toList());
        assertEquals(0.5, anchors.get(1).matchedThreshold());
        assertEquals(0.35, anchors.get(2).unmatchedThreshold());
        assertEquals(6, three.model().denseHead().anchorsPerLocation());
        AugConfig gt = three.dataConfig().dataAugmentor().augConfigList().get(0);
        assertEquals(List.of("Car:15", "Pedestrian:10", "Cyclist:10"), gt.sampleGroups());
        assertTrue(three.model().roiHead().classAgnostic() && three.model().roiHead().targetConfig().sampleRoiByEachClass());
        // the network is voxel_rcnn_car's; only the dense head's output layers widen with the anchors and classes
        VoxelRcnn m = new VoxelRcnn(three, new Generator(0));
        Map<String, Tensor> sd = m.stateDict();
        assertArrayEquals(new int[] {6 * 3, 256, 1, 1}, sd.get("dense_head.conv_cls.weight").shape());
        assertArrayEquals(new int[] {6 * 7, 256, 1, 1}, sd.get("dense_head.conv_box.weight").shape());
        assertArrayEquals(new int[] {6 * 2, 256, 1, 1}, sd.get("dense_head.conv_dir_cls.weight").shape());
        Map<String, Tensor> car = new VoxelRcnn(VoxelRcnnConfig.load("voxel_rcnn_car", List.of()), new Generator(0)).stateDict();
        assertEquals(car.keySet(), sd.keySet());
        for (String k : car.keySet())
            if (!k.startsWith("dense_head.")) assertArrayEquals(car.get(k).shape(), sd.get(k).shape(), k);
    }

    @Test
    void threeClassesTrainPredictAndEvaluate(@TempDir Path root) throws Exception {
        SyntheticKitti.write(root, 6, 3, null);
        VoxelRcnnConfig cfg = VoxelRcnnConfig.load(GoldenFrame.resource("voxel_rcnn_tiny_3classes.yaml").toString(), List.of("OPTIMIZATION.NUM_EPOCHS=4"));
        assertEquals(CLASSES, cfg.classNames());
        KittiDetectionDataset train = new KittiDetectionDataset(KittiDataset.open(root, "trainval"), cfg.classNames(), cfg.dataConfig(), true, 3);
        // the frames hold GT of every class inside the range (class ids 1..3 in the padded GT)
        Set<Integer> present = new TreeSet<>();
        for (int i = 0; i < train.size(); i++) {
            Batch b = KittiDetectionDataset.collate(List.of(train.get(i, 0)));
            double[] g = b.gtBoxes().toDouble().toDoubleArray();
            for (int k = 7; k < g.length; k += 8) if (g[k] > 0) present.add((int) g[k]);
        }
        assertEquals(Set.of(1, 2, 3), present, "synthetic frames with cars, pedestrians and cyclists in the tiny range");

        VoxelRcnn model = new VoxelRcnn(cfg, new Generator(2));
        Trainer.Result result;
        try (var loader = DataLoader.of(train, cfg.optimization().batchSizePerGpu(), 5, 0)) {
            var options = Trainer.Options.of(root.resolve("run")).withGenerators(model.generators())
                    .withProgress(new PrintStream(PrintStream.nullOutputStream()), false);
            result = new Trainer(model, cfg.optimization(), loader, options).train(false);
        }
        assertEquals(4, result.epochsDone());
        List<String> log = Files.readAllLines(root.resolve("run").resolve(Trainer.LOG_FILE));
        assertEquals(1 + 4 * 3, log.size(), "a CSV row per iteration: " + log);

        KittiDetectionDataset val = new KittiDetectionDataset(KittiDataset.open(root, "trainval"), cfg.classNames(), cfg.dataConfig(), false, 0);
        KittiEvaluation.Result r = KittiEvaluation.run(model, val, 2, 0, root.resolve("eval"), null, null);
        assertEquals(CLASSES, r.metrics().classes());
        for (Detections d : r.raw()) {
            long[] labels = d.labels().toLongArray();
            for (long l : labels) assertTrue(l >= 1 && l <= 3, "label " + l);
        }
        for (List<KittiObject> frame : r.detections())
            for (KittiObject o : frame) assertTrue(CLASSES.contains(o.type()), o.type());
        assertTrue(Files.exists(root.resolve("eval").resolve("metrics.json")));
    }
}
