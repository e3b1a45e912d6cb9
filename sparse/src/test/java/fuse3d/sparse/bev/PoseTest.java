package fuse3d.sparse.bev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Poses, nuScenes sensor poses and pinhole intrinsics: cases by hand and the real nuScenes keyframe when present. */
class PoseTest {
    private static final double EPS = 1e-12;

    @Test
    void quaternionOfAQuarterTurnAboutZ() {
        // pyquaternion Quaternion(axis=[0, 0, 1], angle=pi/2) = [cos 45, 0, 0, sin 45]: x -> y, y -> -x
        double h = Math.sqrt(0.5);
        Pose p = Pose.fromQuaternion(new double[] {h, 0, 0, h}, new double[] {1, 2, 3});
        assertArrayEquals(new double[] {1, 3, 3}, p.apply(1, 0, 0), EPS);
        assertArrayEquals(new double[] {0, 2, 3}, p.apply(0, 1, 0), EPS);
        assertArrayEquals(new double[] {1, 2, 4}, p.apply(0, 0, 1), EPS);
        assertTrue(p.isRigid(1e-12));
        assertArrayEquals(new double[] {h, 0, 0, h}, p.quaternion(), EPS);
    }

    @Test
    void quaternionIsNormalisedAsPyquaternionDoes() {
        Pose a = Pose.fromQuaternion(new double[] {2, 0, 0, 0}, new double[] {0, 0, 0});
        assertEquals(0, a.maxAbsDiff(Pose.identity()), EPS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pose.fromQuaternion(new double[] {0, 0, 0, 0}, new double[3]));
        assertTrue(e.getMessage().contains("Pose.fromQuaternion"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pose.fromQuaternion(new double[] {Double.NaN, 0, 0, 1}, new double[3]));
    }

    @Test
    void quaternionNearAHalfTurnIsStable() {
        // 180 degrees about x: w = 0, the trace branch would divide by ~0
        Pose p = Pose.fromQuaternion(new double[] {0, 1, 0, 0}, new double[3]);
        assertArrayEquals(new double[] {0, 1, 0, 0}, p.quaternion(), EPS);
        assertArrayEquals(new double[] {1, -2, -3}, p.apply(1, 2, 3), EPS);
    }

    @Test
    void thenAppliesTheFirstPoseFirst() {
        Pose shift = Pose.translation(1, 0, 0), turn = Pose.rotationZ(Math.PI / 2);
        assertArrayEquals(new double[] {0, 1, 0}, shift.then(turn).apply(0, 0, 0), EPS);
        assertArrayEquals(new double[] {1, 0, 0}, turn.then(shift).apply(0, 0, 0), EPS);
    }

    @Test
    void inverseOfAScaledPose() {
        Pose bda = Pose.ofRowMajor(1.1, 0, 0, 0, 0, -1.1, 0, 0, 0, 0, 1.1, 0.5); // scale, flip y, shift z
        assertEquals(0, bda.then(bda.inverse()).maxAbsDiff(Pose.identity()), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Pose.ofRowMajor(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0).inverse());
    }

    @Test
    void applyToTensorKeepsExtraColumnsAndDtype() {
        Tensor pts = Tensor.ofFloats(new float[] {1, 0, 0, 7, 0, 0, 0, 8, Float.NaN, 0, 0, 9}, 3, 4);
        Tensor out = Pose.translation(0, 0, 1).apply(pts);
        assertEquals(DType.FLOAT32, out.dtype());
        // a NaN coordinate poisons the whole mapped point (0 * NaN is NaN), extra columns are kept
        assertArrayEquals(new float[] {1, 0, 1, 7, 0, 0, 1, 8, Float.NaN, Float.NaN, Float.NaN, 9}, out.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> Pose.identity().apply(Tensor.zeros(3, 2)));
    }

    @Test
    void malformedMatricesAreRejectedWithTheirShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pose.of(Tensor.zeros(3, 3)));
        assertTrue(e.getMessage().contains("[3, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pose.ofRowMajor(new double[16]));           // last row 0 0 0 0
        assertThrows(IllegalArgumentException.class, () -> Pose.ofRowMajor(1, 0, 0, Double.NaN, 0, 1, 0, 0, 0, 0, 1, 0));
    }

    @Test
    void sensorPosesComposeThroughTheGlobalFrame() {
        // two sensors on a car that moved 1 m forward between their timestamps
        double[] noTurn = {1, 0, 0, 0};
        SensorPose lidar = SensorPose.fromNuScenes(noTurn, new double[] {1, 0, 2}, noTurn, new double[] {10, 0, 0});
        SensorPose cam = SensorPose.fromNuScenes(noTurn, new double[] {2, 0, 1}, noTurn, new double[] {11, 0, 0});
        // a point at lidar origin is global (11, 0, 2); in the camera frame (global - 11 - 2, 0, 2 - 1) = (-2, 0, 1)
        assertArrayEquals(new double[] {-2, 0, 1}, lidar.to(cam).apply(0, 0, 0), EPS);
        assertArrayEquals(new double[] {0, 0, 0}, cam.to(cam).apply(0, 0, 0), EPS);
        // in the camera's ego frame: global 11 - 11 = 0
        assertArrayEquals(new double[] {0, 0, 2}, lidar.toEgoOf(cam).apply(0, 0, 0), EPS);
    }

    @Test
    void intrinsicsProjectAndUnproject() {
        CameraIntrinsics k = CameraIntrinsics.of(1000, 900, 800, 450);
        // a point 10 m ahead, 1 m right, 0.5 m down: u = 1000 * 0.1 + 800, v = 900 * 0.05 + 450
        assertArrayEquals(new double[] {900, 495, 10}, k.project(1, 0.5, 10), 1e-9);
        assertArrayEquals(new double[] {1, 0.5, 10}, k.unproject(900, 495, 10), 1e-12);
        CameraIntrinsics skewed = new CameraIntrinsics(700, 710, 600, 180, 3);
        double[] uvz = skewed.project(-2, 1, 7);
        assertArrayEquals(new double[] {-2, 1, 7}, skewed.unproject(uvz[0], uvz[1], uvz[2]), 1e-12);
        double[] m = skewed.matrix(), mi = skewed.inverseMatrix();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int q = 0; q < 3; q++) s += m[i * 3 + q] * mi[q * 3 + j];
                assertEquals(i == j ? 1 : 0, s, 1e-12);
            }
        assertThrows(IllegalArgumentException.class, () -> CameraIntrinsics.ofRowMajor(1, 0, 0, 0, 1, 0, 0, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> CameraIntrinsics.of(0, 1, 0, 0));
    }

