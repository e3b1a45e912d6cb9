package fuse3d.sparse.box;

import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * CenterPoint's training targets as OpenPCDet's {@code CenterHead.assign_target_of_single_head} and
 * {@code centernet_utils} ({@code gaussian_radius}, {@code gaussian2D}, {@code draw_gaussian_to_heatmap}): a class
 * heatmap with a Gaussian splat at each box centre, and per object the flat BEV index of its centre cell, the
 * sub-cell offset, z, log sizes, cos/sin of the heading and any extra columns.
 *
 * <p>The arithmetic follows the reference's float32 tensor ops step by step (centres, scaled sizes and radii are
 * float32 there, and truncation to int cells depends on it); the Gaussian kernel is float64 cast to float32, as its
 * numpy original.
 */
public final class CenterPointTargets {
    private CenterPointTargets() {}

    /**
     * The targets of one head.
     *
     * @param heatmap    [numClasses, H, W] float32
     * @param retBoxes   [numMaxObjs, C]: offset x, y, z, log dx, dy, dz, cos, sin, extras (C = gt columns)
     * @param inds       [numMaxObjs] int64 flat cell index y * W + x
     * @param mask       [numMaxObjs] int64, 1 where the object got a target
     * @param retBoxesSrc [numMaxObjs, C] the gt boxes, zero-padded
     */
    public record Targets(Tensor heatmap, Tensor retBoxes, Tensor inds, Tensor mask, Tensor retBoxesSrc) {}

    /**
     * OpenPCDet's {@code gaussian_radius} of CornerNet boxes of the given height and width (in cells), element-wise
     * in float32: the smallest of the three radii at which a corner shift keeps IoU {@code minOverlap}.
     */
    public static float gaussianRadius(float height, float width, double minOverlap) {
        float hw = height + width;
        float b1 = hw;
        float c1 = width * height * (float) (1 - minOverlap) / (float) (1 + minOverlap);
        float sq1 = (float) Math.sqrt(b1 * b1 - 4f * c1);
        float r1 = (b1 + sq1) / 2f;
        float b2 = 2f * hw;
        float c2 = (float) (1 - minOverlap) * width * height;
        float sq2 = (float) Math.sqrt(b2 * b2 - 16f * c2);
        float r2 = (b2 + sq2) / 2f;
        float a3 = (float) (4 * minOverlap);
        float b3 = (float) (-2 * minOverlap) * hw;
        float c3 = (float) (minOverlap - 1) * width * height;
        float sq3 = (float) Math.sqrt(b3 * b3 - a3 * 4f * c3);
        float r3 = (b3 + sq3) / 2f;
        return Math.min(Math.min(r1, r2), r3);
    }

    /** {@link #gaussianRadius(float, float, double)} over tensors of equal shape (float32 result). */
    public static Tensor gaussianRadius(Tensor height, Tensor width, double minOverlap) {
        if (!Arrays.equals(height.shape(), width.shape()))
            throw new IllegalArgumentException("gaussianRadius: height and width must have one shape, got " + Shape.str(height.shape()) + " and "
                    + Shape.str(width.shape()));
        float[] h = height.contiguous().toFloatArray(), w = width.contiguous().toFloatArray(), out = new float[h.length];
        for (int i = 0; i < h.length; i++) out[i] = gaussianRadius(h[i], w[i], minOverlap);
        return Tensor.ofFloats(out, height.shape());
    }

    /**
     * The unnormalised 2D Gaussian of {@code gaussian2D((d, d), sigma = d / 6)} with d = 2 radius + 1, [d, d]
     * float64; values below machine epsilon times the peak are zero.
     */
    public static double[] gaussian2D(int radius) {
        int d = 2 * radius + 1;
        double sigma = d / 6.0;
        double[] g = new double[d * d];
        for (int y = -radius; y <= radius; y++)
            for (int x = -radius; x <= radius; x++) {
                double v = Math.exp(-(x * x + y * y) / (2 * sigma * sigma));
                g[(y + radius) * d + x + radius] = v < Math.ulp(1.0) * 1.0 ? 0 : v; // the peak is exp(0) = 1
            }
        return g;
    }

    /**
     * Splats {@code gaussian2D(radius)} onto {@code heatmap} [H, W] at cell (int cx, int cy) by element-wise
     * maximum, cropped at the borders ({@code draw_gaussian_to_heatmap}, k = 1). Changes {@code heatmap} in place
     * and returns it, as the reference.
     */
    public static Tensor drawGaussianToHeatmap(Tensor heatmap, double cx, double cy, int radius) {
        if (heatmap.dim() != 2 || !heatmap.dtype().isFloating())
            throw new IllegalArgumentException("drawGaussianToHeatmap: heatmap must be floating [H, W], got " + Shape.str(heatmap.shape()));
        if (radius < 0) throw new IllegalArgumentException("drawGaussianToHeatmap: radius must be >= 0, got " + radius);
        int h = heatmap.size(0), w = heatmap.size(1);
        if (!(Double.isFinite(cx) && Double.isFinite(cy))) return heatmap;
        int x = (int) cx, y = (int) cy;
        int d = 2 * radius + 1;
        double[] g = gaussian2D(radius);
        int left = Math.min(x, radius), right = Math.min(w - x, radius + 1);
        int top = Math.min(y, radius), bottom = Math.min(h - y, radius + 1);
        for (int yy = -top; yy < bottom; yy++)
            for (int xx = -left; xx < right; xx++) {
                int hy = y + yy, hx = x + xx;
                if (hy < 0 || hx < 0 || hy >= h || hx >= w) continue; // a centre outside the map draws nothing there
                float gv = (float) g[(radius + yy) * d + radius + xx];
                if (gv > heatmap.getDouble(hy, hx)) heatmap.set(gv, hy, hx);
            }
        return heatmap;
    }

