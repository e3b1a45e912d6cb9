package fuse3d.models.roi;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.models.detect.LossTerms;
import fuse3d.models.detect.Rois;
import fuse3d.nn.BatchNorm1d;
import fuse3d.nn.Dropout;
import fuse3d.nn.Init;
import fuse3d.nn.Layer;
import fuse3d.nn.Linear;
import fuse3d.nn.Module;
import fuse3d.nn.ModuleList;
import fuse3d.nn.ReLU;
import fuse3d.nn.Sequential;
import fuse3d.nn.attention.MultiheadAttention;
import fuse3d.sparse.points.NeighborVoxelSAModuleMSG;
import fuse3d.sparse.points.RoiGridPool;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The configurable second stage of a two-stage detector (OpenPCDet's VoxelRCNNHead and RoIHeadTemplate, extended as
 * CMF-IoU needs): per stage, RoI-grid pooling of every feature stream under the stage's scene transform, shared FCs
 * per stream, optional cross-stage attention, then class, box and optional IoU predictions; proposal targets and
 * losses per stage.
 *
 * <p><b>Names.</b> With one stream and one stage the parameters are exactly VoxelRCNNHead's
 * ({@code roi_grid_pool_layers.0.mlps_in.0.0.weight}, {@code shared_fc_layer.0.weight}, {@code cls_fc_layers.*},
 * {@code cls_pred_layer.*}, {@code reg_fc_layers.*}, {@code reg_pred_layer.*}), so OpenPCDet checkpoints load. The
 * first stream keeps the plain names; another stream's pooling and shared FCs get its name as a prefix
 * ({@code pseudo_roi_grid_pool_layers}, {@code pseudo_shared_fc_layer}); stage k > 0 appends {@code _stage<k>} to every
 * per-stage module; the attention is {@code [stream_]cross_stage_attention[_stage<k>]} and the IoU branch
 * {@code iou_fc_layers} / {@code iou_pred_layer}.
 *
 * <p><b>Streams.</b> The caller maps each stream name to its source layers' voxel sets
 * ({@code streams.get("lidar").get("x_conv3")}). A stage whose transform is not identity uses the sets under
 * {@code "<stream>@<transform>"} when present (features computed in the transformed scene, as TED and CMF-IoU run the
 * backbone per transform), else moves the plain sets with {@link SceneTransform#voxels}.
 *
 * <p><b>Stages.</b> Stage k + 1 refines stage k's decoded boxes (detached, mapped back to the original scene). In
 * training every stage re-samples its targets from its own RoIs with the same TARGET_CONFIG (as CasA). At inference
 * the boxes are the last stage's and the class logits (and IoU predictions) the mean over the stages: CasA's choice;
 * CMF-IoU also averages the boxes, which needs heading-aware averaging and is left to its own head.
 *
 * <p><b>Attention.</b> Each stream's shared feature f_k queries the features f_0..f_k of all stages so far (keys and
 * values, each plus a fixed sinusoidal embedding of its stage index) with multi-head attention; the output is
 * concatenated to f_k. Stage 0 attends to itself alone, so every stage has the same widths.
 */
public final class RoiHead extends Module {
    private final RoiHeadConfig cfg;
    private final int numClass;
    private final double[] voxelSize, pointCloudRange;
    private final ProposalTargetLayer targetLayer;
    private final List<SceneTransform> transforms = new ArrayList<>();
    // [stage][stream]
    private final List<List<ModuleList<NeighborVoxelSAModuleMSG>>> poolLayers = new ArrayList<>();
    private final List<List<Sequential>> sharedFc = new ArrayList<>();
    private final List<List<MultiheadAttention>> attention = new ArrayList<>();
    // [stage]
    private final List<Sequential> clsFc = new ArrayList<>(), regFc = new ArrayList<>(), iouFc = new ArrayList<>();
    private final List<Linear> clsPred = new ArrayList<>(), regPred = new ArrayList<>(), iouPred = new ArrayList<>();

    /** What one stage computed for its RoIs. */
    public record StageOutput(Tensor rois, Var cls, Var reg, Var iou, Var boxes) {}

