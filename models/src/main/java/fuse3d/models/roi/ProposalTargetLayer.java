package fuse3d.models.roi;

import fuse3d.models.detect.Rois;
import fuse3d.sparse.box.RotatedIoU;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenPCDet's ProposalTargetLayer (sample_rois_for_rcnn) with RoIHeadTemplate.assign_targets' canonical transform:
 * per frame, ROI_PER_IMAGE RoIs sampled from the proposals by their 3D IoU with the GT boxes (foreground up to
 * FG_RATIO, then hard and easy background), each with its GT, IoU, regression mask and classification label.
 *
 * <p>As the reference: GT boxes are not appended to the proposals; trailing all-zero GT rows are padding (a frame
 * without GT gets one zero box, so every RoI is background); with SAMPLE_ROI_BY_EACH_CLASS a RoI is matched only to
 * GT of its own label; foreground is drawn without replacement, background (and foreground when there is no
 * background) with replacement. All draws come from the given {@link Generator}.
 */
public final class ProposalTargetLayer {
    private final RoiHeadConfig.TargetConfig cfg;

    public ProposalTargetLayer(RoiHeadConfig.TargetConfig cfg) {
        if (cfg == null) throw new IllegalArgumentException("ProposalTargetLayer: TARGET_CONFIG is missing");
        this.cfg = cfg;
    }

    public RoiHeadConfig.TargetConfig config() { return cfg; }

    /**
     * The sampled RoIs and their targets; R = ROI_PER_IMAGE.
     *
     * @param rois          float32 [B, R, 7] sampled RoIs
     * @param gtOfRois      float32 [B, R, 8] the GT box (with class id) of each RoI, in the LiDAR frame (gt_of_rois_src)
     * @param gtCanonical   float32 [B, R, 8] the same GT in each RoI's canonical frame (see {@link #canonical})
     * @param ious          float32 [B, R] 3D IoU of each RoI with its GT (gt_iou_of_rois)
     * @param roiScores     float32 [B, R]
     * @param roiLabels     int32 [B, R]
     * @param regValidMask  bool [B, R]: IoU above REG_FG_THRESH
     * @param clsLabels     float32 [B, R]: 1 / 0 / a linear ramp between CLS_BG_THRESH and CLS_FG_THRESH (roi_iou), or
     *                      1 / 0 / -1 for ignored (cls)
     */
    public record Targets(Tensor rois, Tensor gtOfRois, Tensor gtCanonical, Tensor ious, Tensor roiScores, Tensor roiLabels,
                          Tensor regValidMask, Tensor clsLabels) {
        public int batchSize() { return rois.size(0); }

        public int perFrame() { return rois.size(1); }
    }

    /**
     * Samples targets for a batch.
     *
     * @param rois    the proposals, boxes [B, N, 7+]
     * @param gtBoxes float32 [B, M, 8] (x, y, z, dx, dy, dz, heading, class id), zero rows padded
     */
    public Targets assign(Rois rois, Tensor gtBoxes, Generator gen) {
        String op = "ProposalTargetLayer";
        int b = rois.batchSize(), n = rois.perFrame(), rc = rois.boxes().size(2);
        if (gtBoxes == null || gtBoxes.dim() != 3 || gtBoxes.size(0) != b || gtBoxes.size(2) != 8)
            throw new IllegalArgumentException(op + ": gt_boxes must be [" + b + ", M, 8] for rois " + Shape.str(rois.boxes().shape()) + ", got "
                    + (gtBoxes == null ? "null" : Shape.str(gtBoxes.shape())));
        int m = gtBoxes.size(1), r = cfg.roiPerImage();
        double[] roiAll = rois.boxes().contiguous().toDoubleArray(), gtAll = gtBoxes.contiguous().toDoubleArray();
        double[] scoreAll = rois.scores().contiguous().toDoubleArray();
        long[] labelAll = rois.labels().contiguous().toLongArray();
        float[] outRois = new float[b * r * 7], outGt = new float[b * r * 8], outIou = new float[b * r], outScore = new float[b * r];
        int[] outLabel = new int[b * r];
        for (int f = 0; f < b; f++) {
            int k = m - 1;
            while (k >= 0 && rowSum(gtAll, (f * m + k) * 8, 8) == 0) k--;
            int ng = Math.max(k + 1, 1);
            double[] gt = new double[ng * 8];
            if (k >= 0) System.arraycopy(gtAll, f * m * 8, gt, 0, ng * 8);
            double[] roi = new double[n * 7];
            for (int i = 0; i < n; i++) System.arraycopy(roiAll, (f * n + i) * rc, roi, i * 7, 7);
            long[] roiLabels = java.util.Arrays.copyOfRange(labelAll, f * n, f * n + n);
            double[] maxOverlaps = new double[n];
            int[] assignment = new int[n];
            if (cfg.sampleRoiByEachClass()) maxIouWithSameClass(roi, roiLabels, gt, maxOverlaps, assignment);
            else maxIou(roi, allIndices(n), gt, allIndices(ng), maxOverlaps, assignment);
            int[] sampled = subsample(maxOverlaps, gen);
            for (int j = 0; j < r; j++) {
                int s = sampled[j], o = f * r + j, g = assignment[s];
                for (int d = 0; d < 7; d++) outRois[o * 7 + d] = (float) roi[s * 7 + d];
                for (int d = 0; d < 8; d++) outGt[o * 8 + d] = (float) gt[g * 8 + d];
                outIou[o] = (float) maxOverlaps[s];
                outScore[o] = (float) scoreAll[f * n + s];
                outLabel[o] = (int) roiLabels[s];
            }
        }
        Tensor sampledRois = Tensor.ofFloats(outRois, b, r, 7), gtOfRois = Tensor.ofFloats(outGt, b, r, 8);
        Tensor ious = Tensor.ofFloats(outIou, b, r);
        return new Targets(sampledRois, gtOfRois, canonical(sampledRois, gtOfRois), ious, Tensor.ofFloats(outScore, b, r),
                Tensor.ofInts(outLabel, b, r), regValidMask(ious), clsLabels(ious));
    }

