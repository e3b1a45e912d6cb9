package fuse3d.models.dense;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.models.detect.LossTerms;
import fuse3d.nn.Conv2d;
import fuse3d.nn.Module;
import fuse3d.nn.loss.CrossEntropyLoss;
import fuse3d.nn.loss.Reduction;
import fuse3d.nn.loss.SigmoidFocalLoss;
import fuse3d.nn.loss.SmoothL1Loss;
import fuse3d.sparse.box.AnchorGenerator;
import fuse3d.sparse.box.ResidualCoder;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenPCDet's AnchorHeadSingle with AnchorHeadTemplate's targets, losses and box decoding: 1x1 convs predict per
 * BEV location and anchor the class logits, the ResidualCoder box codes and the direction-bin logits.
 *
 * <p>Anchor order is OpenPCDet's: location (y, x), then class, size, rotation; it is the order of the channels of
 * each conv, of the anchors and of the targets. Losses follow anchor_head_template.py: sigmoid focal loss (alpha
 * 0.25, gamma 2) on one-hot targets without the background column, weighted 1/positives for positive and
 * negative anchors and 0 for ignored ones; weighted smooth-L1 (beta 1/9) on code-weighted differences with the
 * heading compared as sin(a - b); softmax cross-entropy on direction bins; each summed, divided by the batch size
 * and scaled by its LOSS_WEIGHTS entry. The regression and direction weights are recomputed from the labels
 * (1/positives per frame) as OpenPCDet does, not taken from the assigner's reg_weights.
 */
public final class AnchorHeadSingle extends Module {
    private static final double FOCAL_ALPHA = 0.25, FOCAL_GAMMA = 2.0, SMOOTH_L1_BETA = 1.0 / 9.0, PRIOR = 0.01;

    private final AnchorHeadConfig cfg;
    private final int inputChannels, numClass, anchorsPerLocation, mapX, mapY;
    private final List<Tensor> anchorsPerClass;
    private final Tensor anchors; // [A, 7], the head's order
    private final AxisAlignedTargetAssigner assigner;
    private final ResidualCoder coder = new ResidualCoder();
    private final Conv2d convCls, convBox, convDirCls;

    /**
     * @param classNames      the dataset's class names in class-id order
     * @param gridSize        the voxel grid {nx, ny, nz}; the head's map is {nx, ny} / feature_map_stride
     * @param pointCloudRange [x0, y0, z0, x1, y1, z1], the anchor range
     */
    public AnchorHeadSingle(AnchorHeadConfig cfg, int inputChannels, List<String> classNames, int[] gridSize, double[] pointCloudRange, Generator g) {
        if (gridSize == null || gridSize.length < 2)
            throw new IllegalArgumentException("AnchorHeadSingle: grid_size must be {nx, ny[, nz]}, got " + (gridSize == null ? "null" : Shape.str(gridSize)));
        this.cfg = cfg;
        this.inputChannels = inputChannels;
        this.numClass = cfg.classAgnostic() ? 1 : classNames.size();
        this.anchorsPerLocation = cfg.anchorsPerLocation();
        int stride = cfg.anchorGeneratorConfig().get(0).featureMapStride();
        this.mapX = gridSize[0] / stride;
        this.mapY = gridSize[1] / stride;
        List<AnchorGenerator.Config> gen = new ArrayList<>();
        List<int[]> sizes = new ArrayList<>();
        for (AnchorClassConfig c : cfg.anchorGeneratorConfig()) {
            gen.add(c.toGenerator());
            sizes.add(new int[] {mapX, mapY});
        }
        this.anchorsPerClass = List.copyOf(new AnchorGenerator(pointCloudRange, gen).generate(sizes));
        Tensor all = Tensor.cat(3, anchorsPerClass.toArray(new Tensor[0])); // classes side by side in the size dim
        if (all.size(0) != 1 || all.size(1) != mapY || all.size(2) != mapX)
            throw new IllegalArgumentException("AnchorHeadSingle: anchors lie on " + Shape.str(all.shape()) + ", expected one height level on the "
                    + mapY + " x " + mapX + " map");
        this.anchors = all.reshape(-1, 7).contiguous();
        this.assigner = new AxisAlignedTargetAssigner(cfg.anchorGeneratorConfig(), classNames, cfg.targetAssignerConfig());
        convCls = registerModule("conv_cls", new Conv2d(inputChannels, anchorsPerLocation * numClass, 1, 1, 0, true, g));
        convBox = registerModule("conv_box", new Conv2d(inputChannels, anchorsPerLocation * coder.codeSize(), 1, 1, 0, true, g));
        convDirCls = cfg.useDirectionClassifier()
                ? registerModule("conv_dir_cls", new Conv2d(inputChannels, anchorsPerLocation * cfg.numDirBins(), 1, 1, 0, true, g)) : null;
        // focal-loss prior: every anchor starts at probability 0.01; conv_box's bias keeps PyTorch's default as in OpenPCDet
        convCls.bias().data().fill_(-Math.log((1 - PRIOR) / PRIOR));
        convBox.weight().data().copy_(g.normal(0, 0.001, convBox.weight().shape()));
    }

