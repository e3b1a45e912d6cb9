package fuse3d.models.voxelrcnn;

import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.synth.SyntheticKitti;
import fuse3d.models.detect.Batch;
import fuse3d.models.train.KittiDetectionDataset;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.TensorIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the golden Voxel R-CNN fixtures (run by hand, never by the tests):
 * {@code java ... fuse3d.models.voxelrcnn.GoldenFrameFixtures models/src/test/resources/golden/voxelrcnn}.
 *
 * <p>The frame is frame 0 of a synthetic KITTI set (seed 7) as the test-mode dataset prepares it for the golden
 * range (camera field of view, range mask), every second point kept so that the file stays small, and the labelled
 * Car boxes whose centre lies in the range. The points are committed rather than regenerated because the synthetic
 * LiDAR may change; the outputs are then this code's own results on them, regression protection rather than a
 * reference: regenerate them only for an intended change of the model's numbers, and say so in the commit.
 */
public final class GoldenFrameFixtures {
    private GoldenFrameFixtures() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "models/src/test/resources/golden/voxelrcnn");
        Files.createDirectories(out);
        VoxelRcnnConfig cfg = GoldenFrame.config();
        if (!Files.exists(out.resolve("points.npy"))) writeFrame(out, cfg);
        Tensor points = TensorIO.readNpy(out.resolve("points.npy"));
        Tensor gt = TensorIO.readNpy(out.resolve("gt_boxes.npy"));
        Batch batch = GoldenFrame.batch(cfg, points, gt);
        for (Map.Entry<String, Tensor> e : GoldenFrame.inference(GoldenFrame.model(cfg), batch).entrySet())
            TensorIO.writeNpy(out.resolve(e.getKey() + ".npy"), e.getValue().contiguous());
        TensorIO.writeNpy(out.resolve("losses.npy"), GoldenFrame.losses(GoldenFrame.model(cfg), batch));
        TensorIO.writeNpy(out.resolve("roi_head_losses.npy"), GoldenFrame.roiHeadLosses(GoldenFrame.model(cfg), batch));
        System.out.println("wrote fixtures for " + points.size(0) + " points, " + gt.size(0) + " boxes, " + batch.voxelCoords().size(0) + " voxels to " + out);
    }

    private static void writeFrame(Path out, VoxelRcnnConfig cfg) throws Exception {
        Path root = Files.createTempDirectory("fuse3d-golden-frame");
        SyntheticKitti.write(root, 1, 7, null);
        var ds = new KittiDetectionDataset(KittiDataset.open(root, "trainval"), cfg.classNames(), cfg.dataConfig(), false, 0);
        var s = ds.get(0, 0);
        float[] p = s.points().contiguous().toFloatArray();
        int n = s.points().size(0), c = s.points().size(1), kept = (n + 1) / 2;
        float[] half = new float[kept * c];
        for (int i = 0; i < kept; i++) System.arraycopy(p, 2 * i * c, half, i * c, c);
        double[] r = cfg.dataConfig().pointCloudRange();
        float[] g = s.gtBoxes().contiguous().toFloatArray();
        int m = 0;
        float[] in = new float[g.length];
        for (int i = 0; i < s.gtBoxes().size(0); i++) {
            float x = g[i * 8], y = g[i * 8 + 1];
            if (x >= r[0] && x < r[3] && y >= r[1] && y < r[4]) System.arraycopy(g, i * 8, in, m++ * 8, 8);
        }
        TensorIO.writeNpy(out.resolve("points.npy"), Tensor.ofFloats(half, kept, c));
        TensorIO.writeNpy(out.resolve("gt_boxes.npy"), Tensor.ofFloats(java.util.Arrays.copyOf(in, m * 8), m, 8));
    }
}
