package fuse3d.nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.nn.Dropout;
import fuse3d.nn.Linear;
import fuse3d.nn.Module;
import fuse3d.nn.optim.Adam;
import fuse3d.nn.optim.GradClip;
import fuse3d.nn.optim.LrSchedule;
import fuse3d.nn.optim.OneCycleLR;
import fuse3d.nn.optim.OpenPcdet;
import fuse3d.nn.optim.OpenPcdetOneCycle;
import fuse3d.nn.optim.OpenPcdetStepDecay;
import fuse3d.nn.optim.Optimizer;
import fuse3d.nn.optim.OptimizerState;
import fuse3d.nn.optim.Sgd;
import fuse3d.nn.optim.WarmupCosineLR;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.SafeTensors;
import fuse3d.tensor.io.TensorIO;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Save, load and resume: a resumed run must reproduce the uninterrupted one bit for bit. */
class TrainingCheckpointTest {
    @TempDir Path dir;

    /** Linear - ReLU - Dropout - Linear; the dropout masks come from their own generator. */
    static final class Mlp extends Module {
        final Linear a, b;
        final Dropout drop;

        Mlp(int hidden, Generator init, Generator dropout) {
            a = registerModule("a", new Linear(4, hidden, init));
            drop = registerModule("drop", new Dropout(0.2, dropout));
            b = registerModule("b", new Linear(hidden, 2, init));
        }

        Var forward(Var x) { return b.apply(drop.apply(a.apply(x).relu())); }
    }

    /** One training run: model, optimizer, schedule and the two random streams. */
    record Run(String kind, Mlp model, Optimizer opt, LrSchedule sched, Generator data, Generator dropout) {}

    static final int STEPS = 12;

    static Run fresh(String kind, long seed) {
        Generator dropout = new Generator(seed + 2);
        Mlp m = new Mlp(8, new Generator(seed), dropout);
        Optimizer opt;
        LrSchedule s;
        switch (kind) {
            case "openpcdet-onecycle" -> {
                opt = OpenPcdet.adamOneCycle(m, 0.01, OpenPcdet.BATCH_NORM);
                s = new OpenPcdetOneCycle(opt, STEPS, 0.01, new double[] {0.95, 0.85}, 10, 0.4);
            }
            case "adam-amsgrad-onecycle" -> {
                opt = new Adam(m.parameters(), Map.of("lr", 0.01, "amsgrad", true, "weight_decay", 1e-3));
                s = new OneCycleLR(opt, 0.02, STEPS, OneCycleLR.Options.defaults());
            }
            case "sgd-nesterov-cosine" -> {
                opt = new Sgd(m.parameters(), Map.of("lr", 0.1, "momentum", 0.9, "nesterov", true, "weight_decay", 1e-4));
                s = new WarmupCosineLR(opt, 3, STEPS, 0.1, 1e-4);
            }
            case "openpcdet-adam-stepdecay" -> {
                opt = OpenPcdet.adam(m, 0.003, 0.01);
                s = new OpenPcdetStepDecay(opt, new long[] {6, 9}, 0.1, 1e-7, 2, 0.0003);
            }
            default -> throw new IllegalArgumentException(kind);
        }
        return new Run(kind, m, opt, s, new Generator(seed + 1), dropout);
    }

    /** One iteration; the OpenPCDet kinds set the schedule by iteration first, the others step it after, as torch. */
    static void trainStep(Run r, int it) {
        boolean openPcdet = r.kind().startsWith("openpcdet");
        if (openPcdet) r.sched().setStep(it);
        Tensor x = r.data().normal(0, 1, 16, 4), y = r.data().normal(0, 1, 16, 2);
        r.opt().zeroGrad();
        Var loss = r.model().forward(Var.of(x)).sub(Var.of(y)).square().mean();
        loss.backward();
        GradClip.clipGradNorm(r.model().parameters(), 0.5);
        r.opt().step();
        if (!openPcdet) r.sched().step();
    }

    static Map<String, Generator> gens(Run r) { return Map.of("data", r.data(), "dropout", r.dropout()); }

