package fuse3d.models.voxelrcnn;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.models.config.DataConfig;
import fuse3d.models.dense.AnchorHeadOutput;
import fuse3d.models.dense.AnchorHeadSingle;
import fuse3d.models.dense.BaseBEVBackbone;
import fuse3d.models.dense.PostProcessor;
import fuse3d.models.dense.PredictedBoxes;
import fuse3d.models.dense.ProposalLayer;
import fuse3d.models.dense.RecallRecorder;
import fuse3d.models.detect.Batch;
import fuse3d.models.detect.Detections;
import fuse3d.models.detect.Detector;
import fuse3d.models.detect.LossTerms;
import fuse3d.models.detect.Rois;
import fuse3d.models.roi.RoiHead;
import fuse3d.models.roi.RoiHeadConfig;
import fuse3d.models.train.KittiEvaluation;
import fuse3d.nn.Module;
import fuse3d.sparse.conv.HeightCompression;
import fuse3d.sparse.conv.SparseBackboneOutput;
import fuse3d.sparse.conv.SparseTensor;
import fuse3d.sparse.conv.VoxelBackBone8x;
import fuse3d.sparse.points.RoiGridPool;
import fuse3d.sparse.voxel.MeanVFE;
import fuse3d.sparse.voxel.VoxelGrid;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Voxel R-CNN (Deng et al., AAAI 2021) as OpenPCDet's VoxelRCNN detector: MeanVFE, VoxelBackBone8x,
 * HeightCompression, BaseBEVBackbone, AnchorHeadSingle, the proposal layer's NMS, and the RoI head's voxel
 * RoI-grid pooling over the backbone's x_conv2..x_conv4 volumes with its refinement, then post-processing.
 *
 * <p>Children carry OpenPCDet's names (vfe, backbone_3d, map_to_bev_module, backbone_2d, dense_head, roi_head), so
 * its state dicts map one to one. Training returns rpn_loss_cls, rpn_loss_loc, rpn_loss_dir and the RoI head's
 * rcnn_loss_cls, rcnn_loss_reg, rcnn_loss_corner; their sum is OpenPCDet's loss (loss_rpn + loss_rcnn). The RoI
 * sampling draws from the model's own generator ({@link #generators()}), which training checkpoints.
 */
public final class VoxelRcnn extends Module implements Detector {
    private final VoxelRcnnConfig cfg;
    private final MeanVFE vfe;
    private final VoxelBackBone8x backbone3d;
    private final HeightCompression mapToBev;
    private final BaseBEVBackbone backbone2d;
    private final AnchorHeadSingle denseHead;
    private final RoiHead roiHead;
    private final PostProcessor post;
    private final Generator sampling, dropout;
    private volatile RecallRecorder recall;

    /**
     * @param g initialises the weights; RoI sampling and dropout draw from a generator split off it
     */
    public VoxelRcnn(VoxelRcnnConfig cfg, Generator g) {
        this.cfg = cfg;
        DataConfig data = cfg.dataConfig();
        double[] voxelSize = data.voxelSize(), pointCloudRange = data.pointCloudRange();
        int[] gridSize = new VoxelGrid(pointCloudRange, voxelSize).gridSize();
        VoxelRcnnConfig.ModelConfig m = cfg.model();
        int pointFeatures = data.pointFeatureEncoding().usedFeatureList().size();
        vfe = registerModule("vfe", new MeanVFE(pointFeatures));
        backbone3d = registerModule("backbone_3d", new VoxelBackBone8x(vfe.outputFeatureDim(), gridSize, m.backbone3d().lastPad(), m.backbone3d().widths(), g));
        mapToBev = new HeightCompression(m.mapToBev().numBevFeatures()); // no parameters: not a module
        backbone2d = registerModule("backbone_2d", new BaseBEVBackbone(m.backbone2d(), m.mapToBev().numBevFeatures(), g));
        denseHead = registerModule("dense_head", new AnchorHeadSingle(m.denseHead(), backbone2d.outChannels(), cfg.classNames(), gridSize, pointCloudRange, g));
        Map<String, Map<String, Integer>> channels = new LinkedHashMap<>();
        for (RoiHeadConfig.StreamConfig s : m.roiHead().streams()) channels.put(s.name(), backbone3d.backboneChannels());
        roiHead = registerModule("roi_head", new RoiHead(m.roiHead(), cfg.classNames().size(), channels, voxelSize, pointCloudRange, g));
        post = new PostProcessor(m.postProcessing());
        sampling = new Generator(g.nextLong());
        dropout = g; // the RoI head's dropout layers keep drawing from the initialisation generator
    }

    public VoxelRcnnConfig config() { return cfg; }

    @Override
    public Module module() { return this; }

    @Override
    public List<String> classNames() { return cfg.classNames(); }

    /**
     * The generators whose state a training checkpoint must keep for an exact resume, by name: the RoI sampling and
     * the one the dropout layers draw from (the initialisation generator, which they share).
     */
    public Map<String, Generator> generators() { return Map.of("roi_sampling", sampling, "dropout", dropout); }

    /** What the shared trunk computes for a batch: the sparse backbone's volumes and the dense head's maps. */
    public record Trunk(SparseBackboneOutput sparse, Var spatialFeatures2d, AnchorHeadOutput head) {}

