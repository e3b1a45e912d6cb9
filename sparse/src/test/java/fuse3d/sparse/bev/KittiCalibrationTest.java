package fuse3d.sparse.bev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.Closeness;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * KITTI calibration: parsing (and its errors), projections of known points by hand, OpenPCDet's box conversions,
 * the golden case from gen_bev.py, and the real KITTI frames when the shared data folder is present.
 */
class KittiCalibrationTest {
    /**
     * A hand-written file: P2 with fu = fv = 700, centre (600, 180) and a 35-pixel baseline term; R0 the
     * identity; the LiDAR-to-camera axis swap (x_cam = -y, y_cam = -z, z_cam = x) plus a (0.1, -0.2, 0.3) shift.
     */
    static final String HAND = """
            P0: 700 0 600 0 0 700 180 0 0 0 1 0
            P1: 700 0 600 -380 0 700 180 0 0 0 1 0
            P2: 700 0 600 35 0 700 180 0 0 0 1 0
            P3: 700 0 600 -345 0 700 180 0 0 0 1 0
            R0_rect: 1 0 0 0 1 0 0 0 1
            Tr_velo_to_cam: 0 -1 0 0.1 0 0 -1 -0.2 1 0 0 0.3
            Tr_imu_to_velo: 1 0 0 -0.8 0 1 0 0.3 0 0 1 -0.8

            """;

    static KittiCalibration hand() { return KittiCalibration.parse(HAND, "hand.txt"); }

