package fuse3d.data.synth;

import fuse3d.data.kitti.KittiCalibFiles;
import fuse3d.data.kitti.KittiImages;
import fuse3d.data.kitti.KittiLabels;
import fuse3d.data.kitti.KittiLidar;
import fuse3d.data.nuscenes.MultiSweep;
import fuse3d.data.nuscenes.NuScenesTables;
import fuse3d.tensor.io.ScratchDir;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Data-loading throughput on synthetic data written to a temporary folder: KITTI frames read (velodyne, calib,
 * labels, image) in parallel, nuScenes samples accumulated with 10 LiDAR sweeps, and the cost of generating one
 * synthetic KITTI frame. Prints one {@code bench ...} line per measurement.
 */
public final class DataBench {
    private DataBench() {}

    /** The three measurements, as printed. */
    public record Result(int kittiFrames, double kittiFps, int threads, int nuScenesSamples, double nuScenesFps, double synthKittiMs) {}

    /**
     * Runs the benchmark; {@code quick} uses fewer frames and repetitions (seconds instead of tens of seconds).
     * The temporary data is deleted afterwards.
     */
    public static Result run(PrintStream out, boolean quick) throws IOException {
        try (ScratchDir scratch = ScratchDir.create("fuse3d-bench-data")) {
            Path tmp = scratch.path();
            int threads = ForkJoinPool.commonPool().getParallelism();
            // (1) KITTI reading
            int frames = quick ? 4 : 16;
            Path kitti = tmp.resolve("kitti");
            SyntheticKitti.write(kitti, frames, 1, null);
            Path tr = kitti.resolve("training");
            int rounds = quick ? 2 : 5;
            readKitti(tr, frames); // warm-up
            long t0 = System.nanoTime();
            for (int r = 0; r < rounds; r++) readKitti(tr, frames);
            double kittiFps = frames * rounds / ((System.nanoTime() - t0) * 1e-9);
            out.printf(Locale.ROOT, "bench data_kitti_read frames=%d fps=%.1f threads=%d%n", frames * rounds, kittiFps, threads);

            // (2) nuScenes samples with 10 sweeps
            Path nus = tmp.resolve("nuscenes");
            SyntheticNuScenes.Config cfg = new SyntheticNuScenes.Config(quick ? 3 : 10, 9, 60);
            NuScenesTables t = SyntheticNuScenes.write(nus, 1, 1, cfg, null);
            List<String> samples = new ArrayList<>(t.samples().keySet());
            for (String s : samples) MultiSweep.lidar(t, nus, s, 10); // warm-up
            long t1 = System.nanoTime();
            int done = 0;
            for (int r = 0; r < rounds; r++)
                for (String s : samples) {
                    MultiSweep.lidar(t, nus, s, 10);
                    done++;
                }
            double nusFps = done / ((System.nanoTime() - t1) * 1e-9);
            out.printf(Locale.ROOT, "bench data_nuscenes_sweeps samples=%d sweeps=10 fps=%.1f%n", done, nusFps);

            // (3) one synthetic KITTI frame (scene, HDL-64E sweep, camera image, labels)
            int gens = quick ? 2 : 5;
            SyntheticKitti.frame(100); // warm-up
            long t2 = System.nanoTime();
            for (int i = 0; i < gens; i++) SyntheticKitti.frame(101 + i);
            double ms = (System.nanoTime() - t2) * 1e-6 / gens;
            out.printf(Locale.ROOT, "bench data_synth_kitti_frame ms=%.1f%n", ms);
            return new Result(frames * rounds, kittiFps, threads, done, nusFps, ms);
        }
    }

    /** Reads every frame's four files, frames in parallel (as a data loader's workers). */
    private static void readKitti(Path training, int frames) {
        IntStream.range(0, frames).parallel().forEach(i -> {
            String id = String.format(Locale.ROOT, "%06d", i);
            try {
                KittiLidar.read(training.resolve("velodyne").resolve(id + ".bin"));
                KittiCalibFiles.read(training.resolve("calib").resolve(id + ".txt"));
                KittiLabels.read(training.resolve("label_2").resolve(id + ".txt"));
                KittiImages.readRgb(training.resolve("image_2").resolve(id + ".png"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
