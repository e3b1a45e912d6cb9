package fuse3d.data.occ3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.sparse.bev.Pose;
import fuse3d.sparse.bev.SensorPose;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ray caster's conventions by hand, the origin selection, and the directory tree. */
class RayCasterTest {
    private static final Occ3dGrid ROW = new Occ3dGrid(0f, 0f, 0f, 1f, 10, 1, 1);

    private static Occ3dLabels row(int carAt) {
        byte[] s = new byte[10];
        Arrays.fill(s, (byte) 17);
        if (carAt >= 0) s[carAt] = 4;
        return Occ3dLabels.ofSemantics(new int[] {10, 1, 1}, s);
    }

    private static int[] label = new int[1];
    private static float[] dist = new float[1];

    private static void cast(Occ3dGrid g, Occ3dLabels l, double[] origin, float... ray) {
        RayCaster.cast(g, l, origin, new float[][] {ray}, label, dist, 0);
    }

    @Test
    void reportsTheExitDistanceOfTheFirstOccupiedVoxel() {
        cast(ROW, row(6), new double[] {0.5, 0.5, 0.5}, 1, 0, 0);
        assertEquals(4, label[0]);
        assertEquals(6.5f, dist[0], "where the ray leaves voxel 6, not where it enters (5.5)");
        // Origin inside the occupied voxel: that voxel, at its exit.
        cast(ROW, row(0), new double[] {0.25, 0.5, 0.5}, 1, 0, 0);
        assertEquals(4, label[0]);
        assertEquals(0.75f, dist[0]);
    }

    @Test
    void aRayThatHitsNothingReportsTheLastVoxelInsideAsFree() {
        cast(ROW, row(-1), new double[] {0.5, 0.5, 0.5}, 1, 0, 0);
        assertEquals(17, label[0]);
        assertEquals(9.5f, dist[0]);
        cast(ROW, row(6), new double[] {0.5, 0.5, 0.5}, -1, 0, 0);
        assertEquals(17, label[0]);
        assertEquals(0.5f, dist[0]);
        cast(ROW, row(6), new double[] {3.5, 0.5, 0.5}, 0, 0, 1);
        assertEquals(17, label[0]);
        assertEquals(0.5f, dist[0], "leaves through the top after half a voxel");
    }

    @Test
    void aRayThatNeverEntersKeepsTheRenderersDefaults() {
        Occ3dGrid g = new Occ3dGrid(0f, 0f, 0f, 0.4f, 10, 1, 1);
        Occ3dLabels l = row(0); // voxel (0, 0, 0) is a car: the default label is read from there
        cast(g, l, new double[] {0.2, 0.2, 3.0}, 0, 0, 1); // above the grid, going up
        assertEquals(4, label[0]);
        assertEquals(-0.4f, dist[0]);
    }

    @Test
    void metresScaleByTheVoxelSizeInFloat() {
        Occ3dGrid g = new Occ3dGrid(0f, 0f, 0f, 0.4f, 10, 1, 1);
        cast(g, row(6), new double[] {0.2, 0.2, 0.2}, 1, 0, 0);
        assertEquals(4, label[0]);
        assertEquals((float) 6.5 * 0.4f, dist[0]);
    }

    @Test
    void tiesGoToZThenY() {
        // From a voxel centre along the (1, 1, 1) diagonal the three boundaries are crossed at once: z first,
        // then (tMaxX == tMaxY < the new tMaxZ) y, then x. A car at (0, 0, 1) is hit; one at (1, 0, 0) is not.
        Occ3dGrid cube = new Occ3dGrid(0f, 0f, 0f, 1f, 2, 2, 2);
        byte[] s = new byte[8];
        Arrays.fill(s, (byte) 17);
        s[cube.index(0, 0, 1)] = 4;
        s[cube.index(1, 0, 0)] = 10;
        float d = (float) (1 / Math.sqrt(3));
        cast(cube, Occ3dLabels.ofSemantics(new int[] {2, 2, 2}, s), new double[] {0.5, 0.5, 0.5}, d, d, d);
        assertEquals(4, label[0]);
    }

