package fuse3d.sparse.bev;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.Closeness;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * Frame round trips on random calibrations: KITTI LiDAR -> camera -> LiDAR (points and boxes) and pixel -> rect ->
 * pixel are identities, and every LSS frustum point mapped to the LiDAR frame projects back to its own pixel and
 * depth through the camera's extrinsics, intrinsics and image augmentation.
 */
class FrameProperties {
    /** A random rotation (as a pose) from a seeded quaternion. */
    static Pose rotation(Generator g, double tScale) {
        double[] q = {g.nextGaussian(), g.nextGaussian(), g.nextGaussian(), g.nextGaussian()};
        return Pose.fromQuaternion(q, new double[] {tScale * g.nextGaussian(), tScale * g.nextGaussian(), tScale * g.nextGaussian()});
    }

    static KittiCalibration randomCalib(Generator g) {
        double f = 500 + 400 * g.nextDouble();
        double[] p2 = {f, 0, 600 + 20 * g.nextGaussian(), 40 * g.nextGaussian(), 0, f * (1 + 0.01 * g.nextGaussian()), 180 + 10 * g.nextGaussian(),
                0.3 * g.nextGaussian(), 0, 0, 1, 0.005 * g.nextGaussian()};
        return KittiCalibration.of(p2, rotation(g, 0).rotation(), java.util.Arrays.copyOf(rotation(g, 0.5).rowMajor(), 12));
    }

    @Property(tries = 100)
    void kittiLidarCameraLidarIsIdentity(@ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        Generator g = new Generator(seed);
        KittiCalibration c = randomCalib(g);
        Tensor pts = g.uniform(DType.FLOAT64, -50, 50, 20, 4);
        Closeness.assertClose(c.rectToLidar(c.lidarToRect(pts)), pts, 0, 1e-9);
        Tensor boxes = Tensor.cat(1, g.uniform(DType.FLOAT64, -40, 40, 10, 3), g.uniform(DType.FLOAT64, 0, 5, 10, 3),
                g.uniform(DType.FLOAT64, -Math.PI, Math.PI, 10, 1));
        Tensor back = c.boxesCameraToLidar(c.boxesLidarToCamera(boxes));
        Closeness.assertClose(back, boxes, 0, 1e-9);
        // camera boxes keep the sizes, permuted (l, h, w) = (dx, dz, dy)
        Tensor cam = c.boxesLidarToCamera(boxes);
        Closeness.assertClose(cam.select(1, 4), boxes.select(1, 5), 0, 0);
    }

    @Property(tries = 100)
    void kittiPixelRectPixelIsIdentity(@ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        Generator g = new Generator(seed);
        KittiCalibration c = randomCalib(g);
        Tensor rect = Tensor.cat(1, g.uniform(DType.FLOAT64, -20, 20, 16, 2), g.uniform(DType.FLOAT64, 0.5, 80, 16, 1));
        Tensor uvd = c.rectToImage(rect);
        Closeness.assertClose(c.imageToRect(uvd), rect, 0, 1e-9);
        // camera 2's own frame with the pinhole K projects to the same pixels
        double[] r = rect.toDoubleArray(), px = uvd.toDoubleArray();
        Pose lidarToCam2 = c.camera2ToLidar().inverse();
        for (int i = 0; i < 16; i++) {
            double[] l = c.rectToLidar().apply(r[3 * i], r[3 * i + 1], r[3 * i + 2]);
            double[] p = lidarToCam2.apply(l[0], l[1], l[2]);
            double[] uv = c.intrinsics().project(p[0], p[1], p[2]);
            assertEquals(px[3 * i], uv[0], 1e-7);
            assertEquals(px[3 * i + 1], uv[1], 1e-7);
        }
    }

    @Property(tries = 50)
    void frustumPointsProjectBackToTheirPixels(@ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        Generator g = new Generator(seed);
        Frustum f = Frustum.create(48 + 8 * (int) g.nextLong(4), 64 + 8 * (int) g.nextLong(4), 8, 1, 4 + 10 * g.nextDouble(), 0.5 + g.nextDouble());
        CameraIntrinsics k = new CameraIntrinsics(50 + 30 * g.nextDouble(), 50 + 30 * g.nextDouble(), 30 + 5 * g.nextGaussian(), 25 + 5 * g.nextGaussian(),
                g.nextGaussian());
        CameraView cam = CameraView.of(rotation(g, 2), k).withImageAugmentation(0.8 + 0.4 * g.nextDouble(), new double[] {3, 2, 3 + f.inputWidth(), 2 + f.inputHeight()},
                g.nextDouble() < 0.5, 10 * g.nextGaussian());
        Pose bda = Pose.rotationZ(g.nextGaussian()).then(Pose.ofRowMajor(1.05, 0, 0, 0, 0, -1.05, 0, 0, 0, 0, 1.05, 0.3));
        double[] lidar = f.toLidar(new CameraView[][] {{cam}}, new Pose[] {bda}, DType.FLOAT64).toDoubleArray();
        double[] frus = f.points().toDoubleArray();
        Pose back = bda.inverse().then(cam.cameraToLidar().inverse());
        double[] pr = cam.postRot(), pt = cam.postTrans();
        for (int i = 0; i < frus.length; i += 3) {
            double[] p = back.apply(lidar[i], lidar[i + 1], lidar[i + 2]);
            double[] uvd = k.project(p[0], p[1], p[2]);
            // re-apply the image augmentation: postRot (u, v, d) + postTrans
            double u = pr[0] * uvd[0] + pr[1] * uvd[1] + pr[2] * uvd[2] + pt[0];
            double v = pr[3] * uvd[0] + pr[4] * uvd[1] + pr[5] * uvd[2] + pt[1];
            double d = pr[6] * uvd[0] + pr[7] * uvd[1] + pr[8] * uvd[2] + pt[2];
            assertEquals(frus[i], u, 1e-8, "u of frustum point " + i / 3);
            assertEquals(frus[i + 1], v, 1e-8, "v of frustum point " + i / 3);
            assertEquals(frus[i + 2], d, 1e-9, "depth of frustum point " + i / 3);
        }
    }
}