    /**
     * The refined predictions.
     *
     * @param boxes  [B, N, 7] the last stage's boxes, decoded from the RoI frame, in the LiDAR frame
     * @param cls    [B, N, 1] class logits, the mean over stages
     * @param labels int32 [B, N] the RoIs' labels
     * @param iou    [B, N, 1] predicted IoU (mean over stages), or null without the IoU branch
     * @param stages every stage's output, first to last
     */
    public record Refined(Var boxes, Var cls, Tensor labels, Var iou, List<StageOutput> stages) {}

    /**
     * @param backboneChannels per stream name, per source layer, the voxel feature channels (backbone_channels)
     * @param voxelSize        (vx, vy, vz) of the input voxel grid
     * @param pointCloudRange  (x0, y0, z0, x1, y1, z1)
     */
    public RoiHead(RoiHeadConfig cfg, int numClass, Map<String, Map<String, Integer>> backboneChannels, double[] voxelSize, double[] pointCloudRange,
                   Generator g) {
        String op = "RoiHead";
        if (numClass < 1) throw new IllegalArgumentException(op + ": num_class must be >= 1, got " + numClass);
        if (!cfg.classAgnostic() && numClass > 1)
            throw new IllegalArgumentException(op + ": CLASS_AGNOSTIC False with " + numClass + " classes is not supported (the reference's RoI losses assume one"
                    + " class-agnostic output)");
        if (voxelSize.length != 3 || pointCloudRange.length != 6)
            throw new IllegalArgumentException(op + ": voxel size needs 3 values and point cloud range 6, got " + voxelSize.length + " and " + pointCloudRange.length);
        this.cfg = cfg;
        this.numClass = numClass;
        this.voxelSize = voxelSize.clone();
        this.pointCloudRange = pointCloudRange.clone();
        this.targetLayer = new ProposalTargetLayer(cfg.targetConfig());
        int stages = cfg.stages().count(), nStreams = cfg.streams().size();
        int shared = cfg.sharedFc().get(cfg.sharedFc().size() - 1);
        int perStream = cfg.crossStageAttention().enabled() ? 2 * shared : shared;
        for (int k = 0; k < stages; k++) {
            transforms.add(SceneTransforms.byName(cfg.stages().transform(k)));
            List<ModuleList<NeighborVoxelSAModuleMSG>> pools = new ArrayList<>();
            List<Sequential> fcs = new ArrayList<>();
            List<MultiheadAttention> atts = new ArrayList<>();
            for (int s = 0; s < nStreams; s++) {
                RoiHeadConfig.StreamConfig sc = cfg.streams().get(s);
                Map<String, Integer> channels = backboneChannels.get(sc.name());
                if (channels == null)
                    throw new IllegalArgumentException(op + ": no backbone channels for stream '" + sc.name() + "' (have " + backboneChannels.keySet() + ")");
                ModuleList<NeighborVoxelSAModuleMSG> layers = registerModule(name("roi_grid_pool_layers", s, k), new ModuleList<>());
                int cOut = 0;
                for (String src : sc.featuresSource()) {
                    Integer cin = channels.get(src);
                    if (cin == null)
                        throw new IllegalArgumentException(op + ": stream '" + sc.name() + "': no backbone channels for source '" + src + "' (have " + channels.keySet() + ")");
                    RoiHeadConfig.PoolLayerConfig pl = sc.poolLayers().get(src);
                    int scales = pl.mlps().size();
                    int[][] mlps = new int[scales][], ranges = new int[scales][];
                    double[] radii = new double[scales];
                    int[] ns = new int[scales];
                    for (int i = 0; i < scales; i++) {
                        List<Integer> m = pl.mlps().get(i);
                        if (m.size() != 2)
                            throw new IllegalArgumentException(op + ": stream '" + sc.name() + "' source '" + src + "': MLPS entries must be [C_mid, C_out], got " + m);
                        mlps[i] = new int[] {cin, m.get(0), m.get(1)};
                        ranges[i] = pl.queryRanges().get(i).stream().mapToInt(Integer::intValue).toArray();
                        radii[i] = pl.poolRadius().get(i);
                        ns[i] = pl.nsample().get(i);
                        cOut += m.get(1);
                    }
                    layers.add(new NeighborVoxelSAModuleMSG(ranges, radii, ns, mlps, pl.poolMethod(), g));
                }
                pools.add(layers);
                int g3 = sc.gridSize() * sc.gridSize() * sc.gridSize();
                fcs.add(registerModule(name("shared_fc_layer", s, k), fcLayers(g3 * cOut, cfg.sharedFc(), cfg.dpRatio(), g)));
                if (cfg.crossStageAttention().enabled())
                    atts.add(registerModule(name("cross_stage_attention", s, k), new MultiheadAttention(shared, cfg.crossStageAttention().heads(), g)));
            }
            poolLayers.add(pools);
            sharedFc.add(fcs);
            attention.add(atts);
            int in = perStream * nStreams;
            int outCls = cfg.classAgnostic() ? 1 : numClass;
            Sequential cf = registerModule(name("cls_fc_layers", 0, k), fcLayers(in, cfg.clsFc(), cfg.dpRatio(), g));
            clsFc.add(cf);
            clsPred.add(registerModule(name("cls_pred_layer", 0, k), new Linear(last(in, cfg.clsFc()), outCls, true, g)));
            regFc.add(registerModule(name("reg_fc_layers", 0, k), fcLayers(in, cfg.regFc(), cfg.dpRatio(), g)));
            regPred.add(registerModule(name("reg_pred_layer", 0, k), new Linear(last(in, cfg.regFc()), 7 * outCls, true, g)));
            if (cfg.iouBranch()) {
                iouFc.add(registerModule(name("iou_fc_layers", 0, k), fcLayers(in, cfg.clsFc(), cfg.dpRatio(), g)));
                iouPred.add(registerModule(name("iou_pred_layer", 0, k), new Linear(last(in, cfg.clsFc()), 1, true, g)));
            }
        }
        initWeights(g);
    }

