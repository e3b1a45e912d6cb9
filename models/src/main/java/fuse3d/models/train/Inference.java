package fuse3d.models.train;

import fuse3d.autograd.GradMode;
import fuse3d.data.kitti.KittiObject;
import fuse3d.data.viz.BevBox;
import fuse3d.data.viz.BevPicture;
import fuse3d.models.detect.Batch;
import fuse3d.models.detect.Detections;
import fuse3d.models.detect.Detector;
import fuse3d.models.detect.FrameInfo;
import fuse3d.nn.Module;
import fuse3d.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs a {@link Detector} over frames and writes what a person looks at: a KITTI label file per frame
 * ({@code labels/<id>.txt}) and a bird's-eye picture ({@code bev/<id>.png}) of the frame's points with the
 * detections and, when the frame has labels, the ground truth.
 */
public final class Inference {
    private Inference() {}

    /** What was written for one frame. */
    public record FrameOutput(String frameId, int detections, Path labelFile, Path picture) {}

    /**
     * @param data           a test-mode dataset (labels optional)
     * @param scoreThreshold detections below it are left out of the files and pictures
     * @param progress       one line per frame, or null
     */
    public static List<FrameOutput> run(Detector detector, KittiDetectionDataset data, int batchSize, int workers, Path outDir,
                                        double scoreThreshold, PrintStream progress) throws IOException {
        if (data.training()) throw new IllegalArgumentException("Inference: the dataset is in training mode (augmented); open it with training = false");
        Module model = detector.module();
        boolean wasTraining = model.isTraining();
        List<FrameOutput> out = new ArrayList<>();
        // the model's point-cloud range, where its detections can be
        double[] r = data.config().pointCloudRange();
        BevPicture picture = new BevPicture(new BevPicture.View(r[0], r[3], r[1], r[4], 12, BevPicture.PointColour.HEIGHT, r[2], r[5],
                "x (m, forward)", "y (m, left)"));
        model.eval();
        try (GradMode.Scope ignored = GradMode.noGrad();
             DataLoader<KittiDetectionDataset.Sample, Batch> loader = DataLoader.of(data, batchSize, 0, workers);
             DataLoader<KittiDetectionDataset.Sample, Batch>.Epoch epoch = loader.epoch(0)) {
            while (epoch.hasNext()) {
                Batch batch = epoch.next();
                List<Detections> dets = detector.predict(batch);
                float[] pts = batch.points().contiguous().toFloatArray();
                int c = batch.points().size(1);
                for (int i = 0; i < batch.batchSize(); i++) {
                    FrameInfo f = batch.frames().get(i);
                    List<KittiObject> objects = new ArrayList<>();
                    for (KittiObject o : KittiExport.toKitti(dets.get(i), f, detector.classNames())) if (o.score() >= scoreThreshold) objects.add(o);
                    Path labels = KittiExport.write(outDir.resolve("labels"), f.frameId(), objects);
                    List<BevBox> detBoxes = new ArrayList<>(), gtBoxes = new ArrayList<>();
                    for (KittiObject o : objects) detBoxes.add(BevBox.ofKitti(o, f.calib()));
                    if (data.dataset().hasLabels(f.frameId()))
                        for (KittiObject o : data.dataset().labels(f.frameId())) if (!o.isDontCare()) gtBoxes.add(BevBox.ofKitti(o, f.calib()));
                    Path png = outDir.resolve("bev").resolve(f.frameId() + ".png");
                    picture.write(png, "frame " + f.frameId() + ": " + objects.size() + " detections", framePoints(pts, c, i), gtBoxes, detBoxes);
                    out.add(new FrameOutput(f.frameId(), objects.size(), labels, png));
                    if (progress != null) progress.printf(Locale.ROOT, "frame %s: %d detections%n", f.frameId(), objects.size());
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return out;
    }

    /** Frame {@code b}'s rows of the collated points (first column the frame index), without that column. */
    private static Tensor framePoints(float[] pts, int c, int b) {
        int n = pts.length / c, m = 0;
        for (int r = 0; r < n; r++) if (pts[r * c] == b) m++;
        float[] out = new float[m * (c - 1)];
        int k = 0;
        for (int r = 0; r < n; r++) if (pts[r * c] == b) System.arraycopy(pts, r * c + 1, out, k++ * (c - 1), c - 1);
        return Tensor.ofFloats(out, m, c - 1);
    }
}