    public AnchorHeadConfig config() { return cfg; }

    /** Classes scored: 1 when class-agnostic, else the number of class names. */
    public int numClass() { return numClass; }

    /** Anchors per BEV location over all classes. */
    public int anchorsPerLocation() { return anchorsPerLocation; }

    /** All anchors [H * W * anchorsPerLocation, 7] in the head's order. */
    public Tensor anchors() { return anchors; }

    /** The anchors of each class [1, ny, nx, nSize, nRot, 7]. */
    public List<Tensor> anchorsPerClass() { return anchorsPerClass; }

    /** The feature map {W = nx, H = ny} the anchors lie on. */
    public int[] mapSize() { return new int[] {mapX, mapY}; }

    /** spatial_features_2d [B, C, ny, nx] to the three prediction maps, channels last. */
    public AnchorHeadOutput forward(Var spatialFeatures2d) {
        int[] s = spatialFeatures2d.shape();
        if (s.length != 4 || s[1] != inputChannels || s[2] != mapY || s[3] != mapX)
            throw new IllegalArgumentException("AnchorHeadSingle: spatial_features_2d must be [B, " + inputChannels + ", " + mapY + ", " + mapX
                    + "] (the anchors' map), got " + Shape.str(s));
        Var cls = convCls.apply(spatialFeatures2d).permute(0, 2, 3, 1).contiguous();
        Var box = convBox.apply(spatialFeatures2d).permute(0, 2, 3, 1).contiguous();
        Var dir = convDirCls == null ? null : convDirCls.apply(spatialFeatures2d).permute(0, 2, 3, 1).contiguous();
        return new AnchorHeadOutput(cls, box, dir);
    }

    /** Training targets for gt_boxes [B, M, 8] (see {@link AxisAlignedTargetAssigner}). */
    public AnchorTargets assignTargets(Tensor gtBoxes, Generator g) { return assigner.assign(anchorsPerClass, gtBoxes, g); }

    /** Targets, then {@link #loss(AnchorHeadOutput, AnchorTargets)}. */
    public LossTerms loss(AnchorHeadOutput out, Tensor gtBoxes, Generator g) { return loss(out, assignTargets(gtBoxes, g)); }