    public RoiHeadConfig config() { return cfg; }

    public int numClass() { return numClass; }

    public ProposalTargetLayer targetLayer() { return targetLayer; }

    /** The module name of a per-stream, per-stage part: the first stream and stage 0 keep the reference's name. */
    private String name(String base, int stream, int stage) {
        String n = stream == 0 ? base : cfg.streams().get(stream).name() + "_" + base;
        return stage == 0 ? n : n + "_stage" + stage;
    }

    private static int last(int in, List<Integer> widths) { return widths.isEmpty() ? in : widths.get(widths.size() - 1); }

    /** Linear (no bias) + BN + ReLU per width, dropout between them (not after the last), as VoxelRCNNHead. */
    private static Sequential fcLayers(int in, List<Integer> widths, double dp, Generator g) {
        List<Layer> layers = new ArrayList<>();
        int pre = in;
        for (int k = 0; k < widths.size(); k++) {
            layers.add(new Linear(pre, widths.get(k), false, g));
            layers.add(new BatchNorm1d(widths.get(k)));
            layers.add(new ReLU());
            pre = widths.get(k);
            if (k != widths.size() - 1 && dp > 0) layers.add(new Dropout(dp, g));
        }
        return new Sequential(layers);
    }

    /** VoxelRCNNHead.init_weights: xavier_normal for the FC stacks, N(0, 0.01) class and IoU outputs, N(0, 0.001) box output, zero biases. */
    private void initWeights(Generator g) {
        try (GradMode.Scope _ = GradMode.noGrad()) {
            List<Sequential> stacks = new ArrayList<>();
            sharedFc.forEach(stacks::addAll);
            stacks.addAll(clsFc);
            stacks.addAll(regFc);
            stacks.addAll(iouFc);
            for (Sequential s : stacks)
                for (Layer l : s.layers())
                    if (l instanceof Linear lin) {
                        lin.weight().data().copy_(Init.xavierNormal(g, 1.0, lin.weight().shape()));
                        if (lin.bias() != null) lin.bias().data().zero_();
                    }
            for (Linear l : clsPred) normal(l, 0.01, g);
            for (Linear l : iouPred) normal(l, 0.01, g);
            for (Linear l : regPred) normal(l, 0.001, g);
        }
    }

    private static void normal(Linear l, double std, Generator g) {
        l.weight().data().copy_(g.normal(0, std, l.weight().shape()));
        l.bias().data().zero_();
    }

