package fuse3d.sparse.box;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * Differentiable rotated IoU of box pairs and the IoU / GIoU / DIoU losses built on it, as mmcv's
 * {@code diff_iou_rotated_3d} (used by mmdet3d's rotated IoU losses): the intersection polygon of two rotated
 * rectangles is assembled from differentiable pieces (corners of one box inside the other, and the crossings of
 * their edges, each a function of the box parameters), ordered by angle around its centroid (the order is a
 * discrete choice, taken without gradient), and measured with the shoelace formula. Gradients therefore reach
 * centre, size and heading of both boxes, and the values equal {@link RotatedIoU}'s exact ones.
 *
 * <p>Pairs are aligned: pred [N, 7+] against target [N, 7+], results [N], one per pair, unreduced. GIoU and DIoU use
 * the axis-aligned box enclosing both boxes' corners in BEV and both z ranges (the "aligned" enclosing box, as
 * OpenPCDet's {@code bbox3d_overlaps_diou}). Gradients are exact away from degenerate configurations (coincident
 * or touching edges, a corner exactly on an edge), where the area is not differentiable.
 */
public final class RotatedIoULoss {
    private RotatedIoULoss() {}

    /** Below this |cross product| two edges count as parallel: they add no crossing (the overlap is still exact). */
    private static final double PARALLEL = 1e-12;
    private static final int V = 24; // candidate vertices: 4 + 4 corners and 16 edge crossings

    /** BEV intersection area of each pair, [N]. */
    public static Var overlapBev(Var pred, Var target) {
        check("overlapBev", pred, target);
        if (pred.size(0) == 0) return emptyLike(pred);
        // both boxes relative to the target's centre (a constant): translation leaves the area unchanged and
        // float32 shoelace sums then stay near the origin
        Tensor shift = target.data().narrow(1, 0, 2).contiguous().to(pred.dtype());
        Var a = bevCorners(pred, shift), b = bevCorners(target, shift); // [N, 4, 2] CCW
        int n = pred.size(0);
        Var ra = roll(a).sub(a), rb = roll(b).sub(b);                     // edge vectors [N, 4, 2]
        Var p = a.unsqueeze(2), r = ra.unsqueeze(2);                    // [N, 4, 1, 2]
        Var q = b.unsqueeze(1), s = rb.unsqueeze(1);                    // [N, 1, 4, 2]
        Var qp = q.sub(p);                                              // [N, 4, 4, 2]
        Var den = cross(r, s);                                          // [N, 4, 4]
        Var tNum = cross(qp, s), uNum = cross(qp, r);
        // which crossings lie on both segments: a discrete decision made on the values
        double[] dd = den.data().contiguous().toDoubleArray(), tn = tNum.data().contiguous().toDoubleArray(),
                un = uNum.data().contiguous().toDoubleArray();
        boolean[] hit = new boolean[n * 16];
        for (int i = 0; i < hit.length; i++) {
            if (Math.abs(dd[i]) <= PARALLEL) continue;
            double t = tn[i] / dd[i], u = un[i] / dd[i];
            hit[i] = t >= 0 && t <= 1 && u >= 0 && u <= 1;
        }
        Tensor hitT = Tensor.ofBools(hit, n, 4, 4);
        Var safeDen = Var.where(hitT, den, Var.of(Tensor.ones(pred.dtype(), n, 4, 4)));
        Var t = tNum.div(safeDen);                                      // [N, 4, 4]
        Var crossings = p.add(r.mul(t.unsqueeze(3))).reshape(n, 16, 2);
        Var vertices = Var.cat(1, a, b, crossings);                     // [N, 24, 2]

        double[] av = a.data().contiguous().toDoubleArray(), bv = b.data().contiguous().toDoubleArray();
        double[] vv = vertices.data().contiguous().toDoubleArray();
        long[] order = new long[n * V * 2];
        for (int k = 0; k < n; k++) {
            boolean[] valid = new boolean[V];
            for (int c = 0; c < 4; c++) {
                valid[c] = inside(av, k, c, bv);
                valid[4 + c] = inside(bv, k, c, av);
            }
            for (int e = 0; e < 16; e++) valid[8 + e] = hit[k * 16 + e];
            int[] idx = polygonOrder(vv, k, valid);
            for (int i = 0; i < V; i++) {
                order[(k * V + i) * 2] = idx[i];
                order[(k * V + i) * 2 + 1] = idx[i];
            }
        }
        Var poly = vertices.gather(1, Tensor.ofLongs(order, n, V, 2)); // [N, 24, 2], padded with its first vertex
        Var x = poly.select(2, 0), y = poly.select(2, 1);
        Var xn = roll(x), yn = roll(y);
        // counter-clockwise by construction, so the signed area is the area
        return x.mul(yn).sub(xn.mul(y)).sum(1).mul(0.5);
    }

    /** Rotated BEV IoU of each pair, [N]; intersection over max(union, 1e-8). */
    public static Var iouBev(Var pred, Var target) {
        Var inter = overlapBev(pred, target);
        Var union = area(pred).add(area(target)).sub(inter).clampMin(RotatedIoU.BEV_EPS);
        return inter.div(union);
    }