    /** reg_valid_mask: IoU strictly above REG_FG_THRESH. */
    public Tensor regValidMask(Tensor ious) { return ious.gt(cfg.regFgThresh()); }

    /**
     * rcnn_cls_labels. roi_iou: 1 above CLS_FG_THRESH, 0 below CLS_BG_THRESH, (iou - bg) / (fg - bg) between (both
     * ends inclusive). cls: 1 above CLS_FG_THRESH, -1 (ignored) strictly between, else 0.
     */
    public Tensor clsLabels(Tensor ious) {
        float[] v = ious.contiguous().to(DType.FLOAT32).toFloatArray();
        float[] out = new float[v.length];
        double fg = cfg.clsFgThresh(), bg = cfg.clsBgThresh();
        for (int i = 0; i < v.length; i++) {
            if ("roi_iou".equals(cfg.clsScoreType())) {
                // the reference compares float32 IoUs against the thresholds and ramps in float32
                if (v[i] > (float) fg) out[i] = 1;
                else if (v[i] < (float) bg) out[i] = 0;
                else out[i] = (v[i] - (float) bg) / (float) (fg - bg);
            } else {
                out[i] = v[i] > (float) fg ? 1 : (v[i] > (float) bg && v[i] < (float) fg ? -1 : 0);
            }
        }
        return Tensor.ofFloats(out, ious.shape());
    }

    /**
     * The canonical transform of RoIHeadTemplate.assign_targets: each GT moved by minus its RoI's centre, rotated by
     * minus the RoI heading (taken modulo 2π), and its relative heading folded into [-π/2, π/2] (a GT facing the other
     * way is flipped by π, since a box is the same box either way round).
     *
     * @param rois     [B, R, 7+]
     * @param gtOfRois [B, R, 7+] (columns past 7 are kept as they are)
     * @return float32, gtOfRois' shape
     */
    public static Tensor canonical(Tensor rois, Tensor gtOfRois) {
        if (rois.dim() != 3 || gtOfRois.dim() != 3 || rois.size(0) != gtOfRois.size(0) || rois.size(1) != gtOfRois.size(1) || rois.size(2) < 7
                || gtOfRois.size(2) < 7)
            throw new IllegalArgumentException("canonical transform: rois " + Shape.str(rois.shape()) + " and gt_of_rois " + Shape.str(gtOfRois.shape())
                    + " must be [B, R, 7+] each");
        int rc = rois.size(2), gc = gtOfRois.size(2), n = rois.size(0) * rois.size(1);
        float[] ro = rois.contiguous().to(DType.FLOAT32).toFloatArray(), g = gtOfRois.contiguous().to(DType.FLOAT32).toFloatArray().clone();
        final float twoPi = (float) (2 * Math.PI), pi = (float) Math.PI;
        for (int i = 0; i < n; i++) {
            int a = i * rc, o = i * gc;
            float ry = floorMod(ro[a + 6], twoPi);
            float x = g[o] - ro[a], y = g[o + 1] - ro[a + 1];
            g[o + 2] -= ro[a + 2];
            float heading = g[o + 6] - ry;
            float c = (float) Math.cos(-ry), s = (float) Math.sin(-ry);
            g[o] = x * c - y * s;
            g[o + 1] = x * s + y * c;
            float h = floorMod(heading, twoPi);
            if (h > pi * 0.5f && h < pi * 1.5f) h = floorMod(h + pi, twoPi);
            if (h > pi) h -= twoPi;
            g[o + 6] = Math.max(-pi / 2, Math.min(pi / 2, h));
        }
        return Tensor.ofFloats(g, gtOfRois.shape());
    }

    /** Python's float modulo: the result has the divisor's sign. */
    static float floorMod(float a, float p) {
        float r = a % p;
        return r < 0 ? r + p : r;
    }