    /**
     * Training forward: per stage, targets sampled from the stage's RoIs, the stage's predictions and its losses
     * (rcnn_loss_cls, rcnn_loss_reg, rcnn_loss_corner, and rcnn_loss_iou with the IoU branch; with more than one
     * stage each name ends in {@code _stage<k>}). rcnn_loss_corner is 0 when a stage has no foreground RoI, so the
     * term names stay the same every step.
     *
     * @param gtBoxes [B, M, 8] GT (x, y, z, dx, dy, dz, heading, class id), zero rows padded
     * @param streams stream name (or "stream@transform") -> source layer -> voxel set
     * @param gen     draws the RoI sampling
     */
    public LossTerms losses(Rois rois, Tensor gtBoxes, Map<String, Map<String, RoiGridPool.VoxelSet>> streams, Generator gen) {
        LossTerms terms = new LossTerms();
        RoiHeadConfig.LossWeights w = cfg.lossConfig().lossWeights();
        int stages = cfg.stages().count();
        List<List<Var>> history = new ArrayList<>();
        Rois current = rois;
        for (int k = 0; k < stages; k++) {
            ProposalTargetLayer.Targets t = targetLayer.assign(current, gtBoxes, gen);
            StageOutput out = stage(k, t.rois(), streams, history);
            String suffix = stages > 1 ? "_stage" + k : "";
            terms.add("rcnn_loss_cls" + suffix, RoiLosses.clsLoss(out.cls(), t.clsLabels(), w.rcnnClsWeight()));
            terms.add("rcnn_loss_reg" + suffix, RoiLosses.regLoss(out.reg(), t.rois(), t.gtCanonical(), t.regValidMask(), w.codeWeights(), w.rcnnRegWeight()));
            if (cfg.lossConfig().cornerLossRegularization()) {
                Var corner = RoiLosses.cornerLoss(out.reg(), t.rois(), t.gtOfRois(), t.regValidMask(), w.rcnnCornerWeight());
                terms.add("rcnn_loss_corner" + suffix, corner != null ? corner : Var.of(Tensor.scalar(0.0, out.reg().dtype())));
            }
            if (cfg.iouBranch())
                terms.add("rcnn_loss_iou" + suffix, RoiLosses.iouLoss(out.iou(), t.ious(), cfg.lossConfig().iouValidThresh(), w.rcnnIouWeight()));
            if (k + 1 < stages) {
                int b = t.batchSize(), r = t.perFrame();
                current = new Rois(out.boxes().data().reshape(b, r, 7).contiguous(), t.roiScores(), t.roiLabels());
            }
        }
        return terms;
    }

    /**
     * Inference forward: every stage in turn, each refining the previous stage's boxes.
     *
     * @param streams stream name (or "stream@transform") -> source layer -> voxel set
     */
    public Refined refine(Rois rois, Map<String, Map<String, RoiGridPool.VoxelSet>> streams) {
        int b = rois.batchSize(), n = rois.perFrame(), stages = cfg.stages().count();
        List<List<Var>> history = new ArrayList<>();
        List<StageOutput> outs = new ArrayList<>();
        Tensor current = rois.boxes().narrow(2, 0, 7).contiguous();
        Var clsSum = null, iouSum = null;
        for (int k = 0; k < stages; k++) {
            StageOutput out = stage(k, current, streams, history);
            outs.add(out);
            clsSum = clsSum == null ? out.cls() : clsSum.add(out.cls());
            if (out.iou() != null) iouSum = iouSum == null ? out.iou() : iouSum.add(out.iou());
            current = out.boxes().data().reshape(b, n, 7).contiguous();
        }
        Var boxes = outs.get(stages - 1).boxes().reshape(b, n, 7);
        Var cls = clsSum.mul(1.0 / stages);
        Var iou = iouSum == null ? null : iouSum.mul(1.0 / stages).reshape(b, n, 1);
        return new Refined(boxes, cls.reshape(b, n, cls.size(1)), rois.labels(), iou, List.copyOf(outs));
    }

