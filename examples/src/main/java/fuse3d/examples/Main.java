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
        subcommands = {Main.Demo.class, EvalCommands.class, SynthCommand.class, Main.Bench.class, Main.Info.class, Main.TestCmd.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
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
            subcommands = {Bench.Tensor.class, Bench.Nn.class, Bench.Sparse.class, Bench.Eval.class, Bench.Data.class})
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

            @Option(names = "--device", defaultValue = "cpu", description = "cpu (cuda comes with the cuda-ffm module)")
            String device;

            @Override
            public Integer call() {
                if (!device.equals("cpu")) {
                    System.err.println("bench tensor: device '" + device + "' is not available in this build (only cpu)");
                    return 2;
                }
                TensorBench.run(System.out, quick);
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

            @Override
            public Integer call() {
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

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Trains a small CNN on a synthetic 10-class grating task the project generates itself and prints held-out accuracy.")
    static final class Demo implements Callable<Integer> {
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

    @Command(name = "info", mixinStandardHelpOptions = true, description = "The runtime, SIMD species, compute threads, backends and registered ops.")
    static final class Info implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println("java      " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
            System.out.println("simd      " + Simd.describe());
            System.out.println("threads   " + Parallel.threads());
            StringBuilder b = new StringBuilder();
            for (Backend be : Backends.all()) b.append(b.isEmpty() ? "" : ", ").append(be.name());
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
