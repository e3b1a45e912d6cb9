package fuse3d.examples;

import fuse3d.examples.bench.TensorBench;
import fuse3d.tensor.Backend;
import fuse3d.tensor.Backends;
import fuse3d.tensor.cpu.Parallel;
import fuse3d.tensor.cpu.Simd;
import fuse3d.tensor.ops.OpRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The fuse3d command line: one picocli subcommand per job (bench, info, ...). */
@Command(name = "fuse3d", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Fuse3D: a pure-JVM stack for 3D perception (tensor engine, sparse ops, detectors, evaluators).",
        subcommands = {Main.Demo.class, DetectorCommands.Train.class, EvalCommands.class, DetectorCommands.Infer.class, SynthCommand.class, Main.Bench.class,
                Main.Info.class, Main.TestCmd.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with its error handling: a user's mistake (a bad config key, a missing file, a malformed
     * dataset) prints one line naming the file, key or option, and exit code 2; {@code FUSE3D_DEBUG=1} adds the
     * stack trace. Anything else is a bug and prints the trace.
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            boolean user = e instanceof fuse3d.models.config.ConfigException || e instanceof java.io.IOException
                    || e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException
                    || e instanceof fuse3d.models.train.DataLoader.DataLoaderException;
            if (!user || System.getenv("FUSE3D_DEBUG") != null) e.printStackTrace();
            else line.getErr().println("fuse3d " + String.join(" ", parsed.originalArgs().subList(0, Math.min(1, parsed.originalArgs().size())))
                    + ": " + e.getMessage() + (e.getCause() != null && e.getCause().getMessage() != null ? " (" + e.getCause().getMessage() + ")" : ""));
            return user ? 2 : 1;
        });
        return cl;
    }

    /** Prints the project version and the runtime it found. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"fuse3d " + (v == null ? "dev" : v) + " on Java " + Runtime.version()};
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print `bench <name> <key>=<value> ...` lines.",
            subcommands = {Bench.Tensor.class, Bench.Nn.class, Bench.Sparse.class, Bench.Eval.class, Bench.Data.class, Bench.Model.class})
    static final class Bench implements Callable<Integer> {
        @Override
        public Integer call() {
            CommandLine.usage(this, System.out);
            return 0;
        }

        @Command(name = "tensor", mixinStandardHelpOptions = true,
                description = "FP32 FMA peak, SGEMM n=256..2048 on 1 and 2 threads, conv2d and conv3d (medians after warm-up).")
        static final class Tensor implements Callable<Integer> {
            @Option(names = "--quick", description = "fewer repetitions (a smoke run; figures are noisier)")
            boolean quick;

            @Option(names = "--device", defaultValue = "cpu", description = "cpu, or cuda / cuda:N (SGEMM, conv, softmax ... on the GPU; needs the driver)")
            String device;

            @Override
            public Integer call() {
                if (!device.equals("cpu")) return fuse3d.cuda.bench.CudaBench.run("tensor", device, quick, System.out, System.err);
                TensorBench.run(System.out, quick);
                return 0;
            }
        }
        @Command(name = "model", mixinStandardHelpOptions = true,
                description = "A detector's inference ms per frame (voxelization, 3D backbone, BEV, head, proposal NMS, RoI head, final NMS) and training step ms, "
                        + "for the small preset and the paper's config, on synthetic KITTI frames.")
        static final class Model implements Callable<Integer> {
            @CommandLine.Parameters(index = "0", description = "the model: voxel_rcnn") String name;

            @Option(names = "--quick", description = "fewer frames and repetitions") boolean quick;

            @Option(names = "--preset", split = ",", defaultValue = "voxel_rcnn_small,voxel_rcnn_car",
                    description = "presets to measure (default ${DEFAULT-VALUE})") java.util.List<String> presets;

            @Override
            public Integer call() throws Exception {
                if (!name.equals("voxel_rcnn")) throw new IllegalArgumentException("bench model: unknown model '" + name + "' (known: voxel_rcnn)");
                fuse3d.models.voxelrcnn.VoxelRcnnBench.run(System.out, quick, presets);
                return 0;
            }
        }

        @Command(name = "data", mixinStandardHelpOptions = true,
                description = "Frames per second reading KITTI frames and nuScenes samples with 10 sweeps; ms to generate one synthetic frame.")
        static final class Data implements Callable<Integer> {
            @Option(names = "--quick", description = "fewer frames") boolean quick;

            @Override
            public Integer call() throws Exception {
                fuse3d.data.synth.DataBench.run(System.out, quick);
                return 0;
            }
        }

        @Command(name = "eval", mixinStandardHelpOptions = true,
                description = "Seconds to evaluate 3,769 KITTI val-sized frames and 6,019 nuScenes val-sized samples of random detections.")
        static final class Eval implements Callable<Integer> {
            @Option(names = "--quick", description = "a tenth of the frames and samples") boolean quick;

            @Override
            public Integer call() {
                fuse3d.data.viz.EvalBench.run(System.out, quick);
                return 0;
            }
        }

        @Command(name = "sparse", mixinStandardHelpOptions = true,
                description = "Voxelization of a KITTI-sized synthetic scan, rotated NMS of 4k boxes, BEV pooling (BEVPoolv2).")
        static final class Sparse implements Callable<Integer> {
            @Option(names = "--quick", description = "fewer repetitions (a smoke run; figures are noisier)")
            boolean quick;

            @Option(names = "--device", defaultValue = "cpu", description = "cpu, or cuda / cuda:N (voxelization, rulebooks, sparse conv, NMS, BEV pooling on the GPU)")
            String device;

            @Override
            public Integer call() {
                if (!device.equals("cpu")) return fuse3d.cuda.bench.CudaBench.run("sparse", device, quick, System.out, System.err);
                fuse3d.examples.bench.SparseBench.run(System.out, quick);
                return 0;
            }
        }

        @Command(name = "nn", mixinStandardHelpOptions = true,
                description = "ResNet-18 features at 1x3x256x704 and one transformer encoder layer (L=1000, d=256, 8 heads): forward and forward+backward.")
        static final class Nn implements Callable<Integer> {
            @Option(names = "--quick", description = "fewer repetitions (a smoke run; figures are noisier)")
            boolean quick;

            @Option(names = "--peer", description = "output of tests/bench/pytorch_nn_bench.py for the same thread count: prints ratios to it")
            java.nio.file.Path peer;

            @Override
            public Integer call() {
                fuse3d.examples.bench.NnBench.run(System.out, quick, peer);
                return 0;
            }
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true, subcommands = Main.Demo.Gratings.class,
            description = {"The main job: generates a synthetic KITTI-format dataset, trains the voxel_rcnn_small Voxel R-CNN on it, evaluates it with the "
                    + "KITTI evaluator (R40 and R11) and writes metrics.json, PR curves, BEV pictures, loss and learning curves and report.md into --out.",
                    "`demo gratings` is the seconds-long CNN sanity run of the training stack."})
    static final class Demo implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "out/demo", description = "the demo folder (default ${DEFAULT-VALUE})") java.nio.file.Path out;

        @Option(names = "--frames", defaultValue = "320", description = "synthetic frames, half train, half val (default ${DEFAULT-VALUE})") int frames;

        @Option(names = "--epochs", defaultValue = "24", description = "training epochs (default ${DEFAULT-VALUE})") int epochs;

        @Option(names = "--eval-every", defaultValue = "6", description = "held-out AP every N epochs, the learning curve (default ${DEFAULT-VALUE})")
        int evalEvery;

        @Option(names = "--seed", defaultValue = "0", description = "seed of the data, initialisation and training (default ${DEFAULT-VALUE})") long seed;

        @Option(names = "--workers", defaultValue = "1", description = "data loading threads (default ${DEFAULT-VALUE})") int workers;

        @Option(names = "--pictures", defaultValue = "6", description = "held-out frames drawn in bird's-eye view (default ${DEFAULT-VALUE})") int pictures;

        @Option(names = "--set", description = "further config overrides KEY.PATH=value (repeatable)") java.util.List<String> set = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            fuse3d.examples.demo.DetectorDemo.Result r = fuse3d.examples.demo.DetectorDemo.run(
                    new fuse3d.examples.demo.DetectorDemo.Options(out, frames, seed, epochs, evalEvery, workers, pictures, set), System.out);
            System.out.printf(java.util.Locale.ROOT, "Car 3D AP R40 (IoU 0.7) on held-out frames: easy %.2f, moderate %.2f, hard %.2f; report: %s%n",
                    r.car3dR40()[0], r.car3dR40()[1], r.car3dR40()[2], r.report());
            return 0;
        }

        @Command(name = "gratings", mixinStandardHelpOptions = true,
                description = "Trains a small CNN on a synthetic 10-class grating task the project generates itself and prints held-out accuracy.")
        static final class Gratings implements Callable<Integer> {
            @Option(names = "--seed", defaultValue = "7", description = "seed of every random draw (data, initialisation, batches)")
            long seed;

            @Option(names = "--epochs", defaultValue = "6", description = "training epochs over 2000 images")
            int epochs;

            @Override
            public Integer call() {
                long t0 = System.nanoTime();
                fuse3d.examples.demo.GratingsTraining.Result r = fuse3d.examples.demo.GratingsTraining.run(seed, 2000, 1000, 50, epochs, System.out);
                System.out.printf("%d steps in %.1f s%n", r.steps(), (System.nanoTime() - t0) / 1e9);
                return 0;
            }
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "The runtime, SIMD species, compute threads, backends and registered ops.")
    static final class Info implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println("java      " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
            System.out.println("simd      " + Simd.describe());
            System.out.println("threads   " + Parallel.threads());
            StringBuilder b = new StringBuilder();
            for (Backend be : Backends.all()) {
                b.append(b.isEmpty() ? "" : ", ").append(be.name());
                // the CUDA backend is always on the class path; whether it can run depends on the driver
                if (be.name().equals("cuda") && fuse3d.cuda.driver.CudaDriver.tryLoad().isEmpty()) b.append(" (installed; no CUDA driver on this machine)");
            }
            System.out.println("backends  " + b);
            System.out.println("ops       " + OpRegistry.global().all().size() + " registered");
            return 0;
        }
    }

    @Command(name = "test", description = "Run the whole test suite (handled by the ./fuse3d launcher: mvn -B verify with JDK 25).")
    static final class TestCmd implements Callable<Integer> {
        @Override
        public Integer call() {
            System.err.println("fuse3d test: run it through the launcher, ./fuse3d test, which invokes Maven with JDK 25");
            return 2;
        }
    }
}
