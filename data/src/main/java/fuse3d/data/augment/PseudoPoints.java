package fuse3d.data.augment;

import fuse3d.data.kitti.KittiImages.RgbImage;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * Image-derived ("pseudo") points, CMF-IoU's camera input: every pixel of a dense depth map (e.g. from
 * {@link DepthCompletion#fillInFast}) back-projected through camera 2 into the LiDAR frame, carrying its colour.
 *
 * <p>A pixel (row v, column u) with depth d > 0 becomes the rectified point of OpenPCDet's {@code img_to_rect}
 * ({@link KittiCalibration#imageToRect}) at (u, v, d), mapped by {@link KittiCalibration#rectToLidar}; its
 * features are the pixel's r, g, b divided by 255. Output columns: x, y, z, r, g, b (float32).
 */
public final class PseudoPoints {
    private PseudoPoints() {}

    /** Number of columns of a pseudo point: x, y, z, r, g, b. */
    public static final int FEATURES = 6;

    /**
     * Back-projects the pixels on a {@code stride} grid (rows and columns 0, stride, 2 stride, ...) whose depth is in
     * (0, maxDepth].
     *
     * @param depth dense depth [H, W] in metres (0 = none)
     * @param image the camera image of the same size
     */
    public static Tensor fromDepth(Tensor depth, RgbImage image, KittiCalibration calib, int stride, double maxDepth) {
        if (depth.dim() != 2) throw new IllegalArgumentException("PseudoPoints: depth must be [H, W], got " + Arrays.toString(depth.shape()));
        int h = depth.size(0), w = depth.size(1);
        if (image.height() != h || image.width() != w)
            throw new IllegalArgumentException("PseudoPoints: depth is " + h + "x" + w + " but the image is " + image.height() + "x" + image.width());
        if (stride < 1) throw new IllegalArgumentException("PseudoPoints: stride must be >= 1, got " + stride);
        float[] d = depth.contiguous().toFloatArray();
        int n = 0;
        for (int v = 0; v < h; v += stride) for (int u = 0; u < w; u += stride) if (d[v * w + u] > 0 && d[v * w + u] <= maxDepth) n++;
        double[] uvd = new double[n * 3];
        float[] rgb = new float[n * 3];
        int k = 0;
        for (int v = 0; v < h; v += stride)
            for (int u = 0; u < w; u += stride) {
                float z = d[v * w + u];
                if (!(z > 0 && z <= maxDepth)) continue;
                uvd[k * 3] = u;
                uvd[k * 3 + 1] = v;
                uvd[k * 3 + 2] = z;
                for (int c = 0; c < 3; c++) rgb[k * 3 + c] = image.get(v, u, c) / 255f;
                k++;
            }
        float[] out = new float[n * FEATURES];
        if (n > 0) {
            double[] xyz = calib.rectToLidar(calib.imageToRect(Tensor.of(uvd, n, 3))).contiguous().toDoubleArray();
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < 3; c++) out[i * FEATURES + c] = (float) xyz[i * 3 + c];
                for (int c = 0; c < 3; c++) out[i * FEATURES + 3 + c] = rgb[i * 3 + c];
            }
        }
        return Tensor.ofFloats(out, n, FEATURES);
    }

    /** Keeps at most {@code max} rows of {@code points}, a random subset in their original order (all when fewer). */
    public static Tensor subsample(Tensor points, int max, Generator gen) {
        int n = points.size(0), c = points.size(1);
        if (n <= max) return points;
        long[] perm = gen.randperm(n).toLongArray();
        boolean[] keep = new boolean[n];
        for (int i = 0; i < max; i++) keep[(int) perm[i]] = true;
        float[] p = points.contiguous().toFloatArray(), out = new float[max * c];
        int k = 0;
        for (int i = 0; i < n; i++) if (keep[i]) System.arraycopy(p, i * c, out, (k++) * c, c);
        return Tensor.ofFloats(out, max, c);
    }
}
