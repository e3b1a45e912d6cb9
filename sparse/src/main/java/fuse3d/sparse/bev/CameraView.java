package fuse3d.sparse.bev;

import java.util.Arrays;
import java.util.Objects;

/**
 * One camera of a Lift-Splat-Shoot rig: its extrinsics (camera frame to the LiDAR/ego frame the BEV grid lives
 * in), its intrinsics, and the image-space augmentation applied to its picture (BEVDet's post_rot / post_tran:
 * a pixel (u, v) of the original image lands at {@code postRot [u v 1]^T ... + postTrans} of the network input;
 * identity and zero without augmentation).
 *
 * @param postRot   3x3 row-major (BEVDet keeps the 2x2 image rotation/scale in its top-left and 1 at [2][2])
 * @param postTrans 3 entries (the third is 0 in BEVDet)
 */
public record CameraView(Pose cameraToLidar, CameraIntrinsics intrinsics, double[] postRot, double[] postTrans) {
    private static final double[] EYE = {1, 0, 0, 0, 1, 0, 0, 0, 1};

    public CameraView {
        Objects.requireNonNull(cameraToLidar, "CameraView: cameraToLidar");
        Objects.requireNonNull(intrinsics, "CameraView: intrinsics");
        if (postRot == null || postRot.length != 9 || postTrans == null || postTrans.length != 3)
            throw new IllegalArgumentException("CameraView: postRot needs 9 entries and postTrans 3");
        postRot = postRot.clone();
        postTrans = postTrans.clone();
        for (double v : postRot) if (!Double.isFinite(v)) throw new IllegalArgumentException("CameraView: non-finite postRot " + Arrays.toString(postRot));
        for (double v : postTrans) if (!Double.isFinite(v)) throw new IllegalArgumentException("CameraView: non-finite postTrans " + Arrays.toString(postTrans));
    }

    /** A camera without image augmentation. */
    public static CameraView of(Pose cameraToLidar, CameraIntrinsics intrinsics) {
        return new CameraView(cameraToLidar, intrinsics, EYE, new double[3]);
    }

    /**
     * BEVDet's img_transform: resize the original image by {@code resize}, crop the box
     * {@code (x0, y0, x1, y1)} (in resized pixels), optionally flip horizontally, then rotate by
     * {@code rotateDegrees} about the crop centre; returns this camera with the matching post_rot / post_tran.
     */
    public CameraView withImageAugmentation(double resize, double[] crop, boolean flip, double rotateDegrees) {
        if (crop.length != 4) throw new IllegalArgumentException("CameraView.withImageAugmentation: crop must be (x0, y0, x1, y1)");
        // 2x2 linear part a (row-major) and translation b, composed exactly in the order BEVDet applies them
        double[] a = {resize, 0, 0, resize};
        double[] b = {-crop[0], -crop[1]};
        if (flip) {
            double[] fa = {-1, 0, 0, 1};
            a = mul2(fa, a);
            b = new double[] {-b[0] + (crop[2] - crop[0]), b[1]};
        }
        double h = Math.toRadians(rotateDegrees), c = Math.cos(h), s = Math.sin(h);
        double[] ra = {c, s, -s, c};
        double cx = (crop[2] - crop[0]) / 2, cy = (crop[3] - crop[1]) / 2;
        double[] rb = {-(ra[0] * cx + ra[1] * cy) + cx, -(ra[2] * cx + ra[3] * cy) + cy};
        a = mul2(ra, a);
        b = new double[] {ra[0] * b[0] + ra[1] * b[1] + rb[0], ra[2] * b[0] + ra[3] * b[1] + rb[1]};
        return new CameraView(cameraToLidar, intrinsics, new double[] {a[0], a[1], 0, a[2], a[3], 0, 0, 0, 1}, new double[] {b[0], b[1], 0});
    }

    private static double[] mul2(double[] x, double[] y) {
        return new double[] {x[0] * y[0] + x[1] * y[2], x[0] * y[1] + x[1] * y[3], x[2] * y[0] + x[3] * y[2], x[2] * y[1] + x[3] * y[3]};
    }
}
