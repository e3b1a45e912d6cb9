package fuse3d.sparse.box;

import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import it.unimi.dsi.fastutil.doubles.DoubleArrayList;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntArrays;
import it.unimi.dsi.fastutil.longs.Long2ObjectAVLTreeMap;
import java.util.Locale;

/**
 * Non-maximum suppression of 3D boxes by BEV IoU, with the semantics of OpenPCDet's {@code iou3d_nms_utils.nms_gpu}
 * / {@code nms_normal_gpu} and of {@code model_nms_utils.class_agnostic_nms} / {@code multi_classes_nms}.
 *
 * <p>Greedy: visit boxes by descending score; keep a box unless an already kept box overlaps it with IoU strictly
 * above the threshold. Ties in score keep the lower index first (a stable sort; CUDA's sort is unstable, so
 * OpenPCDet's order among equal scores is unspecified). NaN scores sort last; a box with NaN coordinates or a
 * non-positive BEV size overlaps nothing, so it is kept or dropped by score alone.
 */
public final class Nms {
    private Nms() {}

    /** Which overlap the suppression uses: OpenPCDet's {@code NMS_TYPE}. */
    public enum Type {
        /** Rotated BEV IoU ({@code nms_gpu}). */
        NMS_GPU,
        /** Axis-aligned BEV IoU, heading ignored ({@code nms_normal_gpu}). */
        NMS_NORMAL_GPU;

