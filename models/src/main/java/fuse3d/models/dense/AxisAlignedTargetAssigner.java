package fuse3d.models.dense;

import fuse3d.sparse.box.ResidualCoder;
import fuse3d.sparse.box.RotatedIoU;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * OpenPCDet's AxisAlignedTargetAssigner: labels each anchor of each class against that frame's ground-truth boxes
 * of the same class, and encodes the regression targets of the positives with the {@link ResidualCoder}.
 *
 * <p>Per class and frame, with IoU the nearest-BEV IoU (or 3D IoU with MATCH_HEIGHT): an anchor whose best IoU
 * reaches matched_threshold is positive with its best box's class; the anchor(s) with each box's highest non-zero
 * IoU are positive too, ties included, labelled by their own best box; an anchor whose best IoU is below
 * unmatched_threshold is background (0); the rest are ignored (-1). With POS_FRACTION >= 0 the positives are
 * capped at POS_FRACTION * SAMPLE_SIZE and SAMPLE_SIZE minus the positives background anchors are drawn with
 * replacement from the background candidates; as in OpenPCDet (and SECOND) background is then only enabled when
 * there are more candidates than the quota. One deliberate difference: the positives dropped by the cap are drawn
 * among the positives, as SECOND does; OpenPCDet indexes the label array with positions into the positive list.
 * Rows of {@code gt_boxes} that are all zero are padding and ignored wherever they are.
 */
public final class AxisAlignedTargetAssigner {
    private final List<AnchorClassConfig> classes;
    private final List<String> classNames;
    private final TargetAssignerConfig cfg;
    private final ResidualCoder coder = new ResidualCoder();

    /**
     * @param classNames the dataset's class names, in class-id order (id 1 is the first); each anchor class must
     *                   be one of them
     */
    public AxisAlignedTargetAssigner(List<AnchorClassConfig> anchorClasses, List<String> classNames, TargetAssignerConfig cfg) {
        this.classes = List.copyOf(anchorClasses);
        this.classNames = List.copyOf(classNames);
        this.cfg = cfg;
        for (AnchorClassConfig c : classes)
            if (!this.classNames.contains(c.className()))
                throw new IllegalArgumentException("AxisAlignedTargetAssigner: anchor class " + c.className() + " is not among CLASS_NAMES " + classNames);
    }

    /**
     * Targets for a batch.
     *
     * @param anchorsPerClass per anchor class its anchors [nz, ny, nx, nSize, nRot, 7], as {@code AnchorGenerator}
     *                        makes them; all classes on one map
     * @param gtBoxes         [B, M, 8]: x, y, z, dx, dy, dz, heading, class id (1-based); all-zero rows are padding
     * @param g               draws the subsampling (unused when POS_FRACTION < 0)
     */
    public AnchorTargets assign(List<Tensor> anchorsPerClass, Tensor gtBoxes, Generator g) {
        if (anchorsPerClass.size() != classes.size())
            throw new IllegalArgumentException("AxisAlignedTargetAssigner: " + anchorsPerClass.size() + " anchor tensors for " + classes.size() + " anchor classes");
        if (gtBoxes.dim() != 3 || gtBoxes.size(2) != 8)
            throw new IllegalArgumentException("AxisAlignedTargetAssigner: gt_boxes must be [B, M, 8], got " + Shape.str(gtBoxes.shape()));
        int[] mapShape = null;
        int[] perLoc = new int[classes.size()];
        float[][] anchors = new float[classes.size()][];
        for (int c = 0; c < classes.size(); c++) {
            Tensor a = anchorsPerClass.get(c);
            if (a.dim() != 6 || a.size(5) != 7)
                throw new IllegalArgumentException("AxisAlignedTargetAssigner: anchors of " + classes.get(c).className()
                        + " must be [nz, ny, nx, nSize, nRot, 7], got " + Shape.str(a.shape()));
            int[] m = {a.size(0), a.size(1), a.size(2)};
            if (mapShape == null) mapShape = m;
            else if (!Arrays.equals(mapShape, m))
                throw new IllegalArgumentException("AxisAlignedTargetAssigner: anchors of " + classes.get(c).className() + " lie on map "
                        + Shape.str(m) + " but the first class's on " + Shape.str(mapShape));
            perLoc[c] = a.size(3) * a.size(4);
            anchors[c] = a.contiguous().to(DType.FLOAT32).toFloatArray();
        }
        int locations = mapShape[0] * mapShape[1] * mapShape[2];
        int k = 0;
        for (int p : perLoc) k += p;
        int total = locations * k, batch = gtBoxes.size(0), m = gtBoxes.size(1);
        int[] labelsOut = new int[batch * total];
        float[] targetsOut = new float[batch * total * 7];
        float[] weightsOut = new float[batch * total];
        double[] gtAll = gtBoxes.contiguous().toDoubleArray();
        float[] gtF = gtBoxes.contiguous().to(DType.FLOAT32).toFloatArray();
        for (int b = 0; b < batch; b++) {
            int offset = 0;
            for (int c = 0; c < classes.size(); c++) {
                AnchorClassConfig cc = classes.get(c);
                int classId = classNames.indexOf(cc.className()) + 1;
                IntArrayList rows = new IntArrayList();
                for (int j = 0; j < m; j++) {
                    int base = (b * m + j) * 8;
                    boolean padding = true;
                    for (int d = 0; d < 8; d++) padding &= gtAll[base + d] == 0;
                    if (padding) continue;
                    double cls = gtAll[base + 7];
                    if (cls != Math.rint(cls) || cls < 1 || cls > classNames.size())
                        throw new IllegalArgumentException("AxisAlignedTargetAssigner: gt_boxes[" + b + ", " + j + "] has class id " + cls + "; expected 1.."
                                + classNames.size() + " (" + classNames + ")");
                    if ((int) cls == classId) rows.add(j);
                }
                float[] gt = new float[rows.size() * 7];
                for (int r = 0; r < rows.size(); r++) System.arraycopy(gtF, (b * m + rows.getInt(r)) * 8, gt, r * 7, 7);
                int n = anchors[c].length / 7;
                Single s = assignSingle(anchors[c], n, gt, rows.size(), classId, cc.matchedThreshold(), cc.unmatchedThreshold(), g);
                // class-local anchor i = location * perLoc + j sits at location * k + offset + j in the head's order
                for (int i = 0; i < n; i++) {
                    int loc = i / perLoc[c], j = i % perLoc[c];
                    int dst = b * total + loc * k + offset + j;
                    labelsOut[dst] = s.labels[i];
                    weightsOut[dst] = s.regWeights[i];
                    System.arraycopy(s.targets, i * 7, targetsOut, dst * 7, 7);
                }
                offset += perLoc[c];
            }
        }
        return new AnchorTargets(Tensor.ofInts(labelsOut, batch, total), Tensor.ofFloats(targetsOut, batch, total, 7),
                Tensor.ofFloats(weightsOut, batch, total));
    }

