package fuse3d.models.roi;

import fuse3d.models.detect.NmsConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ROI_HEAD block of an OpenPCDet-style YAML for the configurable RoI head: fully connected widths, proposal NMS,
 * target sampling, losses, and the pooling laid out as feature STREAMS (each a grid size and source layers) run over
 * STAGES (each an optional scene transform), with optional cross-stage attention and an IoU branch.
 *
 * <p>Component names are the camelCase of the YAML keys (ROI_PER_IMAGE is {@code roiPerImage}). Voxel R-CNN is one
 * stream "lidar" (grid 6, x_conv2/3/4), one identity stage, no attention and no IoU branch
 * ({@link #voxelRcnnCar()}); CMF-IoU adds a pseudo-point stream, three transformed stages, attention and the IoU
 * branch without any new head code.
 *
 * <p>IOU_BRANCH adds per stage an IoU FC stack of the CLS_FC widths and a one-output layer, trained by
 * {@link LossConfig#iouValidThresh()}-gated smooth-L1 (CMF-IoU's IoU head). Voxel R-CNN YAML keys this head does not
 * use (ROI_GRID_POOL as a single stream, GRID_3D_IOU_LOSS, rcnn_iou3d_weight, TARGET_CONFIG.BOX_CODER) are the
 * binder's to map or drop.
 */
@fuse3d.models.config.ImpliedName("VoxelRCNNHead")
public record RoiHeadConfig(boolean classAgnostic, List<Integer> sharedFc, List<Integer> clsFc, List<Integer> regFc, double dpRatio,
                            NmsConfigs nmsConfig, List<StreamConfig> streams, StagesConfig stages, AttentionConfig crossStageAttention,
                            boolean iouBranch, TargetConfig targetConfig, LossConfig lossConfig) {
    public RoiHeadConfig {
        sharedFc = positiveList("SHARED_FC", sharedFc, false);
        clsFc = positiveList("CLS_FC", clsFc, true);
        regFc = positiveList("REG_FC", regFc, true);
        if (!(dpRatio >= 0 && dpRatio < 1)) throw new IllegalArgumentException("ROI_HEAD: DP_RATIO " + dpRatio + " not in [0, 1)");
        require(nmsConfig, "NMS_CONFIG");
        require(streams, "STREAMS");
        if (streams.isEmpty()) throw new IllegalArgumentException("ROI_HEAD: STREAMS must name at least one feature stream");
        Set<String> names = new LinkedHashSet<>();
        for (StreamConfig s : streams)
            if (!names.add(s.name())) throw new IllegalArgumentException("ROI_HEAD: STREAMS: stream name '" + s.name() + "' used twice");
        streams = List.copyOf(streams);
        require(stages, "STAGES");
        require(crossStageAttention, "CROSS_STAGE_ATTENTION");
        require(targetConfig, "TARGET_CONFIG");
        require(lossConfig, "LOSS_CONFIG");
        if (crossStageAttention.enabled() && sharedFc.get(sharedFc.size() - 1) % crossStageAttention.heads() != 0)
            throw new IllegalArgumentException("ROI_HEAD: CROSS_STAGE_ATTENTION: HEADS " + crossStageAttention.heads()
                    + " must divide the last SHARED_FC width " + sharedFc.get(sharedFc.size() - 1));
    }

    /** NMS_CONFIG: the proposal layer's settings in training and in testing (used by the proposal layer's caller). */
    public record NmsConfigs(NmsConfig train, NmsConfig test) {
        public NmsConfigs {
            require(train, "NMS_CONFIG.TRAIN");
            require(test, "NMS_CONFIG.TEST");
        }
    }

    /**
     * One POOL_LAYERS entry: a NeighborVoxelSAModuleMSG over one source layer. MLPS are without the input width (the
     * head prepends the backbone's channels, as the reference).
     */
    public record PoolLayerConfig(List<List<Integer>> mlps, List<List<Integer>> queryRanges, List<Double> poolRadius, List<Integer> nsample,
                                  String poolMethod) {
        public PoolLayerConfig {
            require(mlps, "POOL_LAYERS.MLPS");
            require(queryRanges, "POOL_LAYERS.QUERY_RANGES");
            require(poolRadius, "POOL_LAYERS.POOL_RADIUS");
            require(nsample, "POOL_LAYERS.NSAMPLE");
            int n = mlps.size();
            if (n == 0 || queryRanges.size() != n || poolRadius.size() != n || nsample.size() != n)
                throw new IllegalArgumentException("POOL_LAYERS: MLPS, QUERY_RANGES, POOL_RADIUS and NSAMPLE need one entry per scale, got "
                        + n + ", " + queryRanges.size() + ", " + poolRadius.size() + ", " + nsample.size());
            List<List<Integer>> m = new ArrayList<>(), q = new ArrayList<>();
            for (List<Integer> l : mlps) m.add(positiveList("POOL_LAYERS.MLPS", l, false));
            for (List<Integer> l : queryRanges) {
                if (l == null || l.size() != 3 || l.stream().anyMatch(v -> v == null || v < 0))
                    throw new IllegalArgumentException("POOL_LAYERS: QUERY_RANGES entries must be three non-negative ints, got " + l);
                q.add(List.copyOf(l));
            }
            for (Double r : poolRadius)
                if (r == null || !(r > 0)) throw new IllegalArgumentException("POOL_LAYERS: POOL_RADIUS must be > 0, got " + poolRadius);
            for (Integer s : nsample)
                if (s == null || s < 1) throw new IllegalArgumentException("POOL_LAYERS: NSAMPLE must be >= 1, got " + nsample);
            if (!"max_pool".equals(poolMethod) && !"avg_pool".equals(poolMethod))
                throw new IllegalArgumentException("POOL_LAYERS: POOL_METHOD must be max_pool or avg_pool, got '" + poolMethod + "'");
            mlps = List.copyOf(m);
            queryRanges = List.copyOf(q);
            poolRadius = List.copyOf(poolRadius);
            nsample = List.copyOf(nsample);
        }
    }

    /**
     * One feature stream (ROI_GRID_POOL of the reference): the name the caller keys its voxel sets by ("lidar",
     * "pseudo"), the grid size per RoI edge, the source layers in pooling order, PRE_MLP and one pool layer per
     * source. PRE_MLP is accepted with any value and has no effect, as in OpenPCDet: its VoxelRCNNHead never reads
     * it and its voxel pooling always applies the input MLP, as this head does. POOL_LAYERS entries that
     * FEATURES_SOURCE does not name are not built, as in OpenPCDet (it looks up only the listed sources).
     */
    public record StreamConfig(String name, int gridSize, List<String> featuresSource, boolean preMlp, Map<String, PoolLayerConfig> poolLayers) {
        public StreamConfig {
            if (name == null || name.isEmpty() || !name.matches("[A-Za-z0-9_]+"))
                throw new IllegalArgumentException("STREAMS: NAME must be a non-empty identifier ([A-Za-z0-9_]), got '" + name + "'");
            if (gridSize < 1) throw new IllegalArgumentException("STREAMS." + name + ": GRID_SIZE must be >= 1, got " + gridSize);
            require(featuresSource, "STREAMS." + name + ".FEATURES_SOURCE");
            require(poolLayers, "STREAMS." + name + ".POOL_LAYERS");
            if (featuresSource.isEmpty()) throw new IllegalArgumentException("STREAMS." + name + ": FEATURES_SOURCE is empty");
            for (String src : featuresSource)
                if (!poolLayers.containsKey(src))
                    throw new IllegalArgumentException("STREAMS." + name + ": FEATURES_SOURCE '" + src + "' has no POOL_LAYERS entry (have "
                            + poolLayers.keySet() + ")");
            featuresSource = List.copyOf(featuresSource);
            poolLayers = Map.copyOf(poolLayers);
        }
    }

    /**
     * STAGES: how many refinement stages run, and per stage the name of the scene transform its pooling runs under
     * (see {@link SceneTransforms}); an empty TRANSFORMS list means identity for every stage.
     */
    public record StagesConfig(int count, List<String> transforms) {
        public StagesConfig {
            if (count < 1) throw new IllegalArgumentException("STAGES: COUNT must be >= 1, got " + count);
            transforms = transforms == null ? List.of() : List.copyOf(transforms);
            if (!transforms.isEmpty() && transforms.size() != count)
                throw new IllegalArgumentException("STAGES: TRANSFORMS needs one name per stage (" + count + "), got " + transforms);
            for (String t : transforms) SceneTransforms.byName(t); // fails early on unknown names
        }

        /** The transform name of stage k. */
        public String transform(int k) { return transforms.isEmpty() ? SceneTransforms.IDENTITY : transforms.get(k); }
    }

    /** CROSS_STAGE_ATTENTION: whether each stream's feature attends over all stages so far, and with how many heads (unused when off). */
    public record AttentionConfig(boolean enabled, int heads) {
        public AttentionConfig {
            if (enabled && heads < 1) throw new IllegalArgumentException("CROSS_STAGE_ATTENTION: HEADS must be >= 1, got " + heads);
        }

        public static AttentionConfig off() { return new AttentionConfig(false, 0); }
    }

    /** TARGET_CONFIG: the proposal target layer's sampling and labelling (BOX_CODER is always ResidualCoder here). */
    public record TargetConfig(int roiPerImage, double fgRatio, boolean sampleRoiByEachClass, String clsScoreType, double clsFgThresh,
                               double clsBgThresh, double clsBgThreshLo, double hardBgRatio, double regFgThresh) {
        public TargetConfig {
            if (roiPerImage < 1) throw new IllegalArgumentException("TARGET_CONFIG: ROI_PER_IMAGE must be >= 1, got " + roiPerImage);
            unit("FG_RATIO", fgRatio);
            unit("CLS_FG_THRESH", clsFgThresh);
            unit("CLS_BG_THRESH", clsBgThresh);
            unit("CLS_BG_THRESH_LO", clsBgThreshLo);
            unit("HARD_BG_RATIO", hardBgRatio);
            unit("REG_FG_THRESH", regFgThresh);
            if (!"roi_iou".equals(clsScoreType) && !"cls".equals(clsScoreType))
                throw new IllegalArgumentException("TARGET_CONFIG: CLS_SCORE_TYPE must be roi_iou or cls, got '" + clsScoreType + "'");
            if ("roi_iou".equals(clsScoreType) && !(clsFgThresh > clsBgThresh))
                throw new IllegalArgumentException("TARGET_CONFIG: CLS_FG_THRESH " + clsFgThresh + " must be > CLS_BG_THRESH " + clsBgThresh);
        }

        private static void unit(String key, double v) {
            if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException("TARGET_CONFIG: " + key + " " + v + " not in [0, 1]");
        }
    }

    /** LOSS_WEIGHTS (lower-case keys in the YAML): per-term weights and the seven regression code weights. */
    public record LossWeights(double rcnnClsWeight, double rcnnRegWeight, double rcnnCornerWeight, double rcnnIouWeight, List<Double> codeWeights) {
        public LossWeights {
            for (double w : new double[] {rcnnClsWeight, rcnnRegWeight, rcnnCornerWeight, rcnnIouWeight})
                if (!(w >= 0)) throw new IllegalArgumentException("LOSS_WEIGHTS: weights must be >= 0, got " + w);
            require(codeWeights, "LOSS_WEIGHTS.code_weights");
            if (codeWeights.size() != 7) throw new IllegalArgumentException("LOSS_WEIGHTS: code_weights needs 7 entries, got " + codeWeights);
            codeWeights = List.copyOf(codeWeights);
        }
    }

    /**
     * LOSS_CONFIG: CLS_LOSS (BinaryCrossEntropy), REG_LOSS (smooth-l1), CORNER_LOSS_REGULARIZATION, the weights, and
     * IOU_VALID_THRESH (the IoU branch learns only RoIs whose IoU with their GT is at least this, CMF-IoU's 0.3).
     * Without IOU_BRANCH, IOU_VALID_THRESH and rcnn_iou_weight have no effect; without CORNER_LOSS_REGULARIZATION,
     * rcnn_corner_weight has none (as OpenPCDet's).
     */
    public record LossConfig(String clsLoss, String regLoss, boolean cornerLossRegularization, LossWeights lossWeights, double iouValidThresh) {
        public LossConfig {
            if (!"BinaryCrossEntropy".equals(clsLoss))
                throw new IllegalArgumentException("LOSS_CONFIG: CLS_LOSS must be BinaryCrossEntropy, got '" + clsLoss + "'");
            if (!"smooth-l1".equals(regLoss)) throw new IllegalArgumentException("LOSS_CONFIG: REG_LOSS must be smooth-l1, got '" + regLoss + "'");
            require(lossWeights, "LOSS_CONFIG.LOSS_WEIGHTS");
            if (!(iouValidThresh >= 0 && iouValidThresh <= 1))
                throw new IllegalArgumentException("LOSS_CONFIG: IOU_VALID_THRESH " + iouValidThresh + " not in [0, 1]");
        }
    }

    /** A Voxel R-CNN pool layer: one scale, MLP [32, 32], query range 4³, 16 samples, max pooling. */
    public static PoolLayerConfig voxelRcnnPoolLayer(double radius) {
        return new PoolLayerConfig(List.of(List.of(32, 32)), List.of(List.of(4, 4, 4)), List.of(radius), List.of(16), "max_pool");
    }

    /** tools/cfgs/kitti_models/voxel_rcnn_car.yaml's ROI_HEAD. */
    public static RoiHeadConfig voxelRcnnCar() {
        StreamConfig lidar = new StreamConfig("lidar", 6, List.of("x_conv2", "x_conv3", "x_conv4"), true,
                Map.of("x_conv2", voxelRcnnPoolLayer(0.4), "x_conv3", voxelRcnnPoolLayer(0.8), "x_conv4", voxelRcnnPoolLayer(1.6)));
        return new RoiHeadConfig(true, List.of(256, 256), List.of(256, 256), List.of(256, 256), 0.3,
                new NmsConfigs(new NmsConfig(false, "nms_gpu", 0.8, 9000, 512), new NmsConfig(false, "nms_gpu", 0.7, 2048, 100)),
                List.of(lidar), new StagesConfig(1, List.of()), AttentionConfig.off(), false,
                new TargetConfig(128, 0.5, true, "roi_iou", 0.75, 0.25, 0.1, 0.8, 0.55),
                new LossConfig("BinaryCrossEntropy", "smooth-l1", true, new LossWeights(1, 1, 1, 1, List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)), 0.3));
    }

    /** A copy with other streams, stages, attention and IoU branch (the CMF-IoU-style variants). */
    public RoiHeadConfig withLayout(List<StreamConfig> streams, StagesConfig stages, AttentionConfig attention, boolean iouBranch) {
        return new RoiHeadConfig(classAgnostic, sharedFc, clsFc, regFc, dpRatio, nmsConfig, streams, stages, attention, iouBranch, targetConfig, lossConfig);
    }

    /** A copy with other FC widths and dropout (small test heads). */
    public RoiHeadConfig withFc(List<Integer> sharedFc, List<Integer> clsFc, List<Integer> regFc, double dpRatio) {
        return new RoiHeadConfig(classAgnostic, sharedFc, clsFc, regFc, dpRatio, nmsConfig, streams, stages, crossStageAttention, iouBranch, targetConfig,
                lossConfig);
    }

    /** A copy with another target config. */
    public RoiHeadConfig withTargetConfig(TargetConfig t) {
        return new RoiHeadConfig(classAgnostic, sharedFc, clsFc, regFc, dpRatio, nmsConfig, streams, stages, crossStageAttention, iouBranch, t, lossConfig);
    }

    private static void require(Object o, String key) {
        if (o == null) throw new IllegalArgumentException("ROI_HEAD: " + key + " is missing");
    }

    private static List<Integer> positiveList(String key, List<Integer> l, boolean mayBeEmpty) {
        require(l, key);
        if (!mayBeEmpty && l.isEmpty()) throw new IllegalArgumentException("ROI_HEAD: " + key + " must not be empty");
        for (Integer v : l)
            if (v == null || v < 1) throw new IllegalArgumentException("ROI_HEAD: " + key + " entries must be >= 1, got " + l);
        return List.copyOf(l);
    }
}
