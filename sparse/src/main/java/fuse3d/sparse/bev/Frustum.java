package fuse3d.sparse.bev;

import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;

/**
 * The Lift-Splat-Shoot frustum of one camera, as BEVDet's create_frustum: for every depth bin d and every cell
 * (h, w) of the feature map, the point (u, v, depth) of the network's input image it stands for, and the mapping
 * of those points into the LiDAR/ego frame (BEVDet's get_lidar_coor).
 *
 * <p>Pixel centres are {@code u = linspace(0, W_in - 1, W_feat)}, {@code v = linspace(0, H_in - 1, H_feat)} with
 * {@code W_feat = W_in / downsample} (integer division) and depths {@code arange(dMin, dMax, dStep)}, all float32
 * and computed as torch 1.13 does.
 */
public final class Frustum {
    private final int inputHeight, inputWidth, downsample, depthBins, height, width;
    private final float[] u, v, d;

    private Frustum(int inputHeight, int inputWidth, int downsample, double dMin, double dMax, double dStep) {
        if (inputHeight < 1 || inputWidth < 1 || downsample < 1)
            throw new IllegalArgumentException("Frustum: image " + inputHeight + "x" + inputWidth + " and downsample " + downsample + " must be positive");
        if (inputHeight < downsample || inputWidth < downsample)
            throw new IllegalArgumentException("Frustum: image " + inputHeight + "x" + inputWidth + " is smaller than the downsample " + downsample
                    + ": the feature map would be empty");
        if (!(Double.isFinite(dMin) && Double.isFinite(dMax) && dStep > 0 && dMax > dMin))
            throw new IllegalArgumentException("Frustum: depth bins [" + dMin + ", " + dMax + ", " + dStep + "] need finite min < max and step > 0");
        this.inputHeight = inputHeight;
        this.inputWidth = inputWidth;
        this.downsample = downsample;
        this.height = inputHeight / downsample;
        this.width = inputWidth / downsample;
        long n = (long) Math.ceil((dMax - dMin) / dStep); // torch.arange's length, computed in double
        if (n > 100_000) throw new IllegalArgumentException("Frustum: " + n + " depth bins is not a plausible frustum");
        this.depthBins = (int) n;
        this.d = new float[depthBins];
        for (int i = 0; i < depthBins; i++) d[i] = (float) (dMin + i * dStep);
        this.u = linspace(inputWidth - 1, width);
        this.v = linspace(inputHeight - 1, height);
    }

    /** The frustum of an {@code inputHeight x inputWidth} network input downsampled by {@code downsample}, depth bins [dMin, dMax) by dStep. */
    public static Frustum create(int inputHeight, int inputWidth, int downsample, double dMin, double dMax, double dStep) {
        return new Frustum(inputHeight, inputWidth, downsample, dMin, dMax, dStep);
    }