    static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what + " keys");
        for (String k : expected.keySet()) {
            Tensor e = expected.get(k), a = actual.get(k);
            assertEquals(e.dtype(), a.dtype(), what + " " + k + " dtype");
            assertArrayEquals(e.shape(), a.shape(), what + " " + k + " shape");
            double[] ev = e.toDoubleArray(), av = a.toDoubleArray();
            for (int i = 0; i < ev.length; i++)
                assertEquals(Double.doubleToRawLongBits(ev[i]), Double.doubleToRawLongBits(av[i]), what + " " + k + " element " + i);
        }
    }

    static void assertSameOptimizer(OptimizerState e, OptimizerState a) {
        assertEquals(e.paramGroups(), a.paramGroups(), "hyper-parameters");
        assertEquals(e.state().keySet(), a.state().keySet(), "parameters with state");
        for (Integer i : e.state().keySet()) assertSameTensors(e.state().get(i), a.state().get(i), "optimizer state " + i);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openpcdet-onecycle", "adam-amsgrad-onecycle", "sgd-nesterov-cosine", "openpcdet-adam-stepdecay"})
    void resumedRunEqualsUninterruptedRun(String kind) throws IOException {
        Run straight = fresh(kind, 1);
        for (int it = 0; it < STEPS; it++) trainStep(straight, it);

        int k = 5;
        Run first = fresh(kind, 1);
        for (int it = 0; it < k; it++) trainStep(first, it);
        Path file = dir.resolve("ckpt.safetensors");
        TrainingCheckpoint.save(file, first.model(), first.opt(), first.sched(), 0, k, gens(first), Map.of("run", kind));

        // different seeds: every number must come from the checkpoint
        Run resumed = fresh(kind, 1000);
        TrainingCheckpoint ck = TrainingCheckpoint.load(file);
        assertEquals(k, ck.iteration());
        assertEquals(Map.of("run", kind), ck.metadata());
        ck.restore(resumed.model(), resumed.opt(), resumed.sched(), gens(resumed));
        for (int it = (int) ck.iteration(); it < STEPS; it++) trainStep(resumed, it);

        assertSameTensors(straight.model().stateDict(), resumed.model().stateDict(), kind + " model");
        assertSameOptimizer(straight.opt().stateDict(), resumed.opt().stateDict());
        assertEquals(straight.sched().stateDict(), resumed.sched().stateDict());
        assertEquals(straight.data().nextLong(), resumed.data().nextLong(), "data stream position");

        // the comparison has teeth: resuming without the data generator's position diverges
        Run forgetful = fresh(kind, 1000);
        ck.restore(forgetful.model(), forgetful.opt(), forgetful.sched(), Map.of("dropout", forgetful.dropout()));
        for (int it = k; it < STEPS; it++) trainStep(forgetful, it);
        assertNotEquals(straight.model().stateDict().get("a.weight").toDoubleArray()[0],
                forgetful.model().stateDict().get("a.weight").toDoubleArray()[0]);
    }

    @Test
    void fileRoundTrip() throws IOException {
        Run r = fresh("adam-amsgrad-onecycle", 7);
        for (int it = 0; it < 3; it++) trainStep(r, it);
        Path file = dir.resolve("round.safetensors");
        TrainingCheckpoint saved = TrainingCheckpoint.capture(r.model(), r.opt(), r.sched(), 2, 3, gens(r), Map.of("git", "abc123", "note", "ünïcode"));
        saved.save(file);
        TrainingCheckpoint back = TrainingCheckpoint.load(file);
        assertEquals(file.toString(), back.source());
        assertEquals(2, back.epoch());
        assertEquals(3, back.iteration());
        assertEquals(List.of("data", "dropout"), back.generatorNames());
        assertEquals(saved.metadata(), back.metadata());
        assertSameTensors(saved.modelState(), back.modelState(), "model");
        assertSameOptimizer(saved.optimizerState(), back.optimizerState());
        assertEquals(saved.scheduleState(), back.scheduleState(), "schedule state, doubles exact");
        assertEquals(Map.of(), TrainingCheckpoint.capture(r.model(), null, null, 0, 0, Map.of(), Map.of()).metadata());

        // a standard safetensors file: any reader sees the tensors and the metadata
        Map<String, String> meta = SafeTensors.readMetadata(file);
        assertEquals(TrainingCheckpoint.FORMAT, meta.get("format"));
        assertTrue(TensorIO.readSafeTensors(file).keySet().containsAll(List.of("model/a.weight", "optimizer/0/exp_avg", "optimizer/0/step")));

        // without optimizer and schedule: a model-only checkpoint restores a model (e.g. to evaluate)
        Path modelOnly = dir.resolve("model.safetensors");
        TrainingCheckpoint.save(modelOnly, r.model(), null, null, 0, 0, Map.of(), Map.of());
        Run other = fresh("adam-amsgrad-onecycle", 8);
        TrainingCheckpoint.load(modelOnly).restore(other.model(), null, null, Map.of());
        assertSameTensors(r.model().stateDict(), other.model().stateDict(), "model-only");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> TrainingCheckpoint.load(modelOnly).restore(other.model(), other.opt(), null, Map.of()));
        assertTrue(e.getMessage().equals(modelOnly + ": optimizer: no optimizer state was saved"), e.getMessage());
    }

    @Test
    void misfitsAreNamedAndChangeNothing() throws IOException {
        Run r = fresh("sgd-nesterov-cosine", 3);
        trainStep(r, 0);
        Path file = dir.resolve("a.safetensors");
        TrainingCheckpoint.save(file, r.model(), r.opt(), r.sched(), 0, 1, gens(r), Map.of());
        TrainingCheckpoint ck = TrainingCheckpoint.load(file);

        Generator g = new Generator(5);
        Mlp wider = new Mlp(9, g, g);
        Map<String, Tensor> before = copy(wider.stateDict());
        CheckpointException e = assertThrows(CheckpointException.class, () -> ck.restore(wider, null, null, Map.of()));
        assertTrue(e.getMessage().startsWith(file + ": model: does not fit Mlp"), e.getMessage());
        assertTrue(e.getMessage().contains("a.weight: checkpoint [8, 4] vs model [9, 4]"), e.getMessage());
        assertSameTensors(before, wider.stateDict(), "untouched");

        Run adam = fresh("adam-amsgrad-onecycle", 4);
        Map<String, Tensor> modelBefore = copy(adam.model().stateDict());
        e = assertThrows(CheckpointException.class, () -> ck.restore(adam.model(), adam.opt(), null, Map.of()));
        assertEquals(file + ": optimizer: Adam: cannot load the state of a SGD optimizer", e.getMessage());
        assertSameTensors(modelBefore, adam.model().stateDict(), "model untouched when the optimizer does not fit");

        Run sgd = fresh("sgd-nesterov-cosine", 4);
        e = assertThrows(CheckpointException.class, () -> ck.restore(sgd.model(), sgd.opt(), sgd.sched(), Map.of("noise", new Generator(1))));
        assertTrue(e.getMessage().startsWith(file + ": rng 'noise': no such generator was saved (saved: [data, dropout])"), e.getMessage());
        Run otherSchedule = fresh("sgd-nesterov-cosine", 4);
        WarmupCosineLR longer = new WarmupCosineLR(otherSchedule.opt(), 3, 2 * STEPS, 0.1, 1e-4);
        e = assertThrows(CheckpointException.class, () -> ck.restore(otherSchedule.model(), otherSchedule.opt(), longer, Map.of()));
        assertTrue(e.getMessage().contains("schedule: WarmupCosineLR: saved total_steps = 12 differs from this schedule's 24"), e.getMessage());
    }

    private static Map<String, Tensor> copy(Map<String, Tensor> m) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    @Test
    void badFilesNameTheFile() throws IOException {
        Run r = fresh("sgd-nesterov-cosine", 3);
        Path good = dir.resolve("good.safetensors");
        TrainingCheckpoint.save(good, r.model(), r.opt(), r.sched(), 0, 0, gens(r), Map.of());

        Path truncated = dir.resolve("truncated.safetensors");
        byte[] bytes = Files.readAllBytes(good);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 17));
        IOException e = assertThrows(IOException.class, () -> TrainingCheckpoint.load(truncated));
        assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());

        Path headerCut = dir.resolve("cut.safetensors");
        Files.write(headerCut, java.util.Arrays.copyOf(bytes, 100));
        e = assertThrows(IOException.class, () -> TrainingCheckpoint.load(headerCut));
        assertTrue(e.getMessage().contains(headerCut.toString()) && e.getMessage().contains("truncated"), e.getMessage());

        Path plain = dir.resolve("plain.safetensors");
        TensorIO.writeSafeTensors(plain, Map.of("w", Tensor.ones(2)), Map.of());
        e = assertThrows(CheckpointException.class, () -> TrainingCheckpoint.load(plain));
        assertEquals(plain + ": format: not a Fuse3D training checkpoint (metadata format is absent, expected \"fuse3d.training_checkpoint\")",
                e.getMessage());

        Path missing = dir.resolve("missing.safetensors");
        e = assertThrows(IOException.class, () -> TrainingCheckpoint.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    /** A model big enough that the write reaches the disk in several chunks. */
    static final class Big extends Module {
        Big(Generator g) { registerModule("fc", new Linear(256, 128, g)); }
    }

    @Test
    void aFailedWriteLeavesTheOldCheckpoint() throws IOException {
        Big model = new Big(new Generator(1));
        Path file = dir.resolve("latest.safetensors");
        TrainingCheckpoint.save(file, model, null, null, 1, 10, Map.of(), Map.of("v", "old"));
        byte[] old = Files.readAllBytes(file);

        // An interrupt makes the channel refuse the next write: the write dies after the temporary file exists.
        Big changed = new Big(new Generator(2));
        Thread.currentThread().interrupt();
        try {
            assertThrows(IOException.class, () -> TrainingCheckpoint.save(file, changed, null, null, 2, 20, Map.of(), Map.of("v", "new")));
        } finally {
            Thread.interrupted();
        }
        assertArrayEquals(old, Files.readAllBytes(file), "the old checkpoint is intact");
        assertEquals(List.of(file), listing(), "and no temporary file is left");
        assertEquals("old", TrainingCheckpoint.load(file).metadata().get("v"));

        // A failure before any byte is written (an unserialisable schedule configuration) leaves it too.
        Sgd opt = new Sgd(model.parameters(), Map.of("lr", 0.1));
        LrSchedule broken = new LrSchedule("Broken", opt, null) {
            { start(); }

            @Override
            public double lr(int group, long t) { return 0.1; }

            @Override
            protected Map<String, Object> config() { return Map.of("weights", new int[] {1, 2}); }
        };
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> TrainingCheckpoint.save(file, changed, opt, broken, 2, 20, Map.of(), Map.of()));
        assertTrue(bad.getMessage().contains("cannot write a int[]"), bad.getMessage());
        assertArrayEquals(old, Files.readAllBytes(file));
        assertEquals(List.of(file), listing());

        // and a successful write replaces it
        TrainingCheckpoint.save(file, changed, null, null, 2, 20, Map.of(), Map.of("v", "new"));
        assertEquals("new", TrainingCheckpoint.load(file).metadata().get("v"));
        assertFalse(java.util.Arrays.equals(old, Files.readAllBytes(file)));
    }

    private List<Path> listing() throws IOException {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aFileReplacedBetweenTheTwoReadsIsDetected() throws IOException {
        // Simulate the race by pairing one checkpoint's metadata with another's id tensor.
        Big model = new Big(new Generator(1));
        Path a = dir.resolve("a.safetensors");
        TrainingCheckpoint.save(a, model, null, null, 0, 0, Map.of(), Map.of());
        Map<String, Tensor> tensors = TensorIO.readSafeTensors(a);
        tensors.put("checkpoint_id", Tensor.ofLongs(new long[] {1, 2}, 2));
        Path mixed = dir.resolve("mixed.safetensors");
        TensorIO.writeSafeTensors(mixed, tensors, SafeTensors.readMetadata(a));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TrainingCheckpoint.load(mixed));
        assertEquals(mixed + ": checkpoint_id: the file kept changing while being read", e.getMessage());
        try (FileChannel ch = FileChannel.open(a, StandardOpenOption.READ)) {
            assertTrue(ch.size() > 128 * 256 * 4, "the big model is what it claims");
        }
    }
}
