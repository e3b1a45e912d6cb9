package fuse3d.models.voxelrcnn;

import fuse3d.autograd.GradMode;
import fuse3d.models.dense.PredictedBoxes;
import fuse3d.models.detect.Batch;
import fuse3d.models.detect.Detections;
import fuse3d.models.detect.FrameInfo;
import fuse3d.models.detect.LossTerms;
import fuse3d.models.detect.Rois;
import fuse3d.models.roi.RoiHead;
import fuse3d.models.train.KittiDetectionDataset;
import fuse3d.sparse.voxel.VoxelGrid;
import fuse3d.sparse.voxel.Voxelizer;
import fuse3d.sparse.voxel.Voxels;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.TensorIO;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The golden Voxel R-CNN case shared by the fixture generator and the golden test: the tiny test config over a
 * 12.8 x 12.8 m range, weights drawn from a fixed seed, the committed frame (points and labelled boxes), and every
 * intermediate result the test pins down, by fixture name.
 */
final class GoldenFrame {
    private GoldenFrame() {}

    /** Where the fixtures live under the test resources. */
    static final String DIR = "/golden/voxelrcnn/";
    /** Seed of the weights (and of the model's RoI sampling and dropout generators split off it). */
    static final long WEIGHT_SEED = 20261123L;
    /** How many of the best-scoring anchors the RPN fixture keeps. */
    static final int RPN_TOP_K = 48;
    /** The golden case's range: a quarter of the tiny config's, so the committed cloud stays small. */
    static final String RANGE = "DATA_CONFIG.POINT_CLOUD_RANGE=[0, -6.4, -3, 12.8, 6.4, 1]";
    /** The loss terms of {@code losses.npy}, in its order. */
    static final List<String> LOSS_NAMES = List.of("rpn_loss_cls", "rpn_loss_loc", "rpn_loss_dir", "rcnn_loss_cls", "rcnn_loss_reg", "rcnn_loss_corner");

