package fuse3d.data.occ3d;

import fuse3d.tensor.io.ArrayFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The Occ3D-nuScenes occupancy metrics, computed as the official tools compute them: per-class IoU, mIoU,
 * occupied IoU and mIoU_D under the camera mask, the LiDAR mask and no mask (the Occ3D devkit's and
 * GDFusion's {@code occ_metrics.py}), and SparseOcc's RayIoU ({@code ray_metrics.py}).
 *
 * <p>Voxel metrics: one 18 x 18 confusion matrix per mask setting, summed over all samples (not averaged per
 * sample), counting the voxels inside the mask whose ground-truth label is 0..17 (other values, such as 255,
 * are ignored as the official histogram ignores them). {@code IoU_c = TP / (TP + FP + FN)}; a class with no
 * voxel in either ground truth or prediction has no IoU (NaN, JSON null) and is left out of the means. mIoU
 * averages classes 0..16 (free excluded); mIoU_D averages the dynamic classes
 * {@link Occ3d#DYNAMIC_CLASSES}; occupied IoU is the IoU of "not free" in a 2 x 2 matrix of
 * occupied-vs-free over the same voxels (there a label of 255 counts as occupied, as in GDFusion's code). The
 * camera-mask setting is the Occ3D benchmark's.
 *
 * <p>RayIoU ignores the masks: {@link RayCaster} casts 14,040 rays from each of the sample's origins
 * ({@link RayOrigins}) through ground truth and prediction alike; rays whose ground-truth hit is free are
 * dropped; a ray is a true positive for class c at threshold {@code th} (1, 2, 4 m) when both hits are class c
 * and their distances differ by less than {@code th}. Per class and threshold {@code IoU = TP / (GT_c + Pred_c -
 * TP)}, counts summed over all samples; RayIoU@th averages the 17 classes, RayIoU all 51 values (absent classes
 * left out).
 *
 * <p>Use: {@link #evaluate(Path, Path, RayOrigins.Source)} for an Occ3D tree on disk, or {@link #add} per
 * sample then {@link #result()}. {@code add} may be called from several threads.
 */
public final class Occ3dEvaluator {
    /** RayIoU's distance thresholds in metres. */
    public static final float[] RAY_THRESHOLDS = {1f, 2f, 4f};

    /** The three voxel-mask settings, in the order of the JSON output. */
    public enum MaskMode {
        CAMERA("mask_camera"), LIDAR("mask_lidar"), NONE("no_mask");

        /** The JSON key. */
        public final String key;

        MaskMode(String key) { this.key = key; }
    }

    private static final int C = Occ3d.NUM_CLASSES;
    private static final int T = RAY_THRESHOLDS.length;

    private final Occ3dGrid grid;
    private final boolean rayIou;
    private final Partial total;

    /**
     * @param grid the grid the labels live on (its metric size matters only for RayIoU)
     * @param rayIou whether to compute RayIoU (the costly part)
     */
    public Occ3dEvaluator(Occ3dGrid grid, boolean rayIou) {
        this.grid = Objects.requireNonNull(grid, "grid");
        this.rayIou = rayIou;
        this.total = new Partial();
    }

    /** An Occ3D-nuScenes evaluator with RayIoU. */
    public Occ3dEvaluator() { this(Occ3d.GRID, true); }

    /**
     * Adds one sample: {@code gt} with both masks, {@code pred} on the same grid with labels 0..17, and the
     * ray origins (ego frame, metres; ignored when RayIoU is off, required non-empty otherwise).
     */
    public void add(Occ3dLabels gt, Occ3dLabels pred, List<double[]> origins) {
        Partial p = sample(gt, pred, origins);
        synchronized (total) {
            total.merge(p);
        }
    }

    /** The metrics over every sample added so far. */
    public Occ3dResult result() {
        synchronized (total) {
            return total.result(rayIou);
        }
    }

    /**
     * Evaluates every ground-truth sample under {@code gtRoot} ({@code <scene>/<token>/labels.npz}) against its
     * prediction under {@code predRoot} (see {@link Occ3dTree#findPrediction}), in parallel. RayIoU is computed
     * when {@code origins} is non-null (use {@link RayOrigins#currentFrameOnly()} without pose tables).
     */
    public static Occ3dResult evaluate(Path gtRoot, Path predRoot, RayOrigins.Source origins) throws IOException {
        List<Occ3dTree.Sample> samples = Occ3dTree.list(gtRoot);
        Occ3dEvaluator ev = new Occ3dEvaluator(Occ3d.GRID, origins != null);
        try {
            samples.parallelStream().forEach(s -> {
                try {
                    Occ3dLabels gt = Occ3dLabels.read(s.labels());
                    Path predFile = Occ3dTree.findPrediction(predRoot, s);
                    Occ3dLabels pred = Occ3dLabels.readPrediction(predFile);
                    if (!Arrays.equals(gt.shape(), pred.shape()))
                        throw new ArrayFileException(predFile, null, "prediction grid " + Arrays.toString(pred.shape())
                                + " differs from the ground truth's " + Arrays.toString(gt.shape()) + " in " + s.labels());
                    if (origins != null && !Occ3d.GRID.hasShape(gt.shape()))
                        throw new ArrayFileException(s.labels(), null, "RayIoU needs the Occ3D-nuScenes grid "
                                + Arrays.toString(Occ3d.GRID.shape()) + ", the labels are " + Arrays.toString(gt.shape()));
                    ev.add(gt, pred, origins == null ? List.of() : origins.origins(s));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return ev.result();
    }

    // ------------------------------------------------------------------------------------------------------

    private Partial sample(Occ3dLabels gt, Occ3dLabels pred, List<double[]> origins) {
        Objects.requireNonNull(gt, "gt");
        Objects.requireNonNull(pred, "pred");
        if (!Arrays.equals(gt.shape(), pred.shape()))
            throw new IllegalArgumentException("Occ3dEvaluator: prediction " + Arrays.toString(pred.shape()) + " vs ground truth "
                    + Arrays.toString(gt.shape()));
        if (gt.maskCamera() == null || gt.maskLidar() == null)
            throw new IllegalArgumentException("Occ3dEvaluator: the ground truth needs mask_camera and mask_lidar");
        int n = gt.size();
        for (int i = 0; i < n; i++) {
            if (pred.label(i) > Occ3d.FREE)
                throw new IllegalArgumentException("Occ3dEvaluator: prediction label " + pred.label(i) + " at element " + i
                        + " is outside 0.." + Occ3d.FREE);
        }
        Partial p = new Partial();
        p.samples = 1;
        boolean[] cam = gt.maskCamera(), lid = gt.maskLidar();
        for (int i = 0; i < n; i++) {
            int g = gt.label(i), q = pred.label(i);
            int go = g != Occ3d.FREE ? 1 : 0, qo = q != Occ3d.FREE ? 1 : 0;
            boolean known = g < C;
            if (cam[i]) {
                if (known) p.conf[0][g][q]++;
                p.occ[0][go][qo]++;
            }
            if (lid[i]) {
                if (known) p.conf[1][g][q]++;
                p.occ[1][go][qo]++;
            }
            if (known) p.conf[2][g][q]++;
            p.occ[2][go][qo]++;
        }
        if (rayIou) rays(gt, pred, origins, p);
        return p;
    }

    private void rays(Occ3dLabels gt, Occ3dLabels pred, List<double[]> origins, Partial p) {
        if (origins == null || origins.isEmpty())
            throw new IllegalArgumentException("Occ3dEvaluator: RayIoU needs at least one ray origin per sample");
        int r = RayCaster.rayCount();
        int[] gl = new int[r], pl = new int[r];
        float[] gd = new float[r], pd = new float[r];
        for (double[] origin : origins) {
            RayCaster.cast(grid, gt, origin, gl, gd, 0);
            RayCaster.cast(grid, pred, origin, pl, pd, 0);
            for (int i = 0; i < r; i++) {
                int g = gl[i], q = pl[i];
                if (g == Occ3d.FREE) continue; // only rays whose ground truth hits something
                if (g < C) p.rayGt[g]++;
                if (q < C) p.rayPred[q]++;
                if (g == q && g < C) {
                    float err = Math.abs(pd[i] - gd[i]);
                    for (int j = 0; j < T; j++) if (err < RAY_THRESHOLDS[j]) p.rayTp[j][g]++;
                }
            }
        }
    }

    /** Counts of some samples; merging is summation, so the order samples arrive in does not matter. */
    private static final class Partial {
        int samples;
        final long[][][] conf = new long[3][C][C];
        final long[][][] occ = new long[3][2][2];
        final long[] rayGt = new long[C], rayPred = new long[C];
        final long[][] rayTp = new long[T][C];

        void merge(Partial o) {
            samples += o.samples;
            for (int m = 0; m < 3; m++) {
                for (int i = 0; i < C; i++) for (int j = 0; j < C; j++) conf[m][i][j] += o.conf[m][i][j];
                for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) occ[m][i][j] += o.occ[m][i][j];
            }
            for (int c = 0; c < C; c++) {
                rayGt[c] += o.rayGt[c];
                rayPred[c] += o.rayPred[c];
                for (int j = 0; j < T; j++) rayTp[j][c] += o.rayTp[j][c];
            }
        }

        Occ3dResult result(boolean withRays) {
            Occ3dResult.MaskMetrics[] masks = new Occ3dResult.MaskMetrics[3];
            for (int m = 0; m < 3; m++) masks[m] = maskMetrics(conf[m], occ[m]);
            Occ3dResult.RayIouMetrics ray = null;
            if (withRays) {
                double[][] perClass = new double[Occ3d.FREE][T];
                double[] at = new double[T];
                double sumAll = 0;
                int nAll = 0;
                for (int j = 0; j < T; j++) {
                    double sum = 0;
                    int cnt = 0;
                    for (int c = 0; c < Occ3d.FREE; c++) {
                        long tp = rayTp[j][c];
                        long denom = rayGt[c] + rayPred[c] - tp;
                        double iou = denom == 0 ? Double.NaN : tp / (double) denom;
                        perClass[c][j] = iou;
                        if (!Double.isNaN(iou)) {
                            sum += iou;
                            cnt++;
                        }
                    }
                    at[j] = cnt == 0 ? Double.NaN : sum / cnt;
                    sumAll += sum;
                    nAll += cnt;
                }
                ray = new Occ3dResult.RayIouMetrics(nAll == 0 ? Double.NaN : sumAll / nAll, at, perClass,
                        rayGt.clone(), rayPred.clone(), new long[][] {rayTp[0].clone(), rayTp[1].clone(), rayTp[2].clone()});
            }
            return new Occ3dResult(samples, masks[0], masks[1], masks[2], ray);
        }

        private static Occ3dResult.MaskMetrics maskMetrics(long[][] conf, long[][] occ) {
            double[] iou = new double[Occ3d.FREE];
            for (int c = 0; c < Occ3d.FREE; c++) {
                long tp = conf[c][c], row = 0, col = 0;
                for (int k = 0; k < C; k++) {
                    row += conf[c][k];
                    col += conf[k][c];
                }
                long denom = row + col - tp;
                iou[c] = denom == 0 ? Double.NaN : tp / (double) denom;
            }
            double miou = nanMean(iou, null);
            double miouD = nanMean(iou, Occ3d.DYNAMIC_CLASSES);
            long occDenom = occ[1][1] + occ[1][0] + occ[0][1];
            double occIou = occDenom == 0 ? Double.NaN : occ[1][1] / (double) occDenom;
            long[][] copy = new long[C][];
            for (int i = 0; i < C; i++) copy[i] = conf[i].clone();
            return new Occ3dResult.MaskMetrics(iou, miou, occIou, miouD, copy);
        }

        private static double nanMean(double[] v, List<Integer> only) {
            double sum = 0;
            int n = 0;
            for (int c = 0; c < v.length; c++) {
                if (only != null && !only.contains(c)) continue;
                if (!Double.isNaN(v[c])) {
                    sum += v[c];
                    n++;
                }
            }
            return n == 0 ? Double.NaN : sum / n;
        }
    }
}