    /**
     * {@code assign_target_of_single_head}.
     *
     * @param numClasses      classes of this head
     * @param gtBoxes         [M, C]: x, y, z, dx, dy, dz, heading, extras..., class (1-based, within this head)
     * @param featureMapSize  {W, H}: the BEV map in cells (x first, as the reference)
     * @param featureMapStride cells of the voxel grid per map cell
     * @param pointCloudRange [x0, y0, z0, x1, y1, z1]
     * @param voxelSize       [vx, vy, vz]
     * @param numMaxObjs      rows of the per-object outputs (500 in OpenPCDet)
     * @param gaussianOverlap min_overlap of the radius (0.1)
     * @param minRadius       smallest radius in cells (2)
     */
    public static Targets assignTargetOfSingleHead(int numClasses, Tensor gtBoxes, int[] featureMapSize, int featureMapStride,
                                                   double[] pointCloudRange, double[] voxelSize, int numMaxObjs, double gaussianOverlap,
                                                   int minRadius) {
        String op = "assignTargetOfSingleHead";
        if (gtBoxes.dim() != 2 || gtBoxes.size(1) < 8 || !gtBoxes.dtype().isFloating())
            throw new IllegalArgumentException(op + ": gt_boxes must be floating [M, >=8] (box columns then class), got " + Shape.str(gtBoxes.shape()));
        if (featureMapSize.length != 2 || featureMapSize[0] < 1 || featureMapSize[1] < 1 || featureMapStride < 1 || numClasses < 1 || numMaxObjs < 0)
            throw new IllegalArgumentException(op + ": bad sizes: feature_map_size " + Arrays.toString(featureMapSize) + ", stride "
                    + featureMapStride + ", num_classes " + numClasses + ", num_max_objs " + numMaxObjs);
        if (pointCloudRange.length != 6 || voxelSize.length != 3)
            throw new IllegalArgumentException(op + ": point_cloud_range needs 6 values and voxel_size 3");
        int m = gtBoxes.size(0), c = gtBoxes.size(1);
        int w = featureMapSize[0], h = featureMapSize[1];
        float[] gt = gtBoxes.contiguous().toFloatArray();
        Tensor heatmap = Tensor.zeros(DType.FLOAT32, numClasses, h, w);
        float[] retBoxes = new float[numMaxObjs * c], src = new float[numMaxObjs * c];
        long[] inds = new long[numMaxObjs], mask = new long[numMaxObjs];
        System.arraycopy(gt, 0, src, 0, Math.min(m, numMaxObjs) * c);
        float r0 = (float) pointCloudRange[0], r1 = (float) pointCloudRange[1], v0 = (float) voxelSize[0], v1 = (float) voxelSize[1];
        float stride = featureMapStride;
        for (int k = 0; k < Math.min(numMaxObjs, m); k++) {
            int o = k * c;
            float coordX = clamp((gt[o] - r0) / v0 / stride, 0f, w - 0.5f);
            float coordY = clamp((gt[o + 1] - r1) / v1 / stride, 0f, h - 0.5f);
            float dx = gt[o + 3] / v0 / stride, dy = gt[o + 4] / v1 / stride;
            if (!(dx > 0 && dy > 0)) continue; // also skips NaN sizes
            if (Float.isNaN(coordX) || Float.isNaN(coordY)) continue;
            int cellX = (int) coordX, cellY = (int) coordY;
            if (!(0 <= cellX && cellX <= w && 0 <= cellY && cellY <= h)) continue;
            int radius = Math.max((int) gaussianRadius(dx, dy, gaussianOverlap), minRadius);
            float cls = gt[o + c - 1];
            int classId = (int) cls - 1;
            if (!(cls >= 1) || classId >= numClasses)
                throw new IllegalArgumentException(op + ": class " + cls + " of gt box " + k + " is outside 1.." + numClasses + " (gt_boxes "
                        + Shape.str(gtBoxes.shape()) + ")");
            drawGaussianToHeatmap(heatmap.select(0, classId), coordX, coordY, radius);
            inds[k] = (long) cellY * w + cellX;
            mask[k] = 1;
            retBoxes[o] = coordX - cellX;
            retBoxes[o + 1] = coordY - cellY;
            retBoxes[o + 2] = gt[o + 2];
            for (int d = 3; d < 6; d++) retBoxes[o + d] = (float) Math.log(gt[o + d]);
            retBoxes[o + 6] = (float) Math.cos(gt[o + 6]);
            retBoxes[o + 7] = (float) Math.sin(gt[o + 6]);
            for (int d = 7; d < c - 1; d++) retBoxes[o + d + 1] = gt[o + d];
        }
        return new Targets(heatmap, Tensor.ofFloats(retBoxes, numMaxObjs, c), Tensor.ofLongs(inds, numMaxObjs), Tensor.ofLongs(mask, numMaxObjs),
                Tensor.ofFloats(src, numMaxObjs, c));
    }

    private static float clamp(float v, float lo, float hi) {
        return Float.isNaN(v) ? v : Math.min(Math.max(v, lo), hi);
    }
}
