package fuse3d.models.roi;

import fuse3d.autograd.Var;
import fuse3d.nn.loss.BceWithLogitsLoss;
import fuse3d.nn.loss.Reduction;
import fuse3d.nn.loss.SmoothL1Loss;
import fuse3d.sparse.box.BoxGeometry;
import fuse3d.sparse.box.ResidualCoder;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.List;

/**
 * The RoI head's losses and box decoding, as RoIHeadTemplate (get_box_cls_layer_loss, get_box_reg_layer_loss,
 * generate_predicted_boxes) and loss_utils.get_corner_loss_lidar compute them; rows are the B·R sampled RoIs.
 */
public final class RoiLosses {
    /** WeightedSmoothL1Loss's default beta, which the reference's RoI head keeps. */
    public static final double REG_BETA = 1.0 / 9.0;

    private static final ResidualCoder CODER = new ResidualCoder();

    private RoiLosses() {}

    /**
     * rcnn_loss_cls: binary cross-entropy of the logits against the (soft) labels, rows labelled -1 ignored, averaged
     * over the valid rows (at least 1), times the weight.
     *
     * @param rcnnCls   [BR, 1] logits
     * @param clsLabels [B, R] or [BR] labels in [0, 1], or -1
     */
    public static Var clsLoss(Var rcnnCls, Tensor clsLabels, double weight) {
        int n = rcnnCls.size(0);
        if (rcnnCls.dim() != 2 || rcnnCls.size(1) != 1 || clsLabels.numel() != n)
            throw new IllegalArgumentException("rcnn_loss_cls: rcnn_cls " + Shape.str(rcnnCls.shape()) + " must be [BR, 1] with one label each, labels "
                    + Shape.str(clsLabels.shape()));
        Tensor labels = clsLabels.reshape(n).to(rcnnCls.dtype());
        Tensor valid = labels.ge(0.0);
        Tensor target = labels.clampMin(0.0);
        Var per = BceWithLogitsLoss.binaryCrossEntropyWithLogits(rcnnCls.reshape(n), target, null, null, Reduction.NONE);
        double count = Math.max(valid.to(DType.FLOAT64).sum().item(), 1.0);
        return per.maskedFill(valid.logicalNot(), 0).sum().mul(weight / count);
    }

    /**
     * rcnn_loss_reg: WeightedSmoothL1Loss (beta 1/9, code weights applied to the difference) between the predicted
     * codes and the residual codes of the canonical GT against the RoI's size at the origin with heading 0, summed
     * over the foreground rows and divided by their count (at least 1), times the weight.
     *
     * @param rcnnReg     [BR, 7]
     * @param rois        [B, R, 7+]
     * @param gtCanonical [B, R, 7+] (see {@link ProposalTargetLayer#canonical})
     * @param regValid    [B, R] bool
     */
    public static Var regLoss(Var rcnnReg, Tensor rois, Tensor gtCanonical, Tensor regValid, List<Double> codeWeights, double weight) {
        int n = checkRows("rcnn_loss_reg", rcnnReg, rois, regValid);
        DType dt = rcnnReg.dtype();
        Tensor anchors = rows7(rois, n).to(dt).copy();
        zeroCols(anchors, 0, 3);
        zeroCols(anchors, 6, 7);
        Tensor targets = CODER.encode(rows7(gtCanonical, n).to(dt), anchors);
        double[] cw = new double[7];
        for (int i = 0; i < 7; i++) cw[i] = codeWeights.get(i);
        Tensor w = Tensor.of(cw, 1, 7).to(dt);
        Tensor fg = regValid.reshape(n, 1);
        // NaN targets are ignored as the reference does (the target takes the prediction's value)
        Var target = Var.where(targets.isnan(), rcnnReg.detach(), Var.of(targets));
        Var per = SmoothL1Loss.smoothL1Loss(rcnnReg.mul(w), target.mul(w), Reduction.NONE, REG_BETA);
        double fgSum = Math.max(fg.to(DType.FLOAT64).sum().item(), 1.0);
        return per.maskedFill(fg.logicalNot(), 0).sum().mul(weight / fgSum);
    }

    /**
     * rcnn_loss_corner: the foreground rows' predicted boxes (decoded in their RoI's frame and moved to the LiDAR
     * frame) against their GT by {@link #cornerLossLidar}, averaged, times the weight; null without foreground (the
     * reference then adds no term).
     *
     * @param gtOfRois [B, R, 7+] GT in the LiDAR frame (gt_of_rois_src)
     */
    public static Var cornerLoss(Var rcnnReg, Tensor rois, Tensor gtOfRois, Tensor regValid, double weight) {
        int n = checkRows("rcnn_loss_corner", rcnnReg, rois, regValid);
        boolean[] fg = regValid.reshape(n).to(DType.BOOL).toBoolArray();
        int count = 0;
        for (boolean f : fg) if (f) count++;
        if (count == 0) return null;
        long[] idx = new long[count];
        for (int i = 0, j = 0; i < n; i++) if (fg[i]) idx[j++] = i;
        Tensor index = Tensor.ofLongs(idx, count);
        Var pred = decode(rcnnReg.indexSelect(0, index), rows7(rois, n).indexSelect(0, index));
        Tensor gt = rows7(gtOfRois, n).indexSelect(0, index);
        return cornerLossLidar(pred, gt).mean().mul(weight);
    }

