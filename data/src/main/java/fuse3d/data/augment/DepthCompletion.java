package fuse3d.data.augment;

import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * Dense depth from projected sparse LiDAR depth by classical image processing: IP-Basic's {@code fill_in_fast}
 * (Ku, Harakeh and Waslander, "In Defense of Classical Image Processing: Fast Depth Completion on the CPU", CRV
 * 2018), the depth input of CMF-IoU's pseudo points.
 *
 * <p>Steps, re-derived from the public kujason/ip_basic {@code depth_map_utils.fill_in_fast}: depths above 0.1 are
 * inverted ({@code maxDepth - d}, so that a max filter prefers near points and empty pixels stay 0); dilation with
 * the 5x5 diamond; closing (dilation then erosion) with the full 5x5 kernel; pixels still below 0.1 take the full
 * 7x7 dilation; optionally ({@code extrapolate}) each column's top valid value is copied up to row 0 and pixels still
 * empty take the full 31x31 dilation; a 5x5 median; then either the bilateral filter (diameter 5, sigma colour 1.5,
 * sigma space 2.0) or the 5x5 Gaussian (applied only where the value is above 0.1); finally values above 0.1 are
 * inverted back. All arithmetic is float32, as on the numpy array.
 *
 * <p>Borders follow OpenCV's defaults, which the golden fixture reproduces with scipy: dilation and erosion ignore
 * pixels outside the image (OpenCV's default constant border is -inf for dilation, +inf for erosion); the median
 * replicates the edge pixel; the Gaussian and the bilateral filter reflect without repeating the edge
 * (BORDER_REFLECT_101). The Gaussian with sigma 0 and size 5 is OpenCV's fixed kernel [1, 4, 6, 4, 1] / 16. The
 * bilateral filter is OpenCV's float algorithm: a circular window of radius 2, space weights
 * {@code exp(-r^2 / (2 * 2.0^2))}, colour weights from a 4096-bin table of {@code exp(-v^2 / (2 * 1.5^2))} over the
 * image's value range, linearly interpolated; an image of one value is returned unchanged.
 */
public final class DepthCompletion {
    private DepthCompletion() {}

    /** The blur of the last step. */
    public enum Blur { BILATERAL, GAUSSIAN }

    /** {@code fill_in_fast}'s parameters; {@link #DEFAULT} is IP-Basic's (max depth 100, no extrapolation, bilateral). */
    public record Options(double maxDepth, boolean extrapolate, Blur blur) {
        public static final Options DEFAULT = new Options(100.0, false, Blur.BILATERAL);
    }

    static final boolean[] DIAMOND_5 = {
        false, false, true, false, false,
        false, true, true, true, false,
        true, true, true, true, true,
        false, true, true, true, false,
        false, false, true, false, false};

    /** Completes a depth map [H, W] (metres, 0 = no depth); returns a new float32 [H, W]. */
    public static Tensor fillInFast(Tensor depth, Options options) {
        if (depth.dim() != 2) throw new IllegalArgumentException("fillInFast: depth must be [H, W], got " + Arrays.toString(depth.shape()));
        int h = depth.size(0), w = depth.size(1);
        return Tensor.ofFloats(fillInFast(depth.contiguous().toFloatArray(), h, w, options), h, w);
    }

    /** {@link #fillInFast(Tensor, Options)} on a row-major float array (not changed). */
    public static float[] fillInFast(float[] depth, int h, int w, Options o) {
        if (depth.length != h * w) throw new IllegalArgumentException("fillInFast: " + h + "x" + w + " needs " + h * w + " values, got " + depth.length);
        float max = (float) o.maxDepth();
        float[] d = depth.clone();
        for (int i = 0; i < d.length; i++) if (d[i] > 0.1f) d[i] = max - d[i];
        d = dilate(d, h, w, DIAMOND_5, 5);
        d = erodeSquare(dilateSquare(d, h, w, 5), h, w, 5); // closing
        fillEmpty(d, dilateSquare(d, h, w, 7));
        if (o.extrapolate()) {
            for (int c = 0; c < w; c++) {
                int top = 0; // numpy argmax of an all-false column is 0: nothing to extend
                for (int r = 0; r < h; r++) if (d[r * w + c] > 0.1f) { top = r; break; }
                float v = d[top * w + c];
                for (int r = 0; r < top; r++) d[r * w + c] = v;
            }
            fillEmpty(d, dilateSquare(d, h, w, 31));
        }
        d = median5(d, h, w);
        if (o.blur() == Blur.BILATERAL) {
            d = bilateral(d, h, w, 5, 1.5, 2.0);
        } else {
            float[] b = gaussian5(d, h, w);
            for (int i = 0; i < d.length; i++) if (d[i] > 0.1f) d[i] = b[i];
        }
        for (int i = 0; i < d.length; i++) if (d[i] > 0.1f) d[i] = max - d[i];
        return d;
    }

    private static void fillEmpty(float[] d, float[] dilated) {
        for (int i = 0; i < d.length; i++) if (d[i] < 0.1f) d[i] = dilated[i];
    }

    /**
     * Sparse depth [H, W] of LiDAR points [N, 3+] seen by camera 2: each point with positive rectified depth is put
     * at the pixel nearest to its projection (u, v rounded to the nearest integer, OpenCV's pixel-centre
     * convention); the nearest point wins where several land on one pixel; pixels without a point are 0.
     */
    public static Tensor projectLidarDepth(Tensor points, KittiCalibration calib, int height, int width) {
        float[] out = new float[height * width];
        if (points.size(0) > 0) {
            double[] uvd = calib.lidarToImage(points.narrow(1, 0, 3)).contiguous().toDoubleArray();
            for (int i = 0; i < uvd.length / 3; i++) {
                double u = uvd[i * 3], v = uvd[i * 3 + 1], z = uvd[i * 3 + 2];
                if (!(z > 0) || !Double.isFinite(u) || !Double.isFinite(v)) continue;
                long col = Math.round(u), row = Math.round(v);
                if (col < 0 || col >= width || row < 0 || row >= height) continue;
                int k = (int) row * width + (int) col;
                float zf = (float) z;
                if (out[k] == 0 || zf < out[k]) out[k] = zf;
            }
        }
        return Tensor.ofFloats(out, height, width);
    }

    // ------------------------------------------------------------------ morphology (borders ignored, as OpenCV)

    static float[] dilate(float[] src, int h, int w, boolean[] kernel, int k) {
        int r = k / 2;
        float[] out = new float[src.length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float m = Float.NEGATIVE_INFINITY;
                for (int dy = -r; dy <= r; dy++) {
                    int yy = y + dy;
                    if (yy < 0 || yy >= h) continue;
                    for (int dx = -r; dx <= r; dx++) {
                        int xx = x + dx;
                        if (xx < 0 || xx >= w || !kernel[(dy + r) * k + dx + r]) continue;
                        m = Math.max(m, src[yy * w + xx]);
                    }
                }
                out[y * w + x] = m;
            }
        return out;
    }

    /** Max over a full k x k window, separably (rows then columns; exact for max with an ignored border). */
    static float[] dilateSquare(float[] src, int h, int w, int k) { return squareFilter(src, h, w, k, true); }

    static float[] erodeSquare(float[] src, int h, int w, int k) { return squareFilter(src, h, w, k, false); }

    private static float[] squareFilter(float[] src, int h, int w, int k, boolean max) {
        int r = k / 2;
        float[] tmp = new float[src.length], out = new float[src.length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float m = max ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
                for (int xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++)
                    m = max ? Math.max(m, src[y * w + xx]) : Math.min(m, src[y * w + xx]);
                tmp[y * w + x] = m;
            }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float m = max ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
                for (int yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++)
                    m = max ? Math.max(m, tmp[yy * w + x]) : Math.min(m, tmp[yy * w + x]);
                out[y * w + x] = m;
            }
        return out;
    }

    // ------------------------------------------------------------------ blurs

    /** 5x5 median, edge pixels replicated (OpenCV medianBlur). */
    static float[] median5(float[] src, int h, int w) {
        float[] out = new float[src.length], win = new float[25];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int n = 0;
                for (int dy = -2; dy <= 2; dy++) {
                    int yy = Math.clamp(y + dy, 0, h - 1);
                    for (int dx = -2; dx <= 2; dx++) win[n++] = src[yy * w + Math.clamp(x + dx, 0, w - 1)];
                }
                Arrays.sort(win);
                out[y * w + x] = win[12];
            }
        return out;
    }

    /** Index into [0, n) reflected without repeating the edge (BORDER_REFLECT_101). */
    static int reflect101(int i, int n) {
        if (n == 1) return 0;
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
        return i;
    }

    private static final float[] GAUSS_5 = {1f / 16, 4f / 16, 6f / 16, 4f / 16, 1f / 16};

    /** 5x5 Gaussian with OpenCV's sigma-0 kernel, rows then columns, BORDER_REFLECT_101. */
    static float[] gaussian5(float[] src, int h, int w) {
        float[] tmp = new float[src.length], out = new float[src.length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float s = 0;
                for (int k = -2; k <= 2; k++) s += GAUSS_5[k + 2] * src[y * w + reflect101(x + k, w)];
                tmp[y * w + x] = s;
            }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float s = 0;
                for (int k = -2; k <= 2; k++) s += GAUSS_5[k + 2] * tmp[reflect101(y + k, h) * w + x];
                out[y * w + x] = s;
            }
        return out;
    }

    /** OpenCV's float bilateral filter (see the class comment). */
    static float[] bilateral(float[] src, int h, int w, int diameter, double sigmaColor, double sigmaSpace) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (float v : src) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (Math.abs((double) lo - hi) < Math.ulp(1f)) return src.clone(); // FLT_EPSILON
        int radius = Math.max(diameter / 2, 1);
        double colorCoeff = -0.5 / (sigmaColor * sigmaColor), spaceCoeff = -0.5 / (sigmaSpace * sigmaSpace);
        int bins = 1 << 12;
        float len = hi - lo;
        float scale = bins / len;
        float[] lut = new float[bins + 2];
        float last = 1f;
        for (int i = 0; i < lut.length; i++) {
            if (last > 0f) {
                double v = i / (double) scale;
                lut[i] = (float) Math.exp(v * v * colorCoeff);
                last = lut[i];
            } else lut[i] = 0f;
        }
        int nk = 0;
        int[] ody = new int[(2 * radius + 1) * (2 * radius + 1)], odx = new int[ody.length];
        float[] sw = new float[ody.length];
        for (int i = -radius; i <= radius; i++)
            for (int j = -radius; j <= radius; j++) {
                double r = Math.sqrt((double) i * i + (double) j * j);
                if (r > radius || (i == 0 && j == 0)) continue; // the centre enters with weight 1 below
                sw[nk] = (float) Math.exp(r * r * spaceCoeff);
                ody[nk] = i;
                odx[nk++] = j;
            }
        float[] out = new float[src.length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float v0 = src[y * w + x];
                float sum = v0, wsum = 1f;
                for (int k = 0; k < nk; k++) {
                    float v = src[reflect101(y + ody[k], h) * w + reflect101(x + odx[k], w)];
                    float alpha = Math.abs(v - v0) * scale;
                    int idx = (int) Math.floor(alpha);
                    alpha -= idx;
                    float wgt = sw[k] * (lut[idx] + alpha * (lut[idx + 1] - lut[idx]));
                    sum += v * wgt;
                    wsum += wgt;
                }
                out[y * w + x] = sum / wsum;
            }
        return out;
    }
}
