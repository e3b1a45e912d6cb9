package fuse3d.models.train;

import fuse3d.autograd.Var;
import fuse3d.models.detect.Batch;
import fuse3d.models.detect.Detections;
import fuse3d.models.detect.Detector;
import fuse3d.models.detect.LossTerms;
import fuse3d.nn.Linear;
import fuse3d.nn.Module;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A tiny stand-in detector for the pipeline tests: in training a linear map from a random subset of voxel mean
 * features to the first GT box of the voxel's frame (two loss terms; the subset is drawn from its own generator so
 * that resuming must restore it); in eval mode an oracle that returns the frame's GT boxes with descending scores.
 */
final class ToyDetector implements Detector {
    static final class Net extends Module {
        final Linear fc;

        Net(Generator g) { fc = registerModule("fc", new Linear(4, 8, g)); }
    }

    final Net net;
    final Generator sampling;
    private final List<String> classes;

    ToyDetector(long seed, List<String> classes) {
        this.net = new Net(new Generator(seed));
        this.sampling = new Generator(seed + 1);
        this.classes = List.copyOf(classes);
    }

    @Override public Module module() { return net; }

    @Override public List<String> classNames() { return classes; }

    @Override
    public LossTerms losses(Batch batch) {
        int v = batch.voxels().size(0), p = batch.voxels().size(1), c = batch.voxels().size(2);
        float[] vox = batch.voxels().contiguous().toFloatArray();
        int[] num = batch.voxelNumPoints().toIntArray(), coords = batch.voxelCoords().toIntArray();
        int m = batch.gtBoxes().size(1);
        float[] gt = batch.gtBoxes().contiguous().toFloatArray();
        int k = 32;
        float[] feats = new float[k * 4], target = new float[k * 8];
        for (int s = 0; s < k; s++) {
            int i = (int) sampling.nextLong(v);
            for (int j = 0; j < num[i]; j++) for (int d = 0; d < 4; d++) feats[s * 4 + d] += vox[(i * p + j) * c + d] / num[i] / 10f;
            int frame = coords[i * 4];
            if (m > 0) for (int d = 0; d < 8; d++) target[s * 8 + d] = gt[(frame * m) * 8 + d] / 10f;
        }
        Var pred = net.fc.apply(Var.of(Tensor.ofFloats(feats, k, 4)));
        Tensor t = Tensor.ofFloats(target, k, 8);
        Var reg = pred.narrow(1, 0, 7).sub(t.narrow(1, 0, 7).contiguous()).square().mean();
        Var cls = pred.narrow(1, 7, 1).sub(t.narrow(1, 7, 1).contiguous()).square().mean().mul(0.5);
        return new LossTerms().add("toy_loss_reg", reg).add("toy_loss_cls", cls);
    }

    @Override
    public List<Detections> predict(Batch batch) {
        List<Detections> out = new ArrayList<>();
        int m = batch.gtBoxes().size(1);
        float[] gt = batch.gtBoxes().contiguous().toFloatArray();
        for (int b = 0; b < batch.batchSize(); b++) {
            List<float[]> rows = new ArrayList<>();
            for (int j = 0; j < m; j++) {
                float[] r = java.util.Arrays.copyOfRange(gt, (b * m + j) * 8, (b * m + j + 1) * 8);
                if (r[7] > 0) rows.add(r);
            }
            int n = rows.size();
            float[] boxes = new float[n * 7], scores = new float[n];
            int[] labels = new int[n];
            for (int j = 0; j < n; j++) {
                System.arraycopy(rows.get(j), 0, boxes, j * 7, 7);
                scores[j] = 1f - j * 0.01f;
                labels[j] = (int) rows.get(j)[7];
            }
            out.add(new Detections(Tensor.ofFloats(boxes, n, 7), Tensor.ofFloats(scores, n), Tensor.ofInts(labels, n), null));
        }
        return out;
    }
}