    /** rpn_loss_cls, rpn_loss_loc and (with a direction classifier) rpn_loss_dir, each already scaled by its weight. */
    public LossTerms loss(AnchorHeadOutput out, AnchorTargets targets) {
        int b = out.clsPreds().size(0), n = anchors.size(0);
        checkMap("cls_preds", out.clsPreds(), b, numClass);
        checkMap("box_preds", out.boxPreds(), b, 7);
        if (targets.batchSize() != b || targets.numAnchors() != n)
            throw new IllegalArgumentException("AnchorHeadSingle.loss: targets for " + targets.batchSize() + " frames x " + targets.numAnchors()
                    + " anchors, predictions for " + b + " x " + n);
        DType dt = out.clsPreds().dtype();
        LossWeights w = cfg.lossConfig().lossWeights();
        int[] labels = targets.boxClsLabels().contiguous().toIntArray();
        // per-frame positive counts, clamped to 1, normalise every term
        double[] posNorm = new double[b];
        for (int i = 0; i < b; i++) {
            int p = 0;
            for (int a = 0; a < n; a++) if (labels[i * n + a] > 0) p++;
            posNorm[i] = Math.max(p, 1);
        }
        double[] clsW = new double[b * n], regW = new double[b * n], oneHot = new double[b * n * numClass];
        for (int i = 0; i < b; i++)
            for (int a = 0; a < n; a++) {
                int idx = i * n + a, l = labels[idx];
                if (l >= 0) clsW[idx] = 1 / posNorm[i];
                if (l > 0) {
                    regW[idx] = 1 / posNorm[i];
                    int c = numClass == 1 ? 1 : l;
                    if (c > numClass)
                        throw new IllegalArgumentException("AnchorHeadSingle.loss: label " + l + " at frame " + i + ", anchor " + a + " for " + numClass + " classes");
                    oneHot[idx * numClass + c - 1] = 1;
                }
            }
        LossTerms terms = new LossTerms();

        Var cls = out.clsPreds().reshape(b, n, numClass);
        Var focal = SigmoidFocalLoss.sigmoidFocalLoss(cls, Tensor.of(oneHot, b, n, numClass).to(dt), FOCAL_ALPHA, FOCAL_GAMMA, Reduction.NONE);
        Var clsLoss = focal.mul(Tensor.of(clsW, b, n, 1).to(dt)).sum().div(b).mul(w.clsWeight());
        terms.add("rpn_loss_cls", clsLoss);

        Var box = out.boxPreds().reshape(b, n, 7);
        Tensor tgt = targets.boxRegTargets().to(dt);
        Var p6 = box.narrow(2, 6, 1);
        Tensor t6 = tgt.narrow(2, 6, 1);
        // add_sin_difference: sin(p - t) = sin p cos t - cos p sin t, split between the two sides
        Var input = Var.cat(2, box.narrow(2, 0, 6), p6.sin().mul(t6.cos()));
        Var target = Var.cat(2, Var.of(tgt.narrow(2, 0, 6)), p6.cos().mul(t6.sin()));
        Tensor codeW = Tensor.of(w.codeWeights(), 7).to(dt);
        Var sl1 = SmoothL1Loss.smoothL1Loss(input.mul(codeW), target.mul(codeW), Reduction.NONE, SMOOTH_L1_BETA);
        Tensor regWt = Tensor.of(regW, b, n, 1).to(dt);
        terms.add("rpn_loss_loc", sl1.mul(regWt).sum().div(b).mul(w.locWeight()));

        if (cfg.useDirectionClassifier()) {
            if (out.dirClsPreds() == null) throw new IllegalArgumentException("AnchorHeadSingle.loss: the config has a direction classifier but dir_cls_preds is null");
            checkMap("dir_cls_preds", out.dirClsPreds(), b, cfg.numDirBins());
            long[] dirTargets = directionTargets(targets.boxRegTargets(), anchors, cfg.dirOffset(), cfg.numDirBins());
            Var logits = out.dirClsPreds().reshape(b * n, cfg.numDirBins());
            Var ce = CrossEntropyLoss.crossEntropy(logits, Tensor.ofLongs(dirTargets, b * n), null, -100, Reduction.NONE, 0.0);
            terms.add("rpn_loss_dir", ce.mul(regWt.reshape(b * n)).sum().div(b).mul(w.dirWeight()));
        }
        return terms;
    }

