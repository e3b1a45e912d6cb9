package fuse3d.models.voxelrcnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.synth.SyntheticKitti;
import fuse3d.models.train.DataLoader;
import fuse3d.models.train.KittiDetectionDataset;
import fuse3d.models.train.Trainer;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same seed, same numbers: the tiny Voxel R-CNN trained for a few steps through the real {@link Trainer} gives
 * bit-identical losses and weights in two fresh runs in this JVM (what {@code train --resume} relies on) and in a
 * fresh JVM with one compute thread instead of the default count.
 *
 * <p>This JVM compiles the elementwise and softmax kernels before its runs while the child starts cold, so a
 * kernel whose bits change when the JIT compiles it (the Vector API's transcendental lanes did: two runs of the
 * overfit test drifted apart after a few steps, at a step that depended on thread timing) fails here from the first
 * step.
 */
class VoxelRcnnDeterminismTest {
    private static final int FRAMES = 4, EPOCHS = 2; // batch size 2: four steps

    @Test
    void freshRunsGiveBitIdenticalLossesAndWeights(@TempDir Path root) throws Exception {
        Path data = root.resolve("data");
        SyntheticKitti.write(data, FRAMES, 7, null);
        warmUpKernels();
        List<String> first = run(data, root.resolve("run1"));
        List<String> second = run(data, root.resolve("run2"));
        assertTrue(first.stream().filter(l -> l.startsWith("loss ")).count() == 2L * EPOCHS, "expected " + 2 * EPOCHS + " steps: " + first);
        assertSame("a second run in the same JVM", first, second);
        assertSame("a fresh JVM with -Dfuse3d.threads=1", first, runInChildJvm(data, root.resolve("run3"), root.resolve("child.log")));
    }

    /**
     * {@code train --resume}: a run stopped after epoch 1 and resumed by a fresh model built from another seed gives
     * the straight run's numbers, with dropout on and precise BN before each checkpoint, so every generator a step
     * draws from (RoI sampling, dropout) must come back from the checkpoint.
     */
    @Test
    void aResumedRunGivesTheStraightRunsNumbers(@TempDir Path root) throws Exception {
        Path data = root.resolve("data");
        SyntheticKitti.write(data, FRAMES, 7, null);
        List<String> straight = run(data, root.resolve("straight"), 1, 0, false);
        run(data, root.resolve("resumed"), 1, 1, false);
        List<String> resumed = run(data, root.resolve("resumed"), 99, 0, true);
        assertSame("a run resumed after epoch 1", straight, resumed);
    }

    static List<String> run(Path data, Path out) throws Exception { return run(data, out, 1, 0, false); }

    /** The run's per-step losses (the trainer's CSV without its timing column) and final state dict, as exact bits. */
    static List<String> run(Path data, Path out, long modelSeed, int stopAfter, boolean resume) throws Exception {
        VoxelRcnnConfig cfg = GoldenFrame.tinyConfig("OPTIMIZATION.NUM_EPOCHS=" + EPOCHS, "MODEL.ROI_HEAD.DP_RATIO=0.3");
        VoxelRcnn model = new VoxelRcnn(cfg, new Generator(modelSeed));
        KittiDetectionDataset train = new KittiDetectionDataset(KittiDataset.open(data, "trainval"), cfg.classNames(), cfg.dataConfig(), true, 3);
        try (var loader = DataLoader.of(train, cfg.optimization().batchSizePerGpu(), 5, 0)) {
            var options = Trainer.Options.of(out).withGenerators(model.generators())
                    .withProgress(new PrintStream(PrintStream.nullOutputStream()), false).withPreciseBn(1).withEvaluator((d, e) -> {}, 1)
                    .stoppingAfter(stopAfter);
            new Trainer(model, cfg.optimization(), loader, options).train(resume);
        }
        List<String> lines = new ArrayList<>();
        List<String> csv = Files.readAllLines(out.resolve(Trainer.LOG_FILE), StandardCharsets.UTF_8);
        for (String row : csv.subList(1, csv.size())) lines.add("loss " + row.substring(0, row.lastIndexOf(','))); // the last column is seconds
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) lines.add("state " + e.getKey() + " " + digest(e.getValue()));
        return lines;
    }

    /** Entry point of the child JVM: args data folder, output folder; prints {@link #run}'s lines. */
    public static void main(String[] args) throws Exception {
        for (String line : run(Path.of(args[0]), Path.of(args[1]))) System.out.println(line);
    }

    private static List<String> runInChildJvm(Path data, Path out, Path log) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = List.of(java.toString(), "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g",
                "-Dfuse3d.threads=1", "-cp", System.getProperty("java.class.path"), VoxelRcnnDeterminismTest.class.getName(), data.toString(),
                out.toString());
        Path stdout = out.resolveSibling("child.out");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(log.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the child JVM did not finish within 180 s; its log: " + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), () -> "the child JVM failed: " + readQuietly(log));
        return Files.readAllLines(stdout, StandardCharsets.UTF_8);
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }

    /** Runs the elementwise and softmax kernels often enough for the JIT to compile them. */
    private static void warmUpKernels() {
        Tensor x = new Generator(3).normal(0, 3, 4, 1024);
        for (int i = 0; i < 1500; i++) {
            x.exp();
            x.sigmoid();
            x.tanh();
            x.abs().log1p();
            x.softmax(-1);
            x.logSoftmax(-1);
        }
    }

    private static String digest(Tensor t) {
        long h = 1;
        if (t.dtype().isFloating()) for (double v : t.toDoubleArray()) h = h * 1_000_003 + Double.doubleToRawLongBits(v);
        else for (long v : t.toLongArray()) h = h * 1_000_003 + v;
        return Long.toHexString(h);
    }

    private static void assertSame(String what, List<String> expected, List<String> got) {
        for (int i = 0; i < Math.min(expected.size(), got.size()); i++)
            if (!expected.get(i).equals(got.get(i)))
                fail(what + " differs from the first run at line " + i + ":\n  first: " + expected.get(i) + "\n  this:  " + got.get(i));
        assertEquals(expected.size(), got.size(), what + ": line count");
    }
}