    @Test
    void parsesEveryMatrix() {
        KittiCalibration c = hand();
        assertArrayEquals(new double[] {700, 0, 600, -380, 0, 700, 180, 0, 0, 0, 1, 0}, c.projection(1));
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, c.r0Rect());
        assertArrayEquals(new double[] {0, -1, 0, 0.1, 0, 0, -1, -0.2, 1, 0, 0, 0.3}, c.trVeloToCam());
        assertArrayEquals(new double[] {-0.8, 0.3, -0.8}, c.imuToLidar().translationVector());
        assertEquals(CameraIntrinsics.of(700, 700, 600, 180), c.intrinsics());
    }

    @Test
    void projectsAKnownPointByHand() {
        KittiCalibration c = hand();
        // LiDAR (10, 1, -0.5) -> rect (-1 + 0.1, 0.5 - 0.2, 10 + 0.3)
        Tensor rect = c.lidarToRect(Tensor.of(new double[] {10, 1, -0.5}, 1, 3));
        assertArrayEquals(new double[] {-0.9, 0.3, 10.3}, rect.toDoubleArray(), 1e-12);
        // u = (700 * -0.9 + 600 * 10.3 + 35) / 10.3, v = (700 * 0.3 + 180 * 10.3) / 10.3, depth = 10.3
        Tensor img = c.lidarToImage(Tensor.of(new double[] {10, 1, -0.5}, 1, 3));
        assertArrayEquals(new double[] {5585 / 10.3, 2064 / 10.3, 10.3}, img.toDoubleArray(), 1e-9);
        // and back: pixel + depth -> rect -> LiDAR
        Tensor back = c.rectToLidar(c.imageToRect(img));
        assertArrayEquals(new double[] {10, 1, -0.5}, back.toDoubleArray(), 1e-9);
        // camera 2's own frame sits tx = -35 / 700 = -0.05 m from the rectified origin
        double[] fromCam2 = c.camera2ToLidar().apply(-0.9 + 0.05, 0.3, 10.3);
        assertArrayEquals(new double[] {10, 1, -0.5}, fromCam2, 1e-12);
        double[] uv = c.intrinsics().project(-0.9 + 0.05, 0.3, 10.3);
        assertArrayEquals(new double[] {5585 / 10.3, 2064 / 10.3}, new double[] {uv[0], uv[1]}, 1e-9);
    }

    @Test
    void boxesByHandWithTheBottomCentreShiftAndHeadingConversion() {
        KittiCalibration c = hand();
        Tensor lidar = Tensor.of(new double[] {10, 1, -0.5, 4, 2, 1.5, 0.3}, 1, 7);
        Tensor cam = c.boxesLidarToCamera(lidar);
        // bottom centre: z - dz / 2 = -1.25 -> y_cam = 1.25 - 0.2; (l, h, w) = (dx, dz, dy); ry = -0.3 - pi / 2
        assertArrayEquals(new double[] {-0.9, 1.05, 10.3, 4, 1.5, 2, -0.3 - Math.PI / 2}, cam.toDoubleArray(), 1e-12);
        assertArrayEquals(lidar.toDoubleArray(), c.boxesCameraToLidar(cam).toDoubleArray(), 1e-12);
        // a box with velocity columns keeps only the 7 geometric ones; float32 stays float32
        Tensor withVel = Tensor.ofFloats(new float[] {10, 1, -0.5f, 4, 2, 1.5f, 0.3f, 5, 6}, 1, 9);
        Tensor cam32 = c.boxesLidarToCamera(withVel);
        assertEquals(DType.FLOAT32, cam32.dtype());
        assertArrayEquals(new int[] {1, 7}, cam32.shape());
        // a zero-size box is still a defined conversion
        Tensor zero = c.boxesLidarToCamera(Tensor.of(new double[] {10, 1, -0.5, 0, 0, 0, 0}, 1, 7));
        assertArrayEquals(new double[] {-0.9, 0.3, 10.3, 0, 0, 0, -Math.PI / 2}, zero.toDoubleArray(), 1e-12);
        // empty inputs give empty outputs
        assertArrayEquals(new int[] {0, 7}, c.boxesLidarToCamera(Tensor.zeros(DType.FLOAT64, 0, 7)).shape());
        assertArrayEquals(new int[] {0, 3}, c.lidarToImage(Tensor.zeros(0, 4)).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.boxesLidarToCamera(Tensor.zeros(2, 6)));
        assertTrue(e.getMessage().contains("boxesLidarToCamera") && e.getMessage().contains("[2, 6]"), e.getMessage());
    }

    @Test
    void cornersAndImageBoxOfAnAxisAlignedBox() {
        KittiCalibration c = hand();
        // a 2 (l) x 1 (h) x 1 (w) box, bottom centre (0, 1, 10), ry = 0: x in [-1, 1], y in [0, 1], z in [9.5, 10.5]
        Tensor box = Tensor.of(new double[] {0, 1, 10, 2, 1, 1, 0}, 1, 7);
        Tensor corners = KittiCalibration.cameraBoxCorners(box);
        assertArrayEquals(new double[] {1, 1, 10.5, 1, 1, 9.5, -1, 1, 9.5, -1, 1, 10.5, 1, 0, 10.5, 1, 0, 9.5, -1, 0, 9.5, -1, 0, 10.5},
                corners.toDoubleArray(), 1e-12);
        Tensor ib = c.boxesCameraToImageBoxes(box, null);
        // extremes: u from x = -1 at z = 9.5 and x = 1 at z = 9.5; v from y = 0 (z 10.5) and y = 1 (z 9.5)
        double u1 = (700 * -1 + 600 * 9.5 + 35) / 9.5, u2 = (700 * 1 + 600 * 9.5 + 35) / 9.5;
        double v1 = (180 * 10.5) / 10.5, v2 = (700 * 1 + 180 * 9.5) / 9.5;
        assertArrayEquals(new double[] {u1, v1, u2, v2}, ib.toDoubleArray(), 1e-9);
        Tensor clipped = c.boxesCameraToImageBoxes(box, new int[] {200, 650});
        assertArrayEquals(new double[] {u1, v1, 649, 199}, clipped.toDoubleArray(), 1e-9);
    }

    @Test
    void malformedFilesNameTheFileAndLine() {
        String bad = HAND.replace("R0_rect: 1 0 0 0 1 0 0 0 1", "R0_rect: 1 0 0 0 1 0 0 0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KittiCalibration.parse(bad, "calib/000042.txt"));
        assertTrue(e.getMessage().contains("calib/000042.txt line 5") && e.getMessage().contains("R0_rect needs 9 numbers, got 8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KittiCalibration.parse(HAND.replace("P2: 700", "P2: 7o0"), "x.txt"));
        assertTrue(e.getMessage().contains("x.txt line 3") && e.getMessage().contains("'7o0'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KittiCalibration.parse(HAND.replace("P3:", "P2:"), "x.txt"));
        assertTrue(e.getMessage().contains("line 4") && e.getMessage().contains("twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KittiCalibration.parse(HAND.replace("Tr_velo_to_cam", "Tr_velo_cam"), "x.txt"));
        assertTrue(e.getMessage().contains("missing Tr_velo_to_cam"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KittiCalibration.parse("just garbage\n", "y.txt"));
        assertTrue(e.getMessage().contains("y.txt line 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KittiCalibration.parse(HAND.replace("P2: 700", "P2: NaN"), "x.txt"));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KittiCalibration.parse("", "empty.txt"));
    }

    @Test
    void readsFromAFile() throws Exception {
        Path f = Files.createTempFile("calib", ".txt");
        try {
            Files.writeString(f, HAND.replace("\n", "\r\n"));
            assertArrayEquals(hand().projection(2), KittiCalibration.read(f).projection(2));
            Files.writeString(f, "P2: 1 2 3\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KittiCalibration.read(f));
            assertTrue(e.getMessage().contains(f.toString() + " line 1"), e.getMessage());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** OpenPCDet's formulas (numpy, float64) on a made-up calibration, from gen_bev.py. */
    @Test
    void goldenMatchesOpenPcdetFormulas() throws Exception {
        KittiCalibration c = KittiCalibration.of(BevFixtures.golden("kitti/in0").toDoubleArray(), BevFixtures.golden("kitti/in1").toDoubleArray(),
                BevFixtures.golden("kitti/in2").toDoubleArray());
        Tensor pts = BevFixtures.golden("kitti/in3"), boxes = BevFixtures.golden("kitti/in4"), uvd = BevFixtures.golden("kitti/in5");
        double rtol = 1e-12, atol = 1e-9;
        Closeness.assertClose(c.lidarToRect(pts), BevFixtures.golden("kitti/out0"), rtol, atol);
        Tensor img = c.lidarToImage(pts);
        Closeness.assertClose(img.narrow(1, 0, 2), BevFixtures.golden("kitti/out1"), rtol, atol);
        Closeness.assertClose(img.select(1, 2), BevFixtures.golden("kitti/out2"), rtol, atol);
        Closeness.assertClose(c.imageToRect(uvd), BevFixtures.golden("kitti/out3"), rtol, atol);
        Tensor cam = c.boxesLidarToCamera(boxes);
        Closeness.assertClose(cam, BevFixtures.golden("kitti/out4"), rtol, atol);
        Closeness.assertClose(c.boxesCameraToLidar(cam), BevFixtures.golden("kitti/out5"), rtol, atol);
        Closeness.assertClose(c.boxesCameraToImageBoxes(cam, null), BevFixtures.golden("kitti/out6"), rtol, atol);
        Closeness.assertClose(KittiCalibration.cameraBoxCorners(cam), BevFixtures.golden("kitti/out7"), rtol, atol);
    }

    /**
     * The real KITTI frames 000000-000005: each labelled object's 3D box, converted to LiDAR and back, is unchanged;
     * its projected corners enclose a 2D box within 12 px of the label's 2D box (the README's sanity check found 1-10
     * px); and in frame 000000 the pedestrian holds the LiDAR points the README counted (376).
     */
    @Test
    void realKittiFramesAreConsistent() throws Exception {
        Optional<Path> root = BevFixtures.sharedData("kitti/training");
        Assumptions.assumeTrue(root.isPresent(), "KITTI training frames" + BevFixtures.NO_DATA);
        int objects = 0;
        for (int frame = 0; frame <= 5; frame++) {
            String id = String.format("%06d", frame);
            KittiCalibration c = KittiCalibration.read(root.get().resolve("calib/" + id + ".txt"));
            for (String line : Files.readAllLines(root.get().resolve("label_2/" + id + ".txt"))) {
                String[] f = line.trim().split("\\s+");
                if (f[0].equals("DontCare")) continue;
                double[] v = new double[f.length - 1];
                for (int i = 1; i < f.length; i++) v[i - 1] = Double.parseDouble(f[i]);
                // label: trunc occ alpha x1 y1 x2 y2 h w l x y z ry -> camera box (x, y, z, l, h, w, ry)
                Tensor cam = Tensor.of(new double[] {v[10], v[11], v[12], v[9], v[7], v[8], v[13]}, 1, 7);
                Tensor lidar = c.boxesCameraToLidar(cam);
                Closeness.assertClose(c.boxesLidarToCamera(lidar), cam, 1e-9, 1e-9);
                double[] ib = c.boxesCameraToImageBoxes(cam, null).toDoubleArray();
                for (int k = 0; k < 4; k++)
                    assertEquals(v[3 + k], ib[k], 12, id + " " + f[0] + " 2D box coordinate " + k);
                if (frame == 0) {
                    Path bin = root.get().resolve("velodyne/" + id + ".bin");
                    assertEquals(376, pointsInCameraBox(c, bin, cam.toDoubleArray()), "000000 Pedestrian points (camera frame)");
                    // the LiDAR-frame box agrees up to a point on its face (Tr_velo_to_cam is orthonormal only to ~1e-6)
                    assertEquals(376, pointsInLidarBox(bin, lidar.toDoubleArray()), 1, "000000 Pedestrian points (LiDAR frame)");
                }
                objects++;
            }
        }
        assertEquals(10, objects);
    }

    private static Tensor readVelodyne(Path velodyne) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(velodyne)).order(ByteOrder.LITTLE_ENDIAN);
        float[] p = new float[b.remaining() / 4];
        b.asFloatBuffer().get(p);
        return Tensor.ofFloats(p, p.length / 4, 4);
    }

    /** Points inside a camera box: rotate the offset from the bottom centre by -ry about y. */
    private static int pointsInCameraBox(KittiCalibration calib, Path velodyne, double[] box) throws Exception {
        double[] rect = calib.lidarToRect(readVelodyne(velodyne).to(DType.FLOAT64)).toDoubleArray();
        double c = Math.cos(box[6]), s = Math.sin(box[6]);
        int inside = 0;
        for (int i = 0; i < rect.length; i += 4) {
            double x = rect[i] - box[0], y = rect[i + 1] - box[1], z = rect[i + 2] - box[2];
            double lx = x * c - z * s, lz = x * s + z * c;
            if (Math.abs(lx) <= box[3] / 2 && y <= 0 && y >= -box[4] && Math.abs(lz) <= box[5] / 2) inside++;
        }
        return inside;
    }

    private static int pointsInLidarBox(Path velodyne, double[] box) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(velodyne)).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.remaining() / 16, inside = 0;
        double c = Math.cos(-box[6]), s = Math.sin(-box[6]);
        for (int i = 0; i < n; i++) {
            double x = b.getFloat() - box[0], y = b.getFloat() - box[1], z = b.getFloat() - box[2];
            b.getFloat();
            double lx = c * x - s * y, ly = s * x + c * y;
            if (Math.abs(lx) <= box[3] / 2 && Math.abs(ly) <= box[4] / 2 && Math.abs(z) <= box[5] / 2) inside++;
        }
        return inside;
    }

}