    /** Rotated 3D IoU of each pair, [N]: BEV intersection times z overlap over max(union of volumes, 1e-6). */
    public static Var iou3d(Var pred, Var target) { return parts(pred, target).iou; }

    /** {@code 1 - IoU3d}, [N]. */
    public static Var iouLoss(Var pred, Var target) { return parts(pred, target).iou.neg().add(1.0); }

    /** {@code 1 - GIoU3d}, [N]: GIoU = IoU - (V_enclosing - V_union) / V_enclosing. */
    public static Var giouLoss(Var pred, Var target) {
        Parts p = parts(pred, target);
        Var encVolume = p.encX.mul(p.encY).mul(p.encZ).clampMin(RotatedIoU.VOLUME_EPS);
        Var giou = p.iou.sub(encVolume.sub(p.union).div(encVolume));
        return giou.neg().add(1.0);
    }

    /** {@code 1 - DIoU3d}, [N]: DIoU = IoU - |c_pred - c_target|^2 / (diagonal of the enclosing box)^2. */
    public static Var diouLoss(Var pred, Var target) {
        Parts p = parts(pred, target);
        Var d2 = pred.narrow(1, 0, 3).sub(target.narrow(1, 0, 3)).square().sum(1);
        Var c2 = p.encX.square().add(p.encY.square()).add(p.encZ.square()).clampMin(RotatedIoU.VOLUME_EPS);
        Var diou = p.iou.sub(d2.div(c2));
        return diou.neg().add(1.0);
    }

    /**
     * OpenPCDet's {@code bbox3d_overlaps_diou} (CenterHead's IoU regression loss): DIoU of boxes taken axis-aligned,
     * heading ignored, clamped to [-1, 1]; [N].
     */
    public static Var alignedDiou3d(Var pred, Var target) {
        check("alignedDiou3d", pred, target);
        Var pMin = pred.narrow(1, 0, 2).sub(pred.narrow(1, 3, 2).mul(0.5)), pMax = pred.narrow(1, 0, 2).add(pred.narrow(1, 3, 2).mul(0.5));
        Var gMin = target.narrow(1, 0, 2).sub(target.narrow(1, 3, 2).mul(0.5)), gMax = target.narrow(1, 0, 2).add(target.narrow(1, 3, 2).mul(0.5));
        Var volP = col(pred, 3).mul(col(pred, 4)).mul(col(pred, 5)), volG = col(target, 3).mul(col(target, 4)).mul(col(target, 5));
        Var pTop = col(pred, 2).add(col(pred, 5).mul(0.5)), pBot = col(pred, 2).sub(col(pred, 5).mul(0.5));
        Var gTop = col(target, 2).add(col(target, 5).mul(0.5)), gBot = col(target, 2).sub(col(target, 5).mul(0.5));
        Var interH = pTop.minimum(gTop).sub(pBot.maximum(gBot)).clampMin(0);
        Var inter = pMax.minimum(gMax).sub(pMin.maximum(gMin)).clampMin(0);
        Var volInter = col(inter, 0).mul(col(inter, 1)).mul(interH);
        Var volUnion = volG.add(volP).sub(volInter);
        Var interDiag = target.narrow(1, 0, 3).sub(pred.narrow(1, 0, 3)).square().sum(1);
        Var outerH = gTop.maximum(pTop).sub(gBot.minimum(pBot)).clampMin(0);
        Var outer = gMax.maximum(pMax).sub(gMin.minimum(pMin)).clampMin(0);
        Var outerDiag = col(outer, 0).square().add(col(outer, 1).square()).add(outerH.square());
        return volInter.div(volUnion).sub(interDiag.div(outerDiag)).clamp(-1.0, 1.0);
    }

    /** IoU with what GIoU/DIoU need: union volume and the enclosing box's extents. */
    private record Parts(Var iou, Var union, Var encX, Var encY, Var encZ) {}

    private static Parts parts(Var pred, Var target) {
        Var inter = overlapBev(pred, target);
        Var pTop = col(pred, 2).add(col(pred, 5).mul(0.5)), pBot = col(pred, 2).sub(col(pred, 5).mul(0.5));
        Var gTop = col(target, 2).add(col(target, 5).mul(0.5)), gBot = col(target, 2).sub(col(target, 5).mul(0.5));
        Var zOverlap = pTop.minimum(gTop).sub(pBot.maximum(gBot)).clampMin(0);
        Var inter3 = inter.mul(zOverlap);
        Var union = volume(pred).add(volume(target)).sub(inter3).clampMin(RotatedIoU.VOLUME_EPS);
        Var iou = inter3.div(union);
        int n = pred.size(0);
        if (n == 0) return new Parts(iou, union, iou, iou, iou);
        Tensor shift = target.data().narrow(1, 0, 2).contiguous().to(pred.dtype());
        Var corners = Var.cat(1, bevCorners(pred, shift), bevCorners(target, shift)); // [N, 8, 2]
        Var hi = corners.amax(new int[] {1}, false), lo = corners.amin(new int[] {1}, false);
        Var ext = hi.sub(lo);                                                      // [N, 2]
        Var encZ = pTop.maximum(gTop).sub(pBot.minimum(gBot));
        return new Parts(iou, union, col(ext, 0), col(ext, 1), encZ);
    }

