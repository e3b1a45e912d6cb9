package fuse3d.examples;

import fuse3d.data.synth.SyntheticKitti;
import fuse3d.data.synth.SyntheticNuScenes;
import fuse3d.data.synth.SyntheticOcc3d;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fuse3d synth kitti}: writes a small synthetic dataset in a real on-disk format. */
@Command(name = "synth", mixinStandardHelpOptions = true, description = "Writes a seeded synthetic dataset in a real format (KITTI; nuScenes with LiDAR sweeps, cameras and radar; Occ3D ground truth).",
        subcommands = {SynthCommand.Kitti.class, SynthCommand.NuScenes.class, SynthCommand.Occ3d.class})
final class SynthCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /** The options every writer takes besides its own count. */
    static final class Target {
        @Option(names = "--seed", defaultValue = "0", description = "same seed, same bytes") long seed;
        @Option(names = "--out", required = true, description = "output directory (the dataset root)") Path out;
    }

    /** One dataset writer, reporting (done, total) to the progress bar. */
    @FunctionalInterface
    interface Writer {
        void write(Progress progress) throws Exception;
    }

    @FunctionalInterface
    interface Progress {
        void update(int done, int total);
    }

    /** Runs {@code writer} under a progress bar and says what it wrote and how long it took. */
    static int run(String what, int count, Path out, Writer writer) throws Exception {
        long t0 = System.nanoTime();
        writer.write((done, total) -> progress(done, total, t0));
        System.err.println();
        System.out.printf("wrote %d %s to %s in %.1f s%n", count, what, out, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    @Command(name = "kitti", mixinStandardHelpOptions = true,
            description = "KITTI object layout: training/{velodyne,calib,label_2,image_2} and ImageSets/{train,val,trainval}.txt.")
    static final class Kitti implements Callable<Integer> {
        @Option(names = "--scenes", defaultValue = "10", description = "frames to write (default ${DEFAULT-VALUE})") int scenes;
        @Mixin Target t;

        @Override
        public Integer call() throws Exception {
            return run("synthetic KITTI frames", scenes, t.out, p -> SyntheticKitti.write(t.out, scenes, t.seed, p::update));
        }
    }

    @Command(name = "nuscenes", mixinStandardHelpOptions = true,
            description = "nuScenes layout: LIDAR_TOP samples and sweeps (20 Hz), five radars with their sweeps (13 Hz), six cameras (800x450 JPEGs) at keyframes, and the v1.0-mini JSON tables; 10 keyframes at 2 Hz per scene.")
    static final class NuScenes implements Callable<Integer> {
        @Option(names = "--scenes", defaultValue = "2", description = "scenes to write (default ${DEFAULT-VALUE})") int scenes;
        @Option(names = "--camera-sweeps", description = "also render the cameras' 12 Hz sweeps (about 8x the writing time)") boolean cameraSweeps;
        @Mixin Target t;

        @Override
        public Integer call() throws Exception {
            SyntheticNuScenes.Config cfg = SyntheticNuScenes.Config.defaults().withCameraSweeps(cameraSweeps);
            return run("synthetic nuScenes scenes", scenes, t.out, p -> SyntheticNuScenes.write(t.out, scenes, t.seed, cfg, p::update));
        }
    }

    @Command(name = "occ3d", mixinStandardHelpOptions = true,
            description = "The synthetic nuScenes data plus Occ3D ground truth: gts/<scene>/<sample_token>/labels.npz with LiDAR and camera masks.")
    static final class Occ3d implements Callable<Integer> {
        @Option(names = "--scenes", defaultValue = "1", description = "scenes to write (default ${DEFAULT-VALUE})") int scenes;
        @Mixin Target t;

        @Override
        public Integer call() throws Exception {
            return run("synthetic scenes with Occ3D ground truth", scenes, t.out, p -> SyntheticOcc3d.write(t.out, scenes, t.seed, p::update));
        }
    }

    /** A one-line progress bar on stderr, redrawn in place. */
    static void progress(long done, long total, long startNanos) {
        int width = 30, filled = (int) (width * done / Math.max(1, total));
        double s = (System.nanoTime() - startNanos) / 1e9;
        System.err.printf("\r[%s%s] %d/%d  %.1f s", "#".repeat(filled), " ".repeat(width - filled), done, total, s);
        System.err.flush();
    }
}