    private record Single(int[] labels, float[] targets, float[] regWeights) {}

    /** assign_targets_single: one class's anchors [n, 7] against its boxes [numGt, 7], all labelled classId. */
    private Single assignSingle(float[] anchors, int n, float[] gt, int numGt, int classId, double matched, double unmatched, Generator g) {
        int[] labels = new int[n];
        Arrays.fill(labels, -1);
        int[] anchorToGt = new int[n];
        IntArrayList bg = new IntArrayList(), forced = new IntArrayList();
        if (numGt > 0 && n > 0) {
            Tensor ta = Tensor.ofFloats(anchors, n, 7), tg = Tensor.ofFloats(gt, numGt, 7);
            double[] iou = (cfg.matchHeight() ? RotatedIoU.iou3d(ta, tg) : RotatedIoU.nearestBevIou(ta, tg)).toDoubleArray();
            double[] anchorMax = new double[n];
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int j = 1; j < numGt; j++) if (iou[i * numGt + j] > iou[i * numGt + best]) best = j;
                anchorToGt[i] = best;
                anchorMax[i] = iou[i * numGt + best];
            }
            double[] gtMax = new double[numGt];
            Arrays.fill(gtMax, Double.NEGATIVE_INFINITY);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < numGt; j++) gtMax[j] = Math.max(gtMax[j], iou[i * numGt + j]);
            // a box that overlaps no anchor forces none (OpenPCDet sets its max to -1, which no IoU equals)
            for (int j = 0; j < numGt; j++) if (gtMax[j] == 0) gtMax[j] = -1;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < numGt; j++)
                    if (iou[i * numGt + j] == gtMax[j]) {
                        forced.add(i);
                        break;
                    }
                if (anchorMax[i] >= matched) labels[i] = classId;
                if (anchorMax[i] < unmatched) bg.add(i);
            }
            for (int i : forced) labels[i] = classId;
        } else {
            for (int i = 0; i < n; i++) bg.add(i);
        }
        if (cfg.subsamples()) {
            IntArrayList fg = positives(labels);
            int numFg = (int) (cfg.posFraction() * cfg.sampleSize());
            if (fg.size() > numFg) {
                long[] perm = g.randperm(fg.size()).toLongArray();
                for (int d = 0; d < fg.size() - numFg; d++) labels[fg.getInt((int) perm[d])] = -1;
            }
            int numBg = cfg.sampleSize() - positives(labels).size();
            if (bg.size() > numBg && numBg > 0) {
                long[] pick = g.randint(0, bg.size(), numBg).toLongArray();
                for (long p : pick) labels[bg.getInt((int) p)] = 0;
            }
        } else {
            // the forced anchors may have a best IoU under unmatched_threshold: they stay positive
            for (int i : bg) if (labels[i] <= 0) labels[i] = 0;
        }
        float[] targets = new float[n * 7];
        float[] regWeights = new float[n];
        IntArrayList fg = positives(labels);
        if (numGt > 0 && !fg.isEmpty()) {
            float[] fgGt = new float[fg.size() * 7], fgAnchors = new float[fg.size() * 7];
            for (int r = 0; r < fg.size(); r++) {
                int i = fg.getInt(r);
                System.arraycopy(gt, anchorToGt[i] * 7, fgGt, r * 7, 7);
                System.arraycopy(anchors, i * 7, fgAnchors, r * 7, 7);
            }
            float[] codes = coder.encode(Tensor.ofFloats(fgGt, fg.size(), 7), Tensor.ofFloats(fgAnchors, fg.size(), 7)).toFloatArray();
            for (int r = 0; r < fg.size(); r++) System.arraycopy(codes, r * 7, targets, fg.getInt(r) * 7, 7);
        }
        float w = 1f;
        if (cfg.normByNumExamples()) {
            int cared = 0;
            for (int l : labels) if (l >= 0) cared++;
            w = 1f / Math.max(cared, 1);
        }
        for (int i : fg) regWeights[i] = w;
        return new Single(labels, targets, regWeights);
    }

    private static IntArrayList positives(int[] labels) {
        IntArrayList out = new IntArrayList();
        for (int i = 0; i < labels.length; i++) if (labels[i] > 0) out.add(i);
        return out;
    }

    /** The anchor classes, in the head's order. */
    public List<AnchorClassConfig> anchorClasses() { return classes; }

    /** Class names in class-id order. */
    public List<String> classNames() { return classNames; }
}