    private static Var area(Var b) { return col(b, 3).mul(col(b, 4)); }

    private static Var volume(Var b) { return col(b, 3).mul(col(b, 4)).mul(col(b, 5)); }

    /** Column d of [N, C] as [N]. */
    private static Var col(Var x, int d) { return x.select(1, d); }

    /** BEV corners [N, 4, 2], counter-clockwise, minus the constant shift [N, 2]. */
    static Var bevCorners(Var boxes, Tensor shift) {
        int n = boxes.size(0);
        double[] tpl = {-0.5, -0.5, 0.5, -0.5, 0.5, 0.5, -0.5, 0.5};
        Var half = boxes.narrow(1, 3, 2).unsqueeze(1).mul(Var.of(BoxGeometry.tensor(tpl, boxes.dtype(), 1, 4, 2))); // [N, 4, 2]
        Var lx = half.select(2, 0), ly = half.select(2, 1);
        Var heading = boxes.narrow(1, 6, 1);
        Var cos = heading.cos(), sin = heading.sin();
        Var centre = boxes.narrow(1, 0, 2).sub(Var.of(shift));
        Var x = lx.mul(cos).sub(ly.mul(sin)).add(centre.narrow(1, 0, 1));
        Var y = lx.mul(sin).add(ly.mul(cos)).add(centre.narrow(1, 1, 1));
        return Var.stack(2, x, y).reshape(n, 4, 2);
    }

    /** Shift by one along dim 1: element i takes element i + 1 (cyclic). */
    private static Var roll(Var x) {
        int m = x.size(1);
        return Var.cat(1, x.narrow(1, 1, m - 1), x.narrow(1, 0, 1));
    }

    /** 2D cross product over the last dim (size 2), broadcasting the others. */
    private static Var cross(Var u, Var v) {
        int d = u.dim() - 1;
        return u.select(d, 0).mul(v.select(d, 1)).sub(u.select(d, 1).mul(v.select(d, 0)));
    }

    /** Whether corner c of quad k in {@code pts} lies in quad k of {@code quad} (edges included, with a tolerance). */
    private static boolean inside(double[] pts, int k, int c, double[] quad) {
        int o = k * 8;
        double px = pts[o + 2 * c], py = pts[o + 2 * c + 1];
        double ax = quad[o], ay = quad[o + 1];
        double abx = quad[o + 2] - ax, aby = quad[o + 3] - ay; // corner 0 to 1
        double adx = quad[o + 6] - ax, ady = quad[o + 7] - ay; // corner 0 to 3
        double apx = px - ax, apy = py - ay;
        double pab = apx * abx + apy * aby, pad = apx * adx + apy * ady;
        double ab2 = abx * abx + aby * aby, ad2 = adx * adx + ady * ady;
        double tol = 1e-9 * Math.max(ab2 + ad2, 1e-30);
        return ab2 > 0 && ad2 > 0 && pab >= -tol && pab <= ab2 + tol && pad >= -tol && pad <= ad2 + tol;
    }

    /**
     * Valid vertices of pair k by angle around their centroid, padded with the first (so padding adds nothing to the
     * shoelace sum); all zeros when fewer than 3 (no area).
     */
    private static int[] polygonOrder(double[] vv, int k, boolean[] valid) {
        int[] idx = new int[V];
        int m = 0;
        double mx = 0, my = 0;
        for (int i = 0; i < V; i++)
            if (valid[i]) {
                mx += vv[(k * V + i) * 2];
                my += vv[(k * V + i) * 2 + 1];
                idx[m++] = i;
            }
        if (m < 3) return new int[V];
        double cx = mx / m, cy = my / m;
        Integer[] sorted = new Integer[m];
        double[] angle = new double[V];
        for (int j = 0; j < m; j++) {
            sorted[j] = idx[j];
            angle[idx[j]] = Math.atan2(vv[(k * V + idx[j]) * 2 + 1] - cy, vv[(k * V + idx[j]) * 2] - cx);
        }
        Arrays.sort(sorted, (i, j) -> Double.compare(angle[i], angle[j]));
        int[] out = new int[V];
        for (int j = 0; j < V; j++) out[j] = j < m ? sorted[j] : sorted[0];
        return out;
    }

    private static Var emptyLike(Var x) { return Var.of(Tensor.zeros(x.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32, 0)); }

    private static void check(String op, Var pred, Var target) {
        BoxGeometry.requireBoxes(op, "pred", pred, 7);
        BoxGeometry.requireBoxes(op, "target", target, 7);
        if (pred.size(0) != target.size(0) || pred.dtype() != target.dtype())
            throw new IllegalArgumentException(op + ": pred and target must be aligned pairs of one dtype, got " + pred.dtype() + " "
                    + Shape.str(pred.shape()) + " and " + target.dtype() + " " + Shape.str(target.shape()));
    }
}
