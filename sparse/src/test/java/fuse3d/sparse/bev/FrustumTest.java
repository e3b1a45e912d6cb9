package fuse3d.sparse.bev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.Closeness;
import org.junit.jupiter.api.Test;

/** The LSS frustum (BEVDet's create_frustum) and its mapping to the LiDAR frame (get_lidar_coor). */
class FrustumTest {
    @Test
    void smallFrustumByHand() {
        // 32 x 48 input, downsample 16 -> 2 x 3 cells; u = linspace(0, 47, 3) = 0, 23.5, 47; v = linspace(0, 31, 2) = 0, 31
        Frustum f = Frustum.create(32, 48, 16, 1, 4, 1.5); // depths 1, 2.5 (arange stops before 4)
        assertEquals(2, f.depthBins());
        assertEquals(2, f.height());
        assertEquals(3, f.width());
        float[] p = f.points().toFloatArray();
        assertArrayEquals(new int[] {2, 2, 3, 3}, f.points().shape());
        assertArrayEquals(new float[] {0, 0, 1, 23.5f, 0, 1, 47, 0, 1, 0, 31, 1, 23.5f, 31, 1, 47, 31, 1}, java.util.Arrays.copyOf(p, 18));
        assertArrayEquals(new float[] {47, 31, 2.5f}, java.util.Arrays.copyOfRange(p, 33, 36));
    }