    /**
     * get_direction_target: the bin of each anchor's target heading {@code reg_target[6] + anchor[6]} after
     * {@code limit_period(rot - dirOffset, 0, 2 pi)}, in float32 arithmetic as the reference, clamped to the bins.
     *
     * @param regTargets [B, A, 7]
     * @param anchors    [A, 7]
     * @return [B * A] bin indices
     */
    public static long[] directionTargets(Tensor regTargets, Tensor anchors, double dirOffset, int numBins) {
        if (regTargets.dim() != 3 || regTargets.size(2) < 7 || anchors.dim() != 2 || anchors.size(0) != regTargets.size(1))
            throw new IllegalArgumentException("directionTargets: reg targets [B, A, 7] and anchors [A, 7] expected, got " + Shape.str(regTargets.shape())
                    + " and " + Shape.str(anchors.shape()));
        int b = regTargets.size(0), n = regTargets.size(1), c = regTargets.size(2), ca = anchors.size(1);
        float[] t = regTargets.contiguous().to(DType.FLOAT32).toFloatArray(), a = anchors.contiguous().to(DType.FLOAT32).toFloatArray();
        float twoPi = (float) (2 * Math.PI), binWidth = (float) (2 * Math.PI / numBins), off = (float) dirOffset;
        long[] out = new long[b * n];
        for (int i = 0; i < b; i++)
            for (int k = 0; k < n; k++) {
                float rot = t[(i * n + k) * c + 6] + a[k * ca + 6];
                float v = rot - off;
                float limited = v - (float) Math.floor(v / twoPi) * twoPi;
                long bin = (long) Math.floor(limited / binWidth);
                out[i * n + k] = Math.min(Math.max(bin, 0), numBins - 1);
            }
        return out;
    }

    /**
     * generate_predicted_boxes: class logits [B, A, C] and decoded boxes [B, A, 7], the heading moved into the
     * predicted direction bin ({@code limit_period(h - dirOffset, dirLimitOffset, 2 pi / bins) + dirOffset + bin *
     * period}); no graph is recorded.
     */
    public PredictedBoxes generatePredictedBoxes(AnchorHeadOutput out) {
        int b = out.clsPreds().size(0), n = anchors.size(0);
        checkMap("cls_preds", out.clsPreds(), b, numClass);
        checkMap("box_preds", out.boxPreds(), b, 7);
        try (GradMode.Scope _ = GradMode.noGrad()) {
            Tensor cls = out.clsPreds().data().reshape(b, n, numClass).to(DType.FLOAT32).contiguous();
            Tensor codes = out.boxPreds().data().reshape(b, n, 7).to(DType.FLOAT32);
            Tensor boxes = coder.decode(codes, anchors.unsqueeze(0).expand(b, n, 7)).contiguous();
            if (out.dirClsPreds() != null && cfg.useDirectionClassifier()) {
                checkMap("dir_cls_preds", out.dirClsPreds(), b, cfg.numDirBins());
                int bins = cfg.numDirBins();
                float[] dir = out.dirClsPreds().data().reshape(b * n, bins).to(DType.FLOAT32).contiguous().toFloatArray();
                float[] bx = boxes.toFloatArray();
                float period = (float) (2 * Math.PI / bins), off = (float) cfg.dirOffset(), limitOff = (float) cfg.dirLimitOffset();
                for (int i = 0; i < b * n; i++) {
                    int label = 0;
                    for (int k = 1; k < bins; k++) if (dir[i * bins + k] > dir[i * bins + label]) label = k;
                    float v = bx[i * 7 + 6] - off;
                    float rot = v - (float) Math.floor(v / period + limitOff) * period;
                    bx[i * 7 + 6] = rot + off + period * label;
                }
                boxes = Tensor.ofFloats(bx, b, n, 7);
            }
            return new PredictedBoxes(cls, boxes);
        }
    }

    private void checkMap(String what, Var v, int b, int perAnchor) {
        int[] s = v.shape();
        if (s.length != 4 || s[0] != b || s[1] != mapY || s[2] != mapX || s[3] != anchorsPerLocation * perAnchor)
            throw new IllegalArgumentException("AnchorHeadSingle: " + what + " must be [" + b + ", " + mapY + ", " + mapX + ", "
                    + anchorsPerLocation * perAnchor + "], got " + Shape.str(s));
    }
}