    /**
     * mmdetection3d's info file for the nuScenes keyframe stores lidar2ego, cam2ego, lidar2cam and cam2img. lidar2cam
     * goes through each sensor's own ego pose, and only the LiDAR's is stored, so inv(cam2ego) * lidar2ego matches it
     * up to the car's motion between the two timestamps (under 12 m/s here, 0.5 ms to 43 ms apart).
     */
    @Test
    void realNuScenesKeyframePosesAreConsistent() throws Exception {
        Optional<Path> dir = BevFixtures.sharedData("nuscenes/n015-2018-07-24-11-22-45+0800.info.json");
        Assumptions.assumeTrue(dir.isPresent(), "nuScenes info json" + BevFixtures.NO_DATA);
        JsonNode s = new ObjectMapper().enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature())
                .readTree(dir.get().toFile()).get("data_list").get(0);
        Pose lidarToEgo = Pose.ofRows(rows(s.get("lidar_points").get("lidar2ego")));
        Pose egoToGlobal = Pose.ofRows(rows(s.get("ego2global")));
        assertTrue(lidarToEgo.isRigid(1e-5) && egoToGlobal.isRigid(1e-5));
        double t0 = s.get("timestamp").asDouble();
        int cams = 0;
        for (var it = s.get("images").fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode cam = e.getValue();
            Pose camToEgo = Pose.ofRows(rows(cam.get("cam2ego")));
            Pose lidarToCam = Pose.ofRows(rows(cam.get("lidar2cam")));
            Pose estimate = lidarToEgo.then(camToEgo.inverse());
            double dt = Math.abs(cam.get("timestamp").asDouble() - t0);
            double[] a = estimate.translationVector(), b = lidarToCam.translationVector();
            double dist = Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
            assertTrue(dist <= 12 * dt + 0.01, e.getKey() + ": translation off by " + dist + " m for " + dt + " s");
            double[] ra = estimate.rotation(), rb = lidarToCam.rotation();
            for (int i = 0; i < 9; i++) assertEquals(rb[i], ra[i], 0.002 + 0.05 * dt, e.getKey() + " rotation");
            // a quaternion round trip of a real extrinsic
            Pose back = Pose.fromQuaternion(camToEgo.quaternion(), camToEgo.translationVector());
            assertEquals(0, back.maxAbsDiff(camToEgo), 1e-6, e.getKey());
            // the projection of a point 20 m in front of the camera lands near the principal point
            CameraIntrinsics k = CameraIntrinsics.ofRows(rows(cam.get("cam2img")));
            double[] uv = k.project(0, 0, 20);
            assertEquals(k.cx(), uv[0], 1e-9);
            assertTrue(k.cx() > 700 && k.cx() < 900 && k.cy() > 400 && k.cy() < 560, e.getKey() + " principal point " + k);
            cams++;
        }
        assertEquals(6, cams);
    }

    static double[][] rows(JsonNode m) {
        double[][] r = new double[m.size()][];
        for (int i = 0; i < r.length; i++) r[i] = BevFixtures.doubles(m.get(i));
        return r;
    }
}