    /**
     * subsample_rois: indices of the sampled RoIs, foreground first. Foreground is IoU >= min(REG_FG_THRESH,
     * CLS_FG_THRESH); easy background below CLS_BG_THRESH_LO; hard background in [CLS_BG_THRESH_LO, REG_FG_THRESH).
     */
    int[] subsample(double[] maxOverlaps, Generator gen) {
        int r = cfg.roiPerImage();
        int fgPerImage = (int) Math.rint(cfg.fgRatio() * r); // np.round: halves to even
        double fgThresh = Math.min(cfg.regFgThresh(), cfg.clsFgThresh());
        List<Integer> fg = new ArrayList<>(), easy = new ArrayList<>(), hard = new ArrayList<>();
        for (int i = 0; i < maxOverlaps.length; i++) {
            float v = (float) maxOverlaps[i]; // the reference compares float32 IoUs
            if (v >= (float) fgThresh) fg.add(i);
            if (v < (float) cfg.clsBgThreshLo()) easy.add(i);
            if (v < (float) cfg.regFgThresh() && v >= (float) cfg.clsBgThreshLo()) hard.add(i);
        }
        int nfg = fg.size(), nbg = hard.size() + easy.size();
        int[] out = new int[r];
        if (nfg > 0 && nbg > 0) {
            int take = Math.min(fgPerImage, nfg);
            long[] perm = gen.randperm(nfg).toLongArray();
            for (int j = 0; j < take; j++) out[j] = fg.get((int) perm[j]);
            int[] bg = sampleBg(hard, easy, r - take, cfg.hardBgRatio(), gen);
            System.arraycopy(bg, 0, out, take, bg.length);
        } else if (nfg > 0) {
            for (int j = 0; j < r; j++) out[j] = fg.get((int) Math.floor(gen.nextDouble() * nfg));
        } else if (nbg > 0) {
            out = sampleBg(hard, easy, r, cfg.hardBgRatio(), gen);
        } else {
            throw new IllegalStateException("ProposalTargetLayer: no RoI is foreground or background (" + maxOverlaps.length
                    + " RoIs; NaN IoUs?)");
        }
        return out;
    }

    /** sample_bg_inds: hard background up to HARD_BG_RATIO, the rest easy, both drawn with replacement. */
    static int[] sampleBg(List<Integer> hard, List<Integer> easy, int count, double hardRatio, Generator gen) {
        int[] out = new int[count];
        int nh;
        if (!hard.isEmpty() && !easy.isEmpty()) nh = Math.min((int) (count * hardRatio), hard.size());
        else if (!hard.isEmpty()) nh = count;
        else nh = 0;
        for (int j = 0; j < nh; j++) out[j] = hard.get((int) gen.nextLong(hard.size()));
        for (int j = nh; j < count; j++) out[j] = easy.get((int) gen.nextLong(easy.size()));
        return out;
    }

    /** get_max_iou_with_same_class: each RoI's best IoU among the GT of its own label (0 and GT 0 where there is none). */
    static void maxIouWithSameClass(double[] roi, long[] roiLabels, double[] gt, double[] maxOverlaps, int[] assignment) {
        int ng = gt.length / 8;
        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        for (int j = 0; j < ng; j++) {
            long l = (long) gt[j * 8 + 7];
            lo = Math.min(lo, l);
            hi = Math.max(hi, l);
        }
        for (long k = lo; k <= hi; k++) {
            List<Integer> ri = new ArrayList<>(), gi = new ArrayList<>();
            for (int i = 0; i < roiLabels.length; i++) if (roiLabels[i] == k) ri.add(i);
            for (int j = 0; j < ng; j++) if ((long) gt[j * 8 + 7] == k) gi.add(j);
            if (!ri.isEmpty() && !gi.isEmpty()) maxIou(roi, ri.stream().mapToInt(Integer::intValue).toArray(), gt, gi.stream().mapToInt(Integer::intValue).toArray(),
                    maxOverlaps, assignment);
        }
    }

    /** For the RoIs in ri, the max 3D IoU over the GT in gi and the first GT reaching it. */
    static void maxIou(double[] roi, int[] ri, double[] gt, int[] gi, double[] maxOverlaps, int[] assignment) {
        double[] a = new double[ri.length * 7], g = new double[gi.length * 7];
        for (int i = 0; i < ri.length; i++) System.arraycopy(roi, ri[i] * 7, a, i * 7, 7);
        for (int j = 0; j < gi.length; j++) System.arraycopy(gt, gi[j] * 8, g, j * 7, 7);
        // the reference's IoU kernel works in float32
        float[] iou = RotatedIoU.iou3d(Tensor.of(a, ri.length, 7).to(DType.FLOAT32), Tensor.of(g, gi.length, 7).to(DType.FLOAT32)).to(DType.FLOAT32).toFloatArray();
        for (int i = 0; i < ri.length; i++) {
            int best = 0;
            for (int j = 1; j < gi.length; j++) if (iou[i * gi.length + j] > iou[i * gi.length + best]) best = j;
            maxOverlaps[ri[i]] = iou[i * gi.length + best];
            assignment[ri[i]] = gi[best];
        }
    }

    private static int[] allIndices(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    private static double rowSum(double[] a, int from, int len) {
        double s = 0;
        for (int i = from; i < from + len; i++) s += a[i];
        return s;
    }
}