    /** Receives the time of each part of a forward pass (for benchmarks); parts are named as {@link #PARTS}. */
    @FunctionalInterface
    public interface PartTimer {
        void record(String part, long nanos);
    }

    /** The parts of an inference forward, in order: VFE + 3D backbone, BEV (height compression + 2D backbone), dense head, proposal NMS, RoI head, final NMS. */
    public static final List<String> PARTS = List.of("backbone3d", "bev", "head", "proposal_nms", "roi_head", "post_nms");

    /** VFE, 3D backbone, BEV compression, 2D backbone and the dense head's convolutions. */
    public Trunk trunk(Batch batch) { return trunk(batch, null); }

    private Trunk trunk(Batch batch, PartTimer timer) {
        long t0 = System.nanoTime();
        Var voxelFeatures = vfe.forward(Var.of(batch.voxels()), batch.voxelNumPoints());
        SparseBackboneOutput sparse = backbone3d.forward(voxelFeatures, batch.voxelCoords(), batch.batchSize());
        long t1 = System.nanoTime();
        Var bev = mapToBev.apply(sparse.encodedSpconvTensor());
        Var spatial2d = backbone2d.forward(bev);
        long t2 = System.nanoTime();
        AnchorHeadOutput head = denseHead.forward(spatial2d);
        if (timer != null) {
            timer.record("backbone3d", t1 - t0);
            timer.record("bev", t2 - t1);
            timer.record("head", System.nanoTime() - t2);
        }
        return new Trunk(sparse, spatial2d, head);
    }

    /** The dense head's decoded boxes and the proposal layer's RoIs (the TRAIN or TEST NMS of ROI_HEAD.NMS_CONFIG). */
    public Rois proposals(AnchorHeadOutput head, boolean training) {
        PredictedBoxes preds = denseHead.generatePredictedBoxes(head);
        RoiHeadConfig.NmsConfigs nms = cfg.model().roiHead().nmsConfig();
        return ProposalLayer.propose(preds, training ? nms.train() : nms.test());
    }

    /** The RoI head's feature streams: one per configured stream, each the backbone's volumes by source name. */
    public Map<String, Map<String, RoiGridPool.VoxelSet>> streams(SparseBackboneOutput sparse) {
        Map<String, RoiGridPool.VoxelSet> lidar = new LinkedHashMap<>();
        for (Map.Entry<String, SparseTensor> e : sparse.multiScale3dFeatures().entrySet()) {
            SparseTensor st = e.getValue();
            lidar.put(e.getKey(), new RoiGridPool.VoxelSet(st.indices(), st.features(), st.spatialShape(), st.batchSize(),
                    sparse.multiScale3dStrides().get(e.getKey())));
        }
        Map<String, Map<String, RoiGridPool.VoxelSet>> out = new LinkedHashMap<>();
        for (RoiHeadConfig.StreamConfig s : cfg.model().roiHead().streams()) out.put(s.name(), lidar);
        return out;
    }

    @Override
    public LossTerms losses(Batch batch) {
        if (!isTraining()) throw new IllegalStateException("VoxelRcnn.losses: the model is in eval mode; call train() first");
        if (!batch.hasLabels()) throw new IllegalArgumentException("VoxelRcnn.losses: the batch of " + batch.frames().get(0).frameId() + " has no labels");
        Trunk t = trunk(batch);
        LossTerms terms = denseHead.loss(t.head(), batch.gtBoxes(), sampling);
        Rois rois = proposals(t.head(), true);
        terms.addAll(roiHead.losses(rois, batch.gtBoxes(), streams(t.sparse()), sampling));
        return terms;
    }

    @Override
    public List<Detections> predict(Batch batch) { return predict(batch, null); }

    /** {@link #predict(Batch)}, reporting each part's time to {@code timer} (may be null). */
    public List<Detections> predict(Batch batch, PartTimer timer) {
        try (GradMode.Scope _ = GradMode.noGrad()) {
            Trunk t = trunk(batch, timer);
            long t0 = System.nanoTime();
            Rois rois = proposals(t.head(), false);
            long t1 = System.nanoTime();
            RoiHead.Refined r = roiHead.refine(rois, streams(t.sparse()));
            long t2 = System.nanoTime();
            RecallRecorder rec = recall;
            Tensor gt = rec != null && batch.hasLabels() ? batch.gtBoxes() : null;
            // the RoI head is class agnostic: a box keeps its RoI's class, OpenPCDet's has_class_labels path
            List<Detections> out = post.process(r.cls().data(), r.boxes().data(), false, r.labels(), rois, gt, gt == null ? null : rec);
            if (timer != null) {
                timer.record("proposal_nms", t1 - t0);
                timer.record("roi_head", t2 - t1);
                timer.record("post_nms", System.nanoTime() - t2);
            }
            return out;
        }
    }

    /**
     * A recall accumulator for evaluation (OpenPCDet's recall_roi_* and recall_rcnn_* at RECALL_THRESH_LIST):
     * while it is the model's current one, every {@link #predict} of a labelled batch is recorded.
     */
    public KittiEvaluation.RecallAccumulator newRecallAccumulator() {
        RecallRecorder rec = new RecallRecorder(cfg.model().postProcessing().recallThreshList());
        recall = rec;
        return new KittiEvaluation.RecallAccumulator() {
            @Override
            public void add(Batch batch, List<Detections> detections) {}

            @Override
            public Map<String, Double> results() { return rec.recalls(); }
        };
    }
}