    /**
     * One stage on RoIs [B, R, 7] of the original scene: pooling under the stage's transform, predictions, and the
     * decoded boxes mapped back to the original scene ([B·R, 7]). {@code history} holds each stream's shared features
     * of the earlier stages and gains this stage's.
     */
    public StageOutput stage(int k, Tensor rois, Map<String, Map<String, RoiGridPool.VoxelSet>> streams, List<List<Var>> history) {
        if (rois.dim() != 3 || rois.size(2) < 7)
            throw new IllegalArgumentException("RoiHead: rois must be [B, R, 7], got " + Shape.str(rois.shape()));
        int b = rois.size(0), r = rois.size(1);
        SceneTransform tf = transforms.get(k);
        Tensor roisT = tf.boxes(rois.narrow(2, 0, 7).contiguous());
        List<Var> perStream = new ArrayList<>();
        List<Var> shared = new ArrayList<>();
        for (int s = 0; s < cfg.streams().size(); s++) {
            RoiHeadConfig.StreamConfig sc = cfg.streams().get(s);
            List<RoiGridPool.VoxelSet> sources = sources(sc, tf, streams);
            Var pooled = RoiGridPool.pool(roisT, sc.gridSize(), voxelSize, pointCloudRange, sources, poolLayers.get(k).get(s).asList());
            Var f = sharedFc.get(k).get(s).apply(pooled.reshape(b * r, pooled.size(1) * pooled.size(2)));
            shared.add(f);
            if (cfg.crossStageAttention().enabled()) {
                List<Var> keys = new ArrayList<>();
                for (int j = 0; j < history.size(); j++) keys.add(history.get(j).get(s));
                keys.add(f);
                Var kv = Var.stack(0, keys.toArray(new Var[0])).add(stageEmbedding(keys.size(), f.size(1), f.dtype())); // [S, BR, D]
                Var att = attention.get(k).get(s).forward(f.unsqueeze(0), kv, kv, null, false, null, true).output().squeeze(0);
                f = Var.cat(1, f, att);
            }
            perStream.add(f);
        }
        history.add(shared);
        Var feat = perStream.size() == 1 ? perStream.get(0) : Var.cat(1, perStream);
        Var cls = clsPred.get(k).apply(clsFc.get(k).apply(feat));
        Var reg = regPred.get(k).apply(regFc.get(k).apply(feat));
        Var iou = cfg.iouBranch() ? iouPred.get(k).apply(iouFc.get(k).apply(feat)) : null;
        Var boxes = tf.undoBoxes(RoiLosses.decode(reg, roisT.reshape(b * r, 7)));
        return new StageOutput(rois, cls, reg, iou, boxes);
    }

    /** Each source's voxel set of a stream, in the stage's transformed scene. */
    private List<RoiGridPool.VoxelSet> sources(RoiHeadConfig.StreamConfig sc, SceneTransform tf, Map<String, Map<String, RoiGridPool.VoxelSet>> streams) {
        Map<String, RoiGridPool.VoxelSet> pre = tf.name().equals(SceneTransforms.IDENTITY) ? null : streams.get(sc.name() + "@" + tf.name());
        Map<String, RoiGridPool.VoxelSet> plain = pre != null ? pre : streams.get(sc.name());
        if (plain == null)
            throw new IllegalArgumentException("RoiHead: no voxel sets for stream '" + sc.name() + "' (have " + streams.keySet() + ")");
        List<RoiGridPool.VoxelSet> out = new ArrayList<>();
        for (String src : sc.featuresSource()) {
            RoiGridPool.VoxelSet v = plain.get(src);
            if (v == null)
                throw new IllegalArgumentException("RoiHead: stream '" + sc.name() + "' has no voxel set for source '" + src + "' (have " + plain.keySet() + ")");
            out.add(pre != null ? v : tf.voxels(v, voxelSize, pointCloudRange));
        }
        return out;
    }

    /** Fixed sinusoidal embeddings of stage indices 0..s-1, [S, 1, D]. */
    static Tensor stageEmbedding(int s, int d, DType dt) {
        double[] e = new double[s * d];
        for (int j = 0; j < s; j++)
            for (int i = 0; i < d; i++) {
                double freq = Math.pow(10000, -(2.0 * (i / 2)) / d);
                e[j * d + i] = i % 2 == 0 ? Math.sin(j * freq) : Math.cos(j * freq);
            }
        Tensor t = Tensor.of(e, s, 1, d);
        return dt == DType.FLOAT64 ? t : t.to(dt);
    }
}