    @Test
    void badFrustumArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Frustum.create(8, 48, 16, 1, 4, 1));   // feature map would be empty
        assertThrows(IllegalArgumentException.class, () -> Frustum.create(32, 48, 16, 4, 1, 1));  // dmax < dmin
        assertThrows(IllegalArgumentException.class, () -> Frustum.create(32, 48, 16, 1, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> Frustum.create(32, 48, 16, Double.NaN, 4, 1));
    }

    @Test
    void identityCameraLiftsPixelsByHand() {
        // K = [[10, 0, 5], [0, 10, 4], [0, 0, 1]], camera frame = LiDAR frame: (u, v, d) -> ((u - 5) d / 10, (v - 4) d / 10, d)
        Frustum f = Frustum.create(16, 16, 8, 2, 3, 1); // u, v in {0, 15}, one depth 2
        CameraView cam = CameraView.of(Pose.identity(), CameraIntrinsics.of(10, 10, 5, 4));
        Tensor g = f.toLidar(new CameraView[][] {{cam}}, null, DType.FLOAT64);
        assertArrayEquals(new int[] {1, 1, 1, 2, 2, 3}, g.shape());
        assertArrayEquals(new double[] {-1, -0.8, 2, 2, -0.8, 2, -1, 2.2, 2, 2, 2.2, 2}, g.toDoubleArray(), 1e-12);
        // a BEV augmentation rotating by 90 degrees and a camera 1 m up
        CameraView up = CameraView.of(Pose.translation(0, 0, 1), CameraIntrinsics.of(10, 10, 5, 4));
        Tensor r = f.toLidar(new CameraView[][] {{up}}, new Pose[] {Pose.rotationZ(Math.PI / 2)}, DType.FLOAT64);
        assertArrayEquals(new double[] {0.8, -1, 3}, java.util.Arrays.copyOf(r.toDoubleArray(), 3), 1e-12);
    }

    @Test
    void imageAugmentationIsUndone() {
        // a pixel seen through resize + crop + flip + rotate lands on the same LiDAR point as without augmentation
        Frustum f = Frustum.create(16, 16, 8, 2, 3, 1);
        CameraIntrinsics k = CameraIntrinsics.of(10, 10, 5, 4);
        CameraView plain = CameraView.of(Pose.identity(), k);
        CameraView aug = plain.withImageAugmentation(1.0, new double[] {0, 0, 16, 16}, true, 0);
        // the flip maps u -> 16 - u: frustum u = 0 of the augmented image was u = 16 of the original
        Tensor g = f.toLidar(new CameraView[][] {{aug}}, null, DType.FLOAT64);
        assertArrayEquals(new double[] {(16 - 5) * 2 / 10.0, -0.8, 2}, java.util.Arrays.copyOf(g.toDoubleArray(), 3), 1e-12);
    }

    @Test
    void goldenFrustums() throws Exception {
        for (String kase : new String[] {"frustum_a", "frustum_b"}) {
            JsonNode a = BevFixtures.args(kase);
            double[] d = BevFixtures.doubles(a.get("depth"));
            Frustum f = Frustum.create(a.get("input_size").get(0).asInt(), a.get("input_size").get(1).asInt(), a.get("downsample").asInt(), d[0], d[1], d[2]);
            Tensor expected = BevFixtures.golden(kase + "/out0");
            // linspace is bit-identical; torch's vectorised float32 arange rounds some depths 1 ulp differently (it adds
            // float steps to a per-vector base, and the vector width depends on the CPU), so compare to 1 ulp
            float[] e = expected.toFloatArray(), got = f.points().toFloatArray();
            for (int i = 0; i < e.length; i++) assertEquals(e[i], got[i], Math.ulp(e[i]), kase + " entry " + i);
        }
    }

    /** get_lidar_coor in float32 torch (inverse in float32) against this float64 computation rounded to float32. */
    @Test
    void goldenLidarCoordinatesAndPostTransforms() throws Exception {
        JsonNode a = BevFixtures.args("lidar_coor");
        double[] d = BevFixtures.doubles(a.get("depth"));
        Frustum f = Frustum.create(a.get("input_size").get(0).asInt(), a.get("input_size").get(1).asInt(), a.get("downsample").asInt(), d[0], d[1], d[2]);
        Tensor rots = BevFixtures.golden("lidar_coor/in0"), trans = BevFixtures.golden("lidar_coor/in1"), k = BevFixtures.golden("lidar_coor/in2");
        Tensor postRots = BevFixtures.golden("lidar_coor/in3"), postTrans = BevFixtures.golden("lidar_coor/in4"), bda = BevFixtures.golden("lidar_coor/in5");
        Tensor coor = f.toLidar(rots, trans, k, postRots, postTrans, bda);
        assertEquals(DType.FLOAT32, coor.dtype());
        Closeness.assertClose(coor, BevFixtures.golden("lidar_coor/out0"), 1e-5, 2e-5);

        // BEVDet's img_transform bookkeeping from the recorded augmentation parameters (float64 both sides)
        double[] pr = BevFixtures.golden("lidar_coor/out1").toDoubleArray(), pt = BevFixtures.golden("lidar_coor/out2").toDoubleArray();
        JsonNode augs = a.get("augs");
        for (int c = 0; c < augs.size(); c++) {
            JsonNode g = augs.get(c);
            CameraView v = CameraView.of(Pose.identity(), CameraIntrinsics.of(1, 1, 0, 0))
                    .withImageAugmentation(g.get("resize").asDouble(), BevFixtures.doubles(g.get("crop")), g.get("flip").asBoolean(), g.get("rotate").asDouble());
            assertArrayEquals(java.util.Arrays.copyOfRange(pr, c * 9, c * 9 + 9), v.postRot(), 1e-12, "post_rot of camera " + c);
            assertArrayEquals(java.util.Arrays.copyOfRange(pt, c * 3, c * 3 + 3), v.postTrans(), 1e-12, "post_tran of camera " + c);
        }
    }

    @Test
    void tensorArgumentsAreShapeChecked() {
        Frustum f = Frustum.create(16, 16, 8, 2, 3, 1);
        Tensor eye = Tensor.eye(3, 3, DType.FLOAT32).reshape(1, 1, 3, 3);
        Tensor zero = Tensor.zeros(1, 1, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.toLidar(eye, Tensor.zeros(1, 2, 3), eye, eye, zero, null));
        assertTrue(e.getMessage().contains("trans") && e.getMessage().contains("[1, 2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> f.toLidar(eye, zero, eye, eye, zero, Tensor.zeros(1, 2, 2)));
        assertTrue(e.getMessage().contains("bda"), e.getMessage());
        assertArrayEquals(new int[] {1, 1, 1, 2, 2, 3}, f.toLidar(eye, zero, eye, eye, zero, null).shape());
    }
}
