package fuse3d.models.train;

import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.kitti.KittiEvalResult;
import fuse3d.data.kitti.KittiEvalResult.Difficulty;
import fuse3d.data.kitti.KittiEvalResult.Metric;
import fuse3d.data.kitti.KittiEvalResult.Overlap;
import fuse3d.data.kitti.KittiEvalResult.Protocol;
import fuse3d.data.kitti.KittiObject;
import fuse3d.models.detect.Batch;
import fuse3d.models.detect.Detections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class KittiEvaluationTest {
    /** Objects of a class at a difficulty level or easier (what the KITTI evaluator counts at that level). */
    static int count(KittiDataset ds, String cls, int level) throws Exception {
        int n = 0;
        for (String id : ds.ids()) for (KittiObject o : ds.labels(id)) if (o.type().equals(cls) && o.level() >= 0 && o.level() <= level) n++;
        return n;
    }

    /**
     * The official metric samples its precision at up to 41 score thresholds, one per recall step of 1/40, and each
     * detected object can give at most one: a perfect detector only reads 100 once a class has at least 40 objects.
     * The six synthetic frames are therefore evaluated as a split that lists each of them eight times.
     */
    @Test
    void groundTruthAsDetectionsScoresAp100(@TempDir Path out) throws Exception {
        List<String> ids = KittiDataset.open(SynthData.root(), "trainval").ids();
        List<String> repeated = new java.util.ArrayList<>();
        for (int r = 0; r < 8; r++) repeated.addAll(ids);
        fuse3d.data.kitti.KittiSplits.write(SynthData.root().resolve("ImageSets").resolve("trainval_x8.txt"), repeated);
        KittiDataset ds = KittiDataset.open(SynthData.root(), "trainval_x8");
        KittiDetectionDataset data = new KittiDetectionDataset(ds, SynthData.CLASSES, SynthData.config("[]"), false, 0);
        ToyDetector oracle = new ToyDetector(0, SynthData.CLASSES);
        AtomicInteger seen = new AtomicInteger();
        KittiEvaluation.RecallAccumulator recall = new KittiEvaluation.RecallAccumulator() {
            public void add(Batch batch, List<Detections> detections) { seen.addAndGet(batch.batchSize()); }

            public Map<String, Double> results() { return Map.of("frames", (double) seen.get()); }
        };
        KittiEvaluation.Result r = KittiEvaluation.run(oracle, data, 4, 2, out, recall, null);
        assertEquals(repeated, r.frameIds());
        KittiEvalResult m = r.metrics();
        List<String> checked = new java.util.ArrayList<>();
        for (String cls : m.classes()) {
            if (count(ds, cls, 1) < 40) continue;
            for (Metric metric : List.of(Metric.BEV, Metric.THREE_D))
                for (Protocol p : Protocol.values())
                    assertEquals(100.0, m.ap(cls, Overlap.STRICT, p, metric, Difficulty.MODERATE), 1e-6, cls + " " + metric + " " + p);
            checked.add(cls);
        }
        assertTrue(checked.contains("Car"), "Car has fewer than 40 moderate objects: " + count(ds, "Car", 1));
        assertTrue(Files.exists(out.resolve("metrics.json")));
        assertTrue(Files.exists(out.resolve("pr_curves")));
        assertTrue(Files.exists(out.resolve("recall.json")));
        assertEquals((double) repeated.size(), r.recall().get("frames"));
        for (String id : ids) assertTrue(Files.exists(out.resolve("data").resolve(id + ".txt")), id);
        assertTrue(oracle.module().isTraining(), "the model's mode is restored");
    }

    /**
     * With fewer than 40 objects a perfect detector reads a multiple of 1/40 below 100 under R40 (one precision slot
     * per matched object): the evaluator's sampling, not a lost box.
     */
    @Test
    void fewObjectsCapTheOfficialAp() throws Exception {
        KittiDataset ds = KittiDataset.open(SynthData.root(), "trainval");
        KittiDetectionDataset data = new KittiDetectionDataset(ds, SynthData.CLASSES, SynthData.config("[]"), false, 0);
        KittiEvaluation.Result r = KittiEvaluation.run(new ToyDetector(0, SynthData.CLASSES), data, 2, 0, null, null, null);
        int n = count(ds, "Car", 1);
        assertTrue(n > 0 && n < 40, "moderate cars: " + n);
        double ap = r.metrics().ap("Car", Overlap.STRICT, Protocol.R40, Metric.THREE_D, Difficulty.MODERATE);
        double slots = ap * 40 / 100;
        assertEquals(Math.rint(slots), slots, 1e-9, "AP " + ap);
        assertTrue(slots > 0 && slots <= n, "AP " + ap + " for " + n + " moderate cars");
    }

    @Test
    void inferenceWritesLabelsAndPictures(@TempDir Path out) throws Exception {
        KittiDataset ds = KittiDataset.open(SynthData.root(), "val");
        KittiDetectionDataset data = new KittiDetectionDataset(ds, SynthData.CLASSES, SynthData.config("[]"), false, 0);
        List<Inference.FrameOutput> frames = Inference.run(new ToyDetector(0, SynthData.CLASSES), data, 2, 0, out, 0.1, null);
        assertEquals(ds.ids().size(), frames.size());
        for (Inference.FrameOutput f : frames) {
            assertTrue(Files.size(f.picture()) > 1000, f.picture().toString());
            assertEquals(f.detections(), Files.readAllLines(f.labelFile()).size());
        }
    }
}
