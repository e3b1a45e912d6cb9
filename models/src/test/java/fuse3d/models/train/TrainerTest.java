package fuse3d.models.train;

import fuse3d.data.kitti.KittiDataset;
import fuse3d.models.config.ConfigBinder;
import fuse3d.models.config.ConfigSource;
import fuse3d.models.config.OptimizationConfig;
import fuse3d.models.detect.Batch;
import fuse3d.nn.checkpoint.TrainingCheckpoint;
import fuse3d.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    static final String AUG = """
            [{NAME: random_world_flip, ALONG_AXIS_LIST: [x]},
             {NAME: random_world_rotation, WORLD_ROT_ANGLE: [-0.78539816, 0.78539816]},
             {NAME: random_world_scaling, WORLD_SCALE_RANGE: [0.95, 1.05]}]""";

    static OptimizationConfig optimization(String optimizer) {
        return ConfigBinder.bind(OptimizationConfig.class, ConfigSource.parse(
                "_BASE_CONFIG_: kitti_optimization\nNUM_EPOCHS: 2\nBATCH_SIZE_PER_GPU: 2\nOPTIMIZER: " + optimizer + "\n", "opt.yaml"));
    }

    record Run(List<String> rows, Map<String, Tensor> weights, long[] generator, String stderr, List<Integer> evaluated) {}

    static Run train(Path out, int workers, long modelSeed, int stopAfter, boolean resume, String optimizer, List<Integer> evaluated) throws Exception {
        return train(out, workers, modelSeed, stopAfter, resume, optimizer, evaluated, o -> o);
    }

    static Run train(Path out, int workers, long modelSeed, int stopAfter, boolean resume, String optimizer, List<Integer> evaluated,
                     java.util.function.UnaryOperator<Trainer.Options> tweak) throws Exception {
        KittiDataset ds = KittiDataset.open(SynthData.root(), "trainval");
        KittiDetectionDataset data = new KittiDetectionDataset(ds, SynthData.CLASSES, SynthData.config(AUG), true, 11);
        OptimizationConfig opt = optimization(optimizer);
        ToyDetector det = new ToyDetector(modelSeed, SynthData.CLASSES);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (DataLoader<KittiDetectionDataset.Sample, Batch> loader = DataLoader.of(data, opt.batchSizePerGpu(), 3, workers)) {
            Trainer.Options o = Trainer.Options.of(out).withGenerators(Map.of("toy_sampling", det.sampling))
                    .withProgress(new PrintStream(err, true, StandardCharsets.UTF_8), false)
                    .withEvaluator((d, epoch) -> {
                        assertFalse(d.module().isTraining());
                        evaluated.add(epoch);
                    }, 1);
            if (stopAfter > 0) o = o.stoppingAfter(stopAfter);
            new Trainer(det, opt, loader, tweak.apply(o)).train(resume);
        }
        List<String> rows = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve(Trainer.LOG_FILE))) rows.add(l.substring(0, l.lastIndexOf(','))); // drop seconds
        return new Run(rows, det.module().stateDict(), det.sampling.state(), err.toString(StandardCharsets.UTF_8), evaluated);
    }

    @Test
    void resumeContinuesWithIdenticalNumbers(@TempDir Path dir) throws Exception {
        List<Integer> evalA = new ArrayList<>(), evalB = new ArrayList<>();
        Run straight = train(dir.resolve("a"), 2, 1, 0, false, "adam_onecycle", evalA);
        Run first = train(dir.resolve("b"), 0, 1, 1, false, "adam_onecycle", evalB);
        assertEquals(1, TrainingCheckpoint.load(Trainer.latestCheckpoint(dir.resolve("b"))).epoch());
        // a fresh model with other weights: everything must come from the checkpoint
        Run resumed = train(dir.resolve("b"), 3, 99, 0, true, "adam_onecycle", evalB);
        assertEquals(1 + 3 * 2, straight.rows().size(), "header + 3 iterations x 2 epochs");
        assertEquals(straight.rows(), resumed.rows());
        assertTrue(first.rows().size() < resumed.rows().size());
        assertEquals(straight.weights().keySet(), resumed.weights().keySet());
        for (String k : straight.weights().keySet())
            assertArrayEquals(straight.weights().get(k).toFloatArray(), resumed.weights().get(k).toFloatArray(), k);
        assertArrayEquals(straight.generator(), resumed.generator());
        assertEquals(List.of(1, 2), evalA);
        assertEquals(List.of(1, 2), evalB);
        assertEquals("epoch,iteration,lr,toy_loss_reg,toy_loss_cls,total", straight.rows().get(0));
        assertTrue(straight.stderr().contains("epoch 2/2 iter 3/3") && straight.stderr().contains("toy_loss_reg"), straight.stderr());
        assertTrue(resumed.stderr().contains("resumed from"), resumed.stderr());
        assertTrue(Files.exists(dir.resolve("a/ckpt/checkpoint_epoch_2.safetensors")));
        // the optimizer really stepped: the trained weights are not the initial ones (whether a toy with six steps
        // lowers its loss depends on the synthetic frames; learning is proven by the Voxel R-CNN overfit test)
        Map<String, fuse3d.tensor.Tensor> init = new ToyDetector(1, SynthData.CLASSES).module().stateDict();
        boolean moved = false;
        for (String k : init.keySet())
            moved |= !java.util.Arrays.equals(init.get(k).toFloatArray(), straight.weights().get(k).toFloatArray());
        assertTrue(moved, "no weight changed in training");
    }

    /**
     * A run cut in the middle of an epoch (after iteration 4 of 2 x 3) resumes from the checkpoint written inside the
     * epoch and ends with the straight run's numbers; the epoch checkpoint that follows removes the in-epoch one.
     */
    @Test
    void resumeInsideAnEpochContinuesWithIdenticalNumbers(@TempDir Path dir) throws Exception {
        List<Integer> evalA = new ArrayList<>(), evalB = new ArrayList<>();
        Run straight = train(dir.resolve("a"), 1, 1, 0, false, "adam_onecycle", evalA);
        Run cut = train(dir.resolve("b"), 2, 1, 0, false, "adam_onecycle", evalB, o -> o.savingEvery(1e-9).stoppingAfterIteration(4));
        assertEquals(1 + 4, cut.rows().size(), "header + 4 iterations");
        Path latest = dir.resolve("b/ckpt").resolve(Trainer.LATEST);
        assertEquals(latest, Trainer.resumeCheckpoint(dir.resolve("b")));
        TrainingCheckpoint ck = TrainingCheckpoint.load(latest);
        assertEquals(1, ck.epoch());
        assertEquals(4, ck.iteration());
        assertEquals("1", ck.metadata().get(Trainer.BATCH_IN_EPOCH));
        // a fresh model with other weights: everything must come from the in-epoch checkpoint
        Run resumed = train(dir.resolve("b"), 0, 99, 0, true, "adam_onecycle", evalB);
        assertEquals(straight.rows(), resumed.rows());
        for (String k : straight.weights().keySet())
            assertArrayEquals(straight.weights().get(k).toFloatArray(), resumed.weights().get(k).toFloatArray(), k);
        assertArrayEquals(straight.generator(), resumed.generator());
        assertEquals(List.of(1, 2), evalB);
        assertTrue(resumed.stderr().contains("resumed from " + latest + " (epoch 1 + 1 batches, iteration 4)"), resumed.stderr());
        assertFalse(Files.exists(latest), "the epoch checkpoint removes the older in-epoch one");
        assertEquals(dir.resolve("b/ckpt/checkpoint_epoch_2.safetensors"), Trainer.resumeCheckpoint(dir.resolve("b")));
        // without savingEvery no in-epoch checkpoint is written
        train(dir.resolve("c"), 0, 1, 0, false, "adam_onecycle", new ArrayList<>(), o -> o.stoppingAfterIteration(2));
        assertFalse(Files.exists(dir.resolve("c/ckpt").resolve(Trainer.LATEST)));
    }

    @Test
    void stepDecayScheduleAndSgdBuild(@TempDir Path dir) throws Exception {
        Run r = train(dir, 1, 3, 0, false, "sgd", new ArrayList<>());
        // step decay: lr stays at LR (0.01) before the first decay epoch (35)
        for (String row : r.rows().subList(1, r.rows().size())) assertEquals(0.01, Double.parseDouble(row.split(",")[2]), 1e-12, row);
    }

    @Test
    void resumeWithAnotherDataOrderIsRefused(@TempDir Path dir) throws Exception {
        train(dir, 0, 1, 1, false, "adam_onecycle", new ArrayList<>());
        KittiDataset ds = KittiDataset.open(SynthData.root(), "trainval");
        KittiDetectionDataset data = new KittiDetectionDataset(ds, SynthData.CLASSES, SynthData.config(AUG), true, 11);
        ToyDetector det = new ToyDetector(1, SynthData.CLASSES);
        try (DataLoader<KittiDetectionDataset.Sample, Batch> loader = DataLoader.of(data, 2, 4, 0)) {
            Trainer t = new Trainer(det, optimization("adam_onecycle"), loader,
                    Trainer.Options.of(dir).withGenerators(Map.of("toy_sampling", det.sampling)).withProgress(new PrintStream(new ByteArrayOutputStream()), false));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.train(true));
            assertTrue(e.getMessage().contains("loader_seed 3"), e.getMessage());
        }
    }
}