    /**
     * get_corner_loss_lidar: per box, the mean over its eight corners of the Huber loss (delta 1) of the distance from
     * each predicted corner to the GT's, taking per corner the nearer of the GT and the GT turned by π.
     *
     * @param pred [N, 7]
     * @param gt   [N, 7]
     * @return [N]
     */
    public static Var cornerLossLidar(Var pred, Tensor gt) {
        if (pred.dim() != 2 || pred.size(1) < 7 || gt.dim() != 2 || gt.size(0) != pred.size(0) || gt.size(1) < 7)
            throw new IllegalArgumentException("get_corner_loss_lidar: pred " + Shape.str(pred.shape()) + " and gt " + Shape.str(gt.shape())
                    + " must be [N, 7] each");
        DType dt = pred.dtype();
        Tensor g = gt.narrow(1, 0, 7).to(DType.FLOAT64).contiguous();
        double[] flip = g.toDoubleArray();
        for (int i = 6; i < flip.length; i += 7) flip[i] += Math.PI;
        Tensor gc = BoxGeometry.corners3d(g).to(dt), gfc = BoxGeometry.corners3d(Tensor.of(flip, g.shape())).to(dt);
        Var pc = BoxGeometry.corners3d(pred.narrow(1, 0, 7));
        Var d1 = pc.sub(gc).norm(2, new int[] {2}, false), d2 = pc.sub(gfc).norm(2, new int[] {2}, false);
        Var dist = d1.minimum(d2);
        return SmoothL1Loss.smoothL1Loss(dist, Tensor.zeros(dt, dist.shape()), Reduction.NONE, 1.0).mean(1);
    }

    /**
     * generate_predicted_boxes for rows: codes decoded against each RoI placed at the origin (heading kept), then
     * rotated by the RoI heading and moved to its centre.
     *
     * @param codes [N, 7]
     * @param rois  [N, 7+]
     * @return [N, 7] in the RoIs' frame
     */
    public static Var decode(Var codes, Tensor rois) {
        if (codes.dim() != 2 || codes.size(1) != 7 || rois.dim() != 2 || rois.size(0) != codes.size(0) || rois.size(1) < 7)
            throw new IllegalArgumentException("generate_predicted_boxes: codes " + Shape.str(codes.shape()) + " and rois " + Shape.str(rois.shape())
                    + " must be [N, 7] and [N, 7+]");
        DType dt = codes.dtype();
        Tensor r = rois.narrow(1, 0, 7).to(dt).contiguous();
        Tensor local = r.copy();
        zeroCols(local, 0, 3);
        Var boxes = CODER.decode(codes, Var.of(local));
        Tensor ry = r.narrow(1, 6, 1);
        Var cos = Var.of(ry.cos()), sin = Var.of(ry.sin());
        Var x = boxes.narrow(1, 0, 1), y = boxes.narrow(1, 1, 1);
        Var gx = x.mul(cos).sub(y.mul(sin)).add(Var.of(r.narrow(1, 0, 1).contiguous()));
        Var gy = x.mul(sin).add(y.mul(cos)).add(Var.of(r.narrow(1, 1, 1).contiguous()));
        Var gz = boxes.narrow(1, 2, 1).add(Var.of(r.narrow(1, 2, 1).contiguous()));
        return Var.cat(1, gx, gy, gz, boxes.narrow(1, 3, 4));
    }

    /**
     * The IoU branch's loss (CMF-IoU): smooth-L1 (beta 1) between the predicted IoU and the RoI's 3D IoU with its GT,
     * over the rows whose IoU is at least the threshold, averaged over them (at least 1), times the weight.
     *
     * @param iouPred [BR, 1]
     * @param ious    [B, R]
     */
    public static Var iouLoss(Var iouPred, Tensor ious, double validThresh, double weight) {
        int n = iouPred.size(0);
        if (iouPred.dim() != 2 || iouPred.size(1) != 1 || ious.numel() != n)
            throw new IllegalArgumentException("rcnn_loss_iou: iou preds " + Shape.str(iouPred.shape()) + " must be [BR, 1] with one IoU each, ious "
                    + Shape.str(ious.shape()));
        Tensor t = ious.reshape(n, 1).to(iouPred.dtype());
        Tensor valid = t.ge(validThresh);
        double count = Math.max(valid.to(DType.FLOAT64).sum().item(), 1.0);
        Var per = SmoothL1Loss.smoothL1Loss(iouPred, t, Reduction.NONE, 1.0);
        return per.maskedFill(valid.logicalNot(), 0).sum().mul(weight / count);
    }

    private static int checkRows(String op, Var reg, Tensor rois, Tensor regValid) {
        int n = reg.size(0);
        if (reg.dim() != 2 || reg.size(1) != 7 || rois.numel() / Math.max(rois.size(rois.dim() - 1), 1) != n || regValid.numel() != n)
            throw new IllegalArgumentException(op + ": rcnn_reg " + Shape.str(reg.shape()) + " must be [BR, 7] with one RoI and mask entry each, rois "
                    + Shape.str(rois.shape()) + ", reg_valid_mask " + Shape.str(regValid.shape()));
        return n;
    }

    /** The first seven columns as [n, 7]. */
    private static Tensor rows7(Tensor t, int n) { return t.reshape(n, t.size(t.dim() - 1)).narrow(1, 0, 7).contiguous(); }

    /** Zeroes columns [from, to) of a contiguous [N, C] tensor in place. */
    private static void zeroCols(Tensor t, int from, int to) { t.narrow(1, from, to - from).zero_(); }
}