        /** OpenPCDet's spelling, {@code nms_gpu} or {@code nms_normal_gpu}. */
        public static Type parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "nms_gpu" -> NMS_GPU;
                case "nms_normal_gpu" -> NMS_NORMAL_GPU;
                default -> throw new IllegalArgumentException("nms: NMS_TYPE '" + s + "' is not supported; expected nms_gpu or nms_normal_gpu");
            };
        }
    }

    /**
     * OpenPCDet's {@code NMS_CONFIG}: {@code NMS_TYPE}, {@code NMS_THRESH}, {@code NMS_PRE_MAXSIZE} (top-k by score
     * before NMS) and {@code NMS_POST_MAXSIZE} (at most this many kept).
     */
    public record Config(Type type, double thresh, int preMaxsize, int postMaxsize) {
        public Config {
            if (type == null) throw new IllegalArgumentException("nms config: NMS_TYPE is null");
            if (Double.isNaN(thresh)) throw new IllegalArgumentException("nms config: NMS_THRESH is NaN");
            if (preMaxsize < 0 || postMaxsize < 0)
                throw new IllegalArgumentException("nms config: NMS_PRE_MAXSIZE and NMS_POST_MAXSIZE must be >= 0, got " + preMaxsize + " and " + postMaxsize);
        }

        /** From the config's own spelling, e.g. {@code of("nms_gpu", 0.01, 4096, 500)}. */
        public static Config of(String nmsType, double thresh, int preMaxsize, int postMaxsize) {
            return new Config(Type.parse(nmsType), thresh, preMaxsize, postMaxsize);
        }
    }

    /** Kept indices into the input (int64, by descending score) and their scores. */
    public record Selected(Tensor indices, Tensor scores) {}

    /** The result of {@link #multiClassesNms}: per class k in turn, the kept boxes of that class by score. */
    public record MultiClass(Tensor scores, Tensor labels, Tensor boxes, Tensor indices) {}

    /**
     * Rotated NMS of all boxes: indices (int64) of the kept boxes by descending score.
     *
     * @param boxes  [N, 7+] (x, y, z, dx, dy, dz, heading, ...)
     * @param scores [N]
     */
    public static Tensor nms(Tensor boxes, Tensor scores, double thresh) {
        return nms(boxes, scores, thresh, Type.NMS_GPU, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * NMS as {@code nms_gpu(boxes, scores, thresh, pre_maxsize)}: sort by score, keep the first {@code preMaxsize},
     * suppress, and return at most {@code postMaxsize} kept indices (int64, into the input) by descending score.
     */
    public static Tensor nms(Tensor boxes, Tensor scores, double thresh, Type type, int preMaxsize, int postMaxsize) {
        checkPair("nms", boxes, scores);
        if (preMaxsize < 0 || postMaxsize < 0)
            throw new IllegalArgumentException("nms: preMaxsize and postMaxsize must be >= 0, got " + preMaxsize + " and " + postMaxsize);
        double[] b = BoxGeometry.rows(boxes), s = scores.contiguous().toDoubleArray();
        int[] order = sortDescending(s);
        int n = Math.min(order.length, preMaxsize);
        int[] kept = greedy(b, boxes.size(1), order, n, thresh, type, postMaxsize);
        return indexTensor(kept);
    }

    /**
     * OpenPCDet's {@code class_agnostic_nms}: drop scores below {@code scoreThresh} (none when null), take the top
     * {@code NMS_PRE_MAXSIZE} by score, suppress with {@code NMS_THRESH}, keep at most {@code NMS_POST_MAXSIZE}.
     *
     * @param boxScores [N]
     * @param boxPreds  [N, 7+]
     * @return indices into the input by descending score, and their scores
     */
    public static Selected classAgnosticNms(Tensor boxScores, Tensor boxPreds, Config cfg, Double scoreThresh) {
        checkPair("classAgnosticNms", boxPreds, boxScores);
        double[] s = boxScores.contiguous().toDoubleArray();
        int[] candidates = aboveThreshold(s, scoreThresh);
        int[] kept = selectAmong(BoxGeometry.rows(boxPreds), boxPreds.size(1), s, candidates, cfg);
        return new Selected(indexTensor(kept), gatherScores(boxScores, s, kept));
    }

    /**
     * OpenPCDet's {@code multi_classes_nms}: for each class column k of {@code clsScores} [N, K], run
     * {@link #classAgnosticNms} on that column alone; concatenate the classes in order (labels k, 0-based as
     * the function returns them), each class's boxes by descending score.
     */
    public static MultiClass multiClassesNms(Tensor clsScores, Tensor boxPreds, Config cfg, Double scoreThresh) {
        if (clsScores.dim() != 2 || boxPreds.dim() != 2 || clsScores.size(0) != boxPreds.size(0))
            throw new IllegalArgumentException("multiClassesNms: cls_scores must be [N, K] and box_preds [N, 7+] with the same N, got "
                    + Shape.str(clsScores.shape()) + " and " + Shape.str(boxPreds.shape()));
        BoxGeometry.requireBoxes("multiClassesNms", "box_preds", boxPreds, 7);
        int n = clsScores.size(0), k = clsScores.size(1);
        double[] all = clsScores.contiguous().toDoubleArray(), b = BoxGeometry.rows(boxPreds);
        IntArrayList idx = new IntArrayList(), labels = new IntArrayList();
        DoubleArrayList sc = new DoubleArrayList();
        for (int c = 0; c < k; c++) {
            double[] s = new double[n];
            for (int i = 0; i < n; i++) s[i] = all[i * k + c];
            int[] kept = selectAmong(b, boxPreds.size(1), s, aboveThreshold(s, scoreThresh), cfg);
            for (int i : kept) {
                idx.add(i);
                labels.add(c);
                sc.add(s[i]);
            }
        }
        Tensor indices = indexTensor(idx.toIntArray());
        long[] lab = new long[labels.size()];
        for (int i = 0; i < lab.length; i++) lab[i] = labels.getInt(i);
        Tensor scores = BoxGeometry.tensor(sc.toDoubleArray(), BoxGeometry.outType(clsScores), sc.size());
        return new MultiClass(scores, Tensor.ofLongs(lab, lab.length), boxPreds.indexSelect(0, indices), indices);
    }

    /**
     * Class-aware NMS: boxes suppress only boxes of the same label; score threshold, pre- and post-max sizes apply
     * per class as in {@link #classAgnosticNms}. The kept indices of all classes are merged by descending score.
     *
     * @param labels [N] integer class of each box
     */
    public static Selected classAwareNms(Tensor boxScores, Tensor boxPreds, Tensor labels, Config cfg, Double scoreThresh) {
        checkPair("classAwareNms", boxPreds, boxScores);
        if (labels.dim() != 1 || labels.size(0) != boxScores.size(0) || labels.dtype().isFloating())
            throw new IllegalArgumentException("classAwareNms: labels must be integer [N] matching scores " + Shape.str(boxScores.shape()) + ", got "
                    + labels.dtype() + " " + Shape.str(labels.shape()));
        double[] s = boxScores.contiguous().toDoubleArray(), b = BoxGeometry.rows(boxPreds);
        long[] lab = labels.toLongArray();
        int[] cand = aboveThreshold(s, scoreThresh);
        Long2ObjectAVLTreeMap<IntArrayList> byClass = new Long2ObjectAVLTreeMap<>();
        for (int i : cand) byClass.computeIfAbsent(lab[i], x -> new IntArrayList()).add(i);
        IntArrayList all = new IntArrayList();
        for (IntArrayList members : byClass.values()) all.addAll(IntArrayList.wrap(selectAmong(b, boxPreds.size(1), s, members.toIntArray(), cfg)));
        int[] kept = all.toIntArray();
        IntArrays.mergeSort(kept, (x, y) -> compareDescending(s, x, y));
        return new Selected(indexTensor(kept), gatherScores(boxScores, s, kept));
    }

    /** Top-k by score among the candidates, then greedy NMS; indices into the full arrays. */
    private static int[] selectAmong(double[] b, int cols, double[] s, int[] candidates, Config cfg) {
        int[] order = candidates.clone();
        IntArrays.mergeSort(order, (x, y) -> compareDescending(s, x, y));
        int n = Math.min(order.length, cfg.preMaxsize());
        return greedy(b, cols, order, n, cfg.thresh(), cfg.type(), cfg.postMaxsize());
    }

    /** Indices whose score is at least the threshold ({@code box_scores >= score_thresh}; NaN never passes). */
    private static int[] aboveThreshold(double[] s, Double thresh) {
        IntArrayList out = new IntArrayList(s.length);
        for (int i = 0; i < s.length; i++) if (thresh == null || s[i] >= thresh) out.add(i);
        return out.toIntArray();
    }

    /** Greedy suppression over order[0..n); at most maxKeep kept, in visiting order. */
    private static int[] greedy(double[] b, int cols, int[] order, int n, double thresh, Type type, int maxKeep) {
        if (type == Type.NMS_GPU && thresh >= 0) return greedyRotated(b, cols, order, n, thresh, maxKeep);
        boolean[] suppressed = new boolean[n];
        IntArrayList kept = new IntArrayList();
        for (int i = 0; i < n && kept.size() < maxKeep; i++) {
            if (suppressed[i]) continue;
            int bi = order[i];
            kept.add(bi);
            for (int j = i + 1; j < n; j++) {
                if (suppressed[j]) continue;
                double iou = type == Type.NMS_GPU ? RotatedIoU.bevIou(b, bi, cols, b, order[j], cols) : normalIou(b, bi, order[j], cols);
                if (iou > thresh) suppressed[j] = true;
            }
        }
        return kept.toIntArray();
    }

    /**
     * greedy for rotated IoU with the pairs that cannot overlap skipped before the polygon clip: boxes that overlap
     * nothing (a non-positive or NaN size, a non-finite field) and pairs whose circumscribed circles are apart have
     * IoU 0, which never exceeds a threshold >= 0. The circle test is RotatedIoU.bevOverlap's own, on the same
     * doubles, so the kept set is the same; the centres and radii sit in visiting order for a linear scan.
     */
    private static int[] greedyRotated(double[] b, int cols, int[] order, int n, double thresh, int maxKeep) {
        double[] x = new double[n], y = new double[n], r = new double[n];
        boolean[] suppressed = new boolean[n];
        for (int i = 0; i < n; i++) {
            int o = order[i] * cols;
            double dx = b[o + 3], dy = b[o + 4];
            x[i] = b[o];
            y[i] = b[o + 1];
            r[i] = Math.sqrt(dx * dx + dy * dy) / 2;
            // such a box gets overlap 0 with every box (bevOverlap's first two tests), so it suppresses nothing
            boolean inert = !(dx > 0 && dy > 0) || !Double.isFinite(b[o] + b[o + 1] + b[o + 6] + dx + dy);
            if (inert) r[i] = Double.NaN; // NaN radius: the circle test below never lets the pair through
        }
        IntArrayList kept = new IntArrayList();
        for (int i = 0; i < n && kept.size() < maxKeep; i++) {
            if (suppressed[i]) continue;
            int bi = order[i];
            kept.add(bi);
            double xa = x[i], ya = y[i], ra = r[i];
            if (Double.isNaN(ra)) continue;
            for (int j = i + 1; j < n; j++) {
                if (suppressed[j]) continue;
                double ddx = x[j] - xa, ddy = y[j] - ya, rr = ra + r[j];
                if (!(ddx * ddx + ddy * ddy <= rr * rr)) continue; // apart, or an inert box: IoU 0
                if (RotatedIoU.bevIou(b, bi, cols, b, order[j], cols) > thresh) suppressed[j] = true;
            }
        }
        return kept.toIntArray();
    }

    /** The axis-aligned BEV IoU of {@code nms_normal_gpu}: boxes x +- dx/2, y +- dy/2, heading ignored. */
    private static double normalIou(double[] b, int i, int j, int c) {
        int o = i * c, p = j * c;
        double w = Math.min(b[o] + b[o + 3] / 2, b[p] + b[p + 3] / 2) - Math.max(b[o] - b[o + 3] / 2, b[p] - b[p + 3] / 2);
        double h = Math.min(b[o + 1] + b[o + 4] / 2, b[p + 1] + b[p + 4] / 2) - Math.max(b[o + 1] - b[o + 4] / 2, b[p + 1] - b[p + 4] / 2);
        double inter = Math.max(w, 0) * Math.max(h, 0);
        double iou = inter / Math.max(b[o + 3] * b[o + 4] + b[p + 3] * b[p + 4] - inter, RotatedIoU.BEV_EPS);
        return Double.isNaN(iou) ? 0 : iou;
    }

    /** Descending by score, NaN last, ties by ascending index (the sort is stable). */
    private static int compareDescending(double[] s, int x, int y) {
        boolean nx = Double.isNaN(s[x]), ny = Double.isNaN(s[y]);
        if (nx || ny) return nx == ny ? 0 : nx ? 1 : -1;
        return s[y] > s[x] ? 1 : s[y] < s[x] ? -1 : 0;
    }

    private static int[] sortDescending(double[] s) {
        int[] order = new int[s.length];
        for (int i = 0; i < s.length; i++) order[i] = i;
        IntArrays.mergeSort(order, (x, y) -> compareDescending(s, x, y));
        return order;
    }

    private static void checkPair(String op, Tensor boxes, Tensor scores) {
        BoxGeometry.requireBoxes(op, "boxes", boxes, 7);
        if (scores == null || scores.dim() != 1 || scores.size(0) != boxes.size(0))
            throw new IllegalArgumentException(op + ": scores must be [N] for boxes " + Shape.str(boxes.shape()) + ", got "
                    + (scores == null ? "null" : Shape.str(scores.shape())));
    }

    private static Tensor indexTensor(int[] idx) {
        long[] l = new long[idx.length];
        for (int i = 0; i < idx.length; i++) l[i] = idx[i];
        return Tensor.ofLongs(l, l.length);
    }

    private static Tensor gatherScores(Tensor like, double[] s, int[] idx) {
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = s[idx[i]];
        DType dt = like.dtype().isFloating() ? BoxGeometry.outType(like) : DType.FLOAT32;
        return BoxGeometry.tensor(out, dt, idx.length);
    }
}