    /** A test resource as a path (the resources are plain files under target/test-classes). */
    static Path resource(String name) {
        try {
            var url = GoldenFrame.class.getResource(DIR + name);
            if (url == null) throw new IllegalStateException("test resource " + DIR + name + " is missing");
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** voxel_rcnn_tiny (voxel_rcnn_small narrowed, no augmentation) with any further overrides. */
    static VoxelRcnnConfig tinyConfig(String... overrides) {
        return VoxelRcnnConfig.load(resource("voxel_rcnn_tiny.yaml").toString(), List.of(overrides));
    }

    /** The golden case's config. */
    static VoxelRcnnConfig config() { return tinyConfig(RANGE); }

    /**
     * The golden weights: the model's own initialisation from {@link #WEIGHT_SEED}, then every floating parameter
     * nudged by N(0, 0.02) (N(0, 0.1) in the dense head, whose initial scores are otherwise nearly equal) and the
     * BatchNorm statistics drawn away from (0, 1), so that zero-initialised biases and the RoI head's near-zero box
     * layer take part and a change in any of them shows in the outputs.
     */
    static VoxelRcnn model(VoxelRcnnConfig cfg) {
        VoxelRcnn m = new VoxelRcnn(cfg, new Generator(WEIGHT_SEED));
        Generator g = new Generator(WEIGHT_SEED + 1);
        try (GradMode.Scope _ = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
                Tensor t = e.getValue();
                if (!t.dtype().isFloating()) continue;
                if (e.getKey().endsWith("running_var")) t.copy_(g.uniform(t.dtype(), 0.5, 1.5, t.shape()));
                else if (e.getKey().endsWith("running_mean")) t.copy_(g.normal(t.dtype(), 0, 0.1, t.shape()));
                else t.copy_(t.add(g.normal(t.dtype(), 0, e.getKey().startsWith("dense_head.") ? 0.1 : 0.02, t.shape())));
            }
        }
        return m;
    }

    /**
     * The committed frame as a one-frame batch: {@code points.npy} (float32 [N, 4], already inside the range) through
     * the config's voxelizer (test-mode voxel cap), {@code gt_boxes.npy} (float32 [M, 8]) as its labels.
     */
    static Batch batch(VoxelRcnnConfig cfg) throws IOException {
        Tensor points = TensorIO.readNpy(resource("points.npy")).to(DType.FLOAT32).contiguous();
        Tensor gt = TensorIO.readNpy(resource("gt_boxes.npy")).to(DType.FLOAT32).contiguous();
        return batch(cfg, points, gt);
    }

    static Batch batch(VoxelRcnnConfig cfg, Tensor points, Tensor gt) {
        var data = cfg.dataConfig();
        Voxelizer v = new Voxelizer(new VoxelGrid(data.pointCloudRange(), data.voxelSize()), data.maxPointsPerVoxel(), data.maxNumberOfVoxels(false));
        Voxels vox = v.voxelize(points);
        var sample = new KittiDetectionDataset.Sample("golden", points, gt, vox, new FrameInfo("golden", null, 0, 0));
        return KittiDetectionDataset.collate(List.of(sample));
    }

    /**
     * Every inference-mode result the fixtures hold, by fixture name: the RPN's best {@link #RPN_TOP_K} anchors
     * (index, class logits, decoded box), the RoIs after proposal NMS, the RoI head's refined boxes and class
     * logits, and the final detections.
     */
    static Map<String, Tensor> inference(VoxelRcnn model, Batch batch) {
        model.eval();
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (GradMode.Scope _ = GradMode.noGrad()) {
            VoxelRcnn.Trunk t = model.trunk(batch);
            // the decoded predictions of every anchor, read through the same path the proposal layer takes
            PredictedBoxes preds = denseHead(model).generatePredictedBoxes(t.head());
            Tensor cls = preds.batchClsPreds().select(0, 0).contiguous();   // [A, C]
            Tensor boxes = preds.batchBoxPreds().select(0, 0).contiguous(); // [A, 7]
            Tensor best = cls.max(1, false).values();                                      // [A]
            Tensor idx = best.sort(0, true, true).indices().narrow(0, 0, RPN_TOP_K).contiguous();
            out.put("rpn_topk_index", idx.to(DType.INT64));
            out.put("rpn_topk_cls", cls.indexSelect(0, idx).contiguous());
            out.put("rpn_topk_boxes", boxes.indexSelect(0, idx).contiguous());
            Rois rois = model.proposals(t.head(), false);
            out.put("roi_boxes", rois.boxes());
            out.put("roi_scores", rois.scores());
            out.put("roi_labels", rois.labels());
            RoiHead.Refined r = roiHead(model).refine(rois, model.streams(t.sparse()));
            out.put("rcnn_boxes", r.boxes().data().contiguous());
            out.put("rcnn_cls", r.cls().data().contiguous());
        }
        Detections d = model.predict(batch).get(0);
        out.put("det_boxes", d.boxes());
        out.put("det_scores", d.scores());
        out.put("det_labels", d.labels());
        return out;
    }

    /** The training-mode loss terms on the frame (RoI sampling from the model's seeded generator), in {@link #LOSS_NAMES} order. */
    static Tensor losses(VoxelRcnn model, Batch batch) {
        model.train();
        LossTerms terms = model.losses(batch);
        if (!List.copyOf(terms.values().keySet()).equals(LOSS_NAMES))
            throw new IllegalStateException("VoxelRcnn loss terms changed: " + terms.values().keySet() + ", the fixture holds " + LOSS_NAMES);
        double[] v = terms.values().values().stream().mapToDouble(Double::doubleValue).toArray();
        return Tensor.of(v, v.length);
    }

    /**
     * The RoI head's training losses on hand-made RoIs (each GT box shifted by (0.3, -0.2) m and turned by 0.1 rad,
     * then the same boxes shifted by 2 m, the other slots empty), so the regression and corner terms, which random
     * proposals leave at zero, are pinned too: rcnn_loss_cls, rcnn_loss_reg, rcnn_loss_corner.
     */
    static Tensor roiHeadLosses(VoxelRcnn model, Batch batch) {
        model.train();
        VoxelRcnn.Trunk t = model.trunk(batch);
        Tensor gt = batch.gtBoxes();
        int m = gt.size(1), slots = 16;
        float[] g = gt.contiguous().toFloatArray(), r = new float[slots * 7], s = new float[slots];
        int[] labels = new int[slots];
        for (int i = 0; i < m && 2 * i + 1 < slots; i++)
            for (int copy = 0; copy < 2; copy++) {
                int k = copy * m + i;
                System.arraycopy(g, i * 8, r, k * 7, 7);
                r[k * 7] += 0.3f + 2 * copy;
                r[k * 7 + 1] -= 0.2f;
                r[k * 7 + 6] += 0.1f;
                s[k] = 1;
                labels[k] = (int) g[i * 8 + 7];
            }
        Rois rois = new Rois(Tensor.ofFloats(r, 1, slots, 7), Tensor.ofFloats(s, 1, slots), Tensor.ofInts(labels, 1, slots));
        LossTerms terms = roiHead(model).losses(rois, gt, model.streams(t.sparse()), new Generator(WEIGHT_SEED + 2));
        double[] v = terms.values().values().stream().mapToDouble(Double::doubleValue).toArray();
        return Tensor.of(v, v.length);
    }

    static fuse3d.models.dense.AnchorHeadSingle denseHead(VoxelRcnn m) { return (fuse3d.models.dense.AnchorHeadSingle) m.namedChildren().get("dense_head"); }

    static RoiHead roiHead(VoxelRcnn m) { return (RoiHead) m.namedChildren().get("roi_head"); }
}