    @Test
    void standardRaySet() {
        assertEquals(39 * 360, RayCaster.rayCount());
        double[] p = RayCaster.pitchAngles();
        assertEquals(-Math.PI / 4, p[0], 1e-15);
        assertTrue(p[38] >= 0.21 && p[37] < 0.21);
        for (float[] r : RayCaster.lidarRays()) assertEquals(1.0, Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]), 1e-6);
    }

    // ------------------------------------------------------------------------------------------------------
    // Origins.

    private static SensorPose at(double x, double y, double yaw, double[] lidarInEgo) {
        return new SensorPose(Pose.translation(lidarInEgo[0], lidarInEgo[1], lidarInEgo[2]),
                Pose.rotationZ(yaw).then(Pose.translation(x, y, 0)));
    }

    @Test
    void originsAreTheSceneLidarPositionsInTheReferenceEgoFrame() {
        double[] mount = RayOrigins.NUSCENES_LIDAR_IN_EGO;
        List<SensorPose> scene = List.of(at(100, 50, 0, mount), at(110, 50, 0, mount), at(160, 50, 0, mount));
        List<double[]> o = RayOrigins.forFrame(scene, 1);
        // Frame 0 is 10 m behind, frame 2 is 50 m ahead and dropped (|x| >= 39).
        assertEquals(2, o.size());
        assertArrayEquals(new double[] {-10 + mount[0], 0, mount[2]}, o.get(0), 1e-5);
        assertArrayEquals(mount, o.get(1), 0, "the reference frame's own origin is its LiDAR mount");
        // A rotated ego: 10 m ahead in the world along +y is +x in an ego facing +y.
        List<double[]> r = RayOrigins.forFrame(List.of(at(0, 0, Math.PI / 2, mount), at(0, 10, Math.PI / 2, mount)), 0);
        assertArrayEquals(new double[] {10 + mount[0], 0, mount[2]}, r.get(1), 1e-5);
        Map<String, List<double[]>> byToken = RayOrigins.forScene(List.of("a", "b", "c"), scene);
        assertEquals(List.of("a", "b", "c"), List.copyOf(byToken.keySet()));
    }

    @Test
    void atMostEightOriginsEvenlySpread() {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) all.add(i);
        // numpy: np.round(np.linspace(0, 19, 8)) = [0, 3, 5, 8, 11, 14, 16, 19]
        assertEquals(List.of(0, 3, 5, 8, 11, 14, 16, 19), RayOrigins.select(all));
        assertEquals(List.of(0, 1, 2), RayOrigins.select(List.of(0, 1, 2)));
        List<Integer> nine = all.subList(0, 9);
        // np.round(np.linspace(0, 8, 8)) = [0, 1, 2, 3, 5, 6, 7, 8] (8/7 * 3 = 3.43, * 4 = 4.57)
        assertEquals(List.of(0, 1, 2, 3, 5, 6, 7, 8), RayOrigins.select(nine));
    }

    // ------------------------------------------------------------------------------------------------------
    // Tree.

    @Test
    void findsPredictionsInEveryAcceptedLayout(@TempDir Path dir) throws IOException {
        Occ3dTree.Sample s = new Occ3dTree.Sample("scene-0003", "tok", dir.resolve("gt"));
        Path pred = dir.resolve("pred");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Occ3dTree.findPrediction(pred, s));
        assertTrue(e.getMessage().contains("scene-0003/tok"), e.getMessage());
        List<Path> c = Occ3dTree.predictionCandidates(pred, s);
        assertEquals(pred.resolve("scene-0003/tok/labels.npz"), c.get(0));
        assertEquals(pred.resolve("scene-0003_tok.npz"), c.get(2));
        for (int i = c.size() - 1; i >= 0; i--) {
            Files.createDirectories(c.get(i).getParent());
            Files.write(c.get(i), new byte[0]);
            assertEquals(c.get(i), Occ3dTree.findPrediction(pred, s), "the earliest layout present wins");
        }
        assertThrows(NoSuchFileException.class, () -> Occ3dTree.list(dir.resolve("nothing")));
        Path empty = Files.createDirectories(dir.resolve("empty/scene-0001/tok"));
        assertThrows(NoSuchFileException.class, () -> Occ3dTree.list(dir.resolve("empty")), "a tree without labels.npz");
    }
}