    /** torch.linspace(0, end, steps) in float32: forward from the start for the first half, backward from the end for the rest. */
    private static float[] linspace(float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) return out;
        float step = end / (steps - 1);
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) out[i] = i < halfway ? step * i : end - step * (steps - i - 1);
        return out;
    }

    public int depthBins() { return depthBins; }

    /** Feature-map height (input height / downsample). */
    public int height() { return height; }

    /** Feature-map width (input width / downsample). */
    public int width() { return width; }

    public int inputHeight() { return inputHeight; }

    public int inputWidth() { return inputWidth; }

    public int downsample() { return downsample; }

    /** The depth of bin {@code i}. */
    public float depth(int i) { return d[i]; }

    /** The frustum points [D, H, W, 3] (u, v, depth), float32, as BEVDet's self.frustum. */
    public Tensor points() {
        float[] out = new float[depthBins * height * width * 3];
        int k = 0;
        for (int di = 0; di < depthBins; di++)
            for (int h = 0; h < height; h++)
                for (int w = 0; w < width; w++) {
                    out[k++] = u[w];
                    out[k++] = v[h];
                    out[k++] = d[di];
                }
        return Tensor.of(out, depthBins, height, width, 3);
    }

    /**
     * Maps the frustum of every camera into the LiDAR/ego frame, as BEVDet's get_lidar_coor: undo the image
     * augmentation ({@code postRot^-1 (p - postTrans)}), lift (u, v, d) to (u d, v d, d), apply
     * {@code cameraToLidar * K^-1}, then the BEV augmentation {@code bda} of the sample.
     *
     * @param views [B][N] cameras
     * @param bda   one pose per sample (BEV data augmentation: rotation, scale, flip, optional translation), or null for none
     * @return [B, N, D, H, W, 3] float32 (computed in float64)
     */
    public Tensor toLidar(CameraView[][] views, Pose[] bda) {
        return toLidar(views, bda, DType.FLOAT32);
    }

    /** {@link #toLidar(CameraView[][], Pose[])} with the output in {@code dtype} (float32 or float64). */
    public Tensor toLidar(CameraView[][] views, Pose[] bda, DType dtype) {
        int b = views.length;
        if (b == 0) throw new IllegalArgumentException("Frustum.toLidar: no samples");
        int n = views[0].length;
        if (n == 0) throw new IllegalArgumentException("Frustum.toLidar: no cameras");
        for (CameraView[] row : views)
            if (row.length != n) throw new IllegalArgumentException("Frustum.toLidar: every sample needs the same number of cameras (" + n + "), got " + row.length);
        if (bda != null && bda.length != b)
            throw new IllegalArgumentException("Frustum.toLidar: " + bda.length + " BEV augmentations for " + b + " samples");
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64)
            throw new IllegalArgumentException("Frustum.toLidar: output dtype must be float32 or float64, got " + dtype.torchName());
        // per camera: A = postRot^-1, t = postTrans, M = bda * cameraToLidar * K^-1 as one affine map (3x4)
        double[][] pre = new double[b * n][];
        double[][] post = new double[b * n][];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < n; j++) {
                CameraView cv = views[i][j];
                double[] pr = cv.postRot();
                Pose postInv = Pose.ofRotationTranslation(pr, new double[3]).inverse();
                pre[i * n + j] = concat(postInv.rotation(), cv.postTrans());
                double[] ki = cv.intrinsics().inverseMatrix();
                Pose m = Pose.ofRotationTranslation(ki, new double[3]).then(cv.cameraToLidar());
                if (bda != null && bda[i] != null) m = m.then(bda[i]);
                post[i * n + j] = m.rowMajor();
            }
        int plane = height * width;
        int total = b * n * depthBins;
        double[] out64 = dtype == DType.FLOAT64 ? new double[total * plane * 3] : null;
        float[] out32 = dtype == DType.FLOAT32 ? new float[total * plane * 3] : null;
        Parallel.forWork(total, (long) total * plane * 30, (lo, hi) -> {
            for (int s = lo; s < hi; s++) {
                int cam = s / depthBins;
                double dd = d[s % depthBins];
                double[] a = pre[cam], m = post[cam];
                for (int h = 0; h < height; h++)
                    for (int w = 0; w < width; w++) {
                        double px = u[w] - a[9], py = v[h] - a[10], pz = dd - a[11];
                        double qx = a[0] * px + a[1] * py + a[2] * pz;
                        double qy = a[3] * px + a[4] * py + a[5] * pz;
                        double qz = a[6] * px + a[7] * py + a[8] * pz;
                        qx *= qz;
                        qy *= qz;
                        double x = m[0] * qx + m[1] * qy + m[2] * qz + m[3];
                        double y = m[4] * qx + m[5] * qy + m[6] * qz + m[7];
                        double z = m[8] * qx + m[9] * qy + m[10] * qz + m[11];
                        int o = ((s * plane) + h * width + w) * 3;
                        if (out64 != null) {
                            out64[o] = x;
                            out64[o + 1] = y;
                            out64[o + 2] = z;
                        } else {
                            out32[o] = (float) x;
                            out32[o + 1] = (float) y;
                            out32[o + 2] = (float) z;
                        }
                    }
            }
        });
        int[] shape = {b, n, depthBins, height, width, 3};
        return out64 != null ? Tensor.of(out64, shape) : Tensor.of(out32, shape);
    }

    /**
     * The tensor form of {@link #toLidar(CameraView[][], Pose[])} with BEVDet's argument layout: rots [B, N, 3, 3]
     * and trans [B, N, 3] (camera to LiDAR), cam2imgs [B, N, 3, 3], postRots [B, N, 3, 3], postTrans [B, N, 3],
     * bda [B, 3, 3] or [B, 4, 4] (or null). The output dtype follows rots.
     */
    public Tensor toLidar(Tensor rots, Tensor trans, Tensor cam2imgs, Tensor postRots, Tensor postTrans, Tensor bda) {
        if (rots.dim() != 4 || rots.size(2) != 3 || rots.size(3) != 3)
            throw new IllegalArgumentException("Frustum.toLidar: rots must be [B, N, 3, 3], got " + Shape.str(rots.shape()));
        int b = rots.size(0), n = rots.size(1);
        expect("trans", trans, b, n, 3);
        expect("cam2imgs", cam2imgs, b, n, 3, 3);
        expect("postRots", postRots, b, n, 3, 3);
        expect("postTrans", postTrans, b, n, 3);
        if (bda != null && !(bda.dim() == 3 && bda.size(0) == b && ((bda.size(1) == 3 && bda.size(2) == 3) || (bda.size(1) == 4 && bda.size(2) == 4))))
            throw new IllegalArgumentException("Frustum.toLidar: bda must be [" + b + ", 3, 3] or [" + b + ", 4, 4], got " + Shape.str(bda.shape()));
        double[] r = rots.contiguous().toDoubleArray(), t = trans.contiguous().toDoubleArray(), k = cam2imgs.contiguous().toDoubleArray();
        double[] pr = postRots.contiguous().toDoubleArray(), pt = postTrans.contiguous().toDoubleArray();
        CameraView[][] views = new CameraView[b][n];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < n; j++) {
                int c = i * n + j;
                views[i][j] = new CameraView(Pose.ofRotationTranslation(slice(r, c * 9, 9), slice(t, c * 3, 3)),
                        CameraIntrinsics.ofRowMajor(slice(k, c * 9, 9)), slice(pr, c * 9, 9), slice(pt, c * 3, 3));
            }
        Pose[] aug = null;
        if (bda != null) {
            double[] a = bda.contiguous().toDoubleArray();
            aug = new Pose[b];
            int e = bda.size(1);
            for (int i = 0; i < b; i++) {
                double[] m = slice(a, i * e * e, e * e);
                aug[i] = e == 4 ? Pose.ofRowMajor(m) : Pose.ofRotationTranslation(m, new double[3]);
            }
        }
        return toLidar(views, aug, rots.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32);
    }

    private static void expect(String name, Tensor t, int... shape) {
        if (!java.util.Arrays.equals(t.shape(), shape))
            throw new IllegalArgumentException("Frustum.toLidar: " + name + " must be " + Shape.str(shape) + ", got " + Shape.str(t.shape()));
    }

    private static double[] slice(double[] a, int from, int len) { return java.util.Arrays.copyOfRange(a, from, from + len); }

    private static double[] concat(double[] a, double[] b) {
        double[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
