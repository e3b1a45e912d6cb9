package fuse3d.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.data.nuscenes.NuScenesTables;
import fuse3d.data.occ3d.Occ3d;
import fuse3d.data.occ3d.Occ3dEvaluator;
import fuse3d.data.occ3d.Occ3dGrid;
import fuse3d.data.occ3d.Occ3dLabels;
import fuse3d.data.occ3d.Occ3dResult;
import fuse3d.data.occ3d.Occ3dTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synthetic occupancy: perfect against itself, consistent with the LiDAR that scanned the same scene (returns
 * land in occupied, LiDAR-visible voxels; the space the rays crossed is free), objects' voxels inside their boxes,
 * and reproducible byte for byte.
 */
class SyntheticOcc3dTest {
    static final SyntheticNuScenes.Config CFG = new SyntheticNuScenes.Config(1, 0, 60);
    static final Occ3dGrid G = Occ3d.GRID;
    static SyntheticNuScenes.Plan plan;
    static Occ3dLabels labels;
    static Scene scene;
    static double[] ego;

    @BeforeAll
    static void build() {
        plan = SyntheticNuScenes.scenePlan(5, 0, CFG);
        labels = SyntheticOcc3d.labels(plan, 0);
        scene = plan.sceneAt(0);
        ego = plan.egoToScene(0).translationVector();
    }

    /** The ego-frame returns of the key frame scan, [N][3]. */
    static double[][] returns() {
        Lidar.LidarScan scan = plan.scan(0);
        double[] r = SyntheticNuScenes.LIDAR_TO_EGO.rowMajor();
        float[] p = scan.points();
        double[][] out = new double[scan.size()][];
        for (int i = 0; i < scan.size(); i++) {
            double x = p[i * 4], y = p[i * 4 + 1], z = p[i * 4 + 2];
            out[i] = new double[] {r[0] * x + r[1] * y + r[2] * z + r[3], r[4] * x + r[5] * y + r[6] * z + r[7], r[8] * x + r[9] * y + r[10] * z + r[11]};
        }
        return out;
    }

    static int count(int cls) {
        int n = 0;
        for (int i = 0; i < labels.size(); i++) if (labels.label(i) == cls) n++;
        return n;
    }

    @Test
    void holdsTheExpectedClassesAndMasks() {
        for (int cls : new int[] {4, 11, 13, 15}) assertTrue(count(cls) > 0, "class " + Occ3d.CLASS_NAMES.get(cls) + " absent");
        int lidar = 0, camera = 0;
        for (int i = 0; i < labels.size(); i++) {
            if (labels.maskLidar()[i]) lidar++;
            if (labels.maskCamera()[i]) camera++;
        }
        // both masks cover a real share of the grid, but not all of it (occlusion, beams, height)
        assertTrue(lidar > 20_000 && lidar < G.size() / 2, "mask_lidar " + lidar);
        assertTrue(camera > 50_000 && camera < G.size() * 9 / 10, "mask_camera " + camera);
    }

    @Test
    void groundTruthAgainstItselfIsPerfectUnderEachMask() {
        Occ3dEvaluator ev = new Occ3dEvaluator(G, false);
        ev.add(labels, labels.withoutMasks(), List.of());
        Occ3dResult r = ev.result();
        for (Occ3dEvaluator.MaskMode m : Occ3dEvaluator.MaskMode.values()) {
            assertEquals(1.0, r.mask(m).miou(), 1e-12, m.key);
            assertEquals(1.0, r.mask(m).occupiedIou(), 1e-12, m.key);
        }
    }

    @Test
    void everyLidarReturnLandsInAnOccupiedVisibleVoxel() {
        double bound = SyntheticOcc3d.SPACING / Math.sqrt(2) + SyntheticNuScenes.LIDAR.noiseBound() + 1e-4;
        int inGrid = 0, freeAtBorder = 0;
        for (double[] p : returns()) {
            int v = SyntheticOcc3d.voxel(p[0], p[1], p[2]);
            if (v < 0) continue;
            inGrid++;
            assertTrue(labels.maskLidar()[v], "return " + p[0] + ", " + p[1] + ", " + p[2] + " outside mask_lidar");
            if (labels.label(v) != Occ3d.FREE) continue;
            freeAtBorder++;
            double d = distanceToOccupied(p);
            assertTrue(d <= bound, "return " + p[0] + ", " + p[1] + ", " + p[2] + " lies " + d + " m from any occupied voxel");
        }
        assertTrue(inGrid > 10_000, "returns in the grid: " + inGrid);
        // range noise and sampling slivers only matter at voxel borders: a small minority
        assertTrue(freeAtBorder < inGrid / 50, freeAtBorder + " of " + inGrid + " returns in free voxels");
    }

    /** Distance from an ego-frame point to the nearest occupied voxel (as a box), searching the 3x3x3 neighbourhood. */
    static double distanceToOccupied(double[] p) {
        double vs = G.voxelSize();
        int i = (int) Math.floor((p[0] - G.xMin()) / vs), j = (int) Math.floor((p[1] - G.yMin()) / vs), k = (int) Math.floor((p[2] - G.zMin()) / vs);
        double best = Double.POSITIVE_INFINITY;
        for (int a = i - 1; a <= i + 1; a++)
            for (int b = j - 1; b <= j + 1; b++)
                for (int c = k - 1; c <= k + 1; c++) {
                    if (a < 0 || b < 0 || c < 0 || a >= G.nx() || b >= G.ny() || c >= G.nz()) continue;
                    if (labels.label(G.index(a, b, c)) == Occ3d.FREE) continue;
                    double dx = gap(p[0], G.xMin() + a * vs, vs), dy = gap(p[1], G.yMin() + b * vs, vs), dz = gap(p[2], G.zMin() + c * vs, vs);
                    best = Math.min(best, Math.sqrt(dx * dx + dy * dy + dz * dz));
                }
        return best;
    }

    private static double gap(double x, double lo, double size) { return Math.max(0, Math.max(lo - x, x - lo - size)); }

    @Test
    void spaceTheRaysCrossedIsFreeAndLidarVisible() {
        double[] origin = SyntheticNuScenes.LIDAR_TO_EGO.translationVector();
        double diag = G.voxelSize() * Math.sqrt(3);
        double[][] ret = returns();
        int checked = 0;
        for (int n = 0; n < ret.length; n += 7) {
            double[] p = ret[n];
            double dx = p[0] - origin[0], dy = p[1] - origin[1], dz = p[2] - origin[2];
            double range = Math.sqrt(dx * dx + dy * dy + dz * dz);
            for (double t = 0; t < range - 2 * diag; t += 0.05) {
                double x = origin[0] + dx * t / range, y = origin[1] + dy * t / range, z = origin[2] + dz * t / range;
                int v = SyntheticOcc3d.voxel(x, y, z);
                if (v < 0) break;
                assertTrue(labels.maskLidar()[v], "crossed voxel not in mask_lidar at " + x + ", " + y + ", " + z);
                // an occupied voxel has a surface through it, so every point of it is within a diagonal of that surface
                if (scene.surfaceDistance(x + ego[0], y + ego[1], z + ego[2]) > diag) {
                    assertEquals(Occ3d.FREE, labels.label(v), "crossed voxel away from every surface is occupied at " + x + ", " + y + ", " + z);
                    checked++;
                }
            }
        }
        assertTrue(checked > 10_000, "free voxels checked: " + checked);
    }

    @Test
    void objectVoxelsLieInsideTheirBoxes() {
        double half = G.voxelSize() * Math.sqrt(3) / 2;
        double vs = G.voxelSize();
        List<double[]> boxes = new ArrayList<>();
        for (SceneObject o : scene.annotated()) if (SyntheticOcc3d.occClass(o.cls(), null) == 4) boxes.add(o.box());
        int carVoxels = 0;
        for (int i = 0; i < G.nx(); i++)
            for (int j = 0; j < G.ny(); j++)
                for (int k = 0; k < G.nz(); k++) {
                    if (labels.label(G.index(i, j, k)) != 4) continue;
                    carVoxels++;
                    double x = G.xMin() + (i + 0.5) * vs + ego[0], y = G.yMin() + (j + 0.5) * vs + ego[1], z = G.zMin() + (k + 0.5) * vs + ego[2];
                    boolean in = false;
                    for (double[] b : boxes) in |= inBox(b, x, y, z, half);
                    assertTrue(in, "car voxel " + i + ", " + j + ", " + k + " lies in no car box");
                }
        assertTrue(carVoxels > 100, "car voxels: " + carVoxels);
    }

    /** Whether a scene point lies inside box (x, y, z, dx, dy, dz, heading) grown by {@code grow} on every side. */
    static boolean inBox(double[] b, double x, double y, double z, double grow) {
        double c = Math.cos(b[6]), s = Math.sin(b[6]), rx = x - b[0], ry = y - b[1];
        double lx = c * rx + s * ry, ly = -s * rx + c * ry, lz = z - b[2];
        return Math.abs(lx) <= b[3] / 2 + grow && Math.abs(ly) <= b[4] / 2 + grow && Math.abs(lz) <= b[5] / 2 + grow;
    }

    @Test
    void nothingBelowTheGroundIsVisible() {
        double vs = G.voxelSize();
        int below = 0;
        for (int i = 0; i < G.nx(); i++)
            for (int j = 0; j < G.ny(); j++) {
                double x0 = G.xMin() + i * vs + ego[0], y0 = G.yMin() + j * vs + ego[1], ground = Double.POSITIVE_INFINITY;
                for (int c = 0; c < 4; c++) ground = Math.min(ground, scene.groundHeight(x0 + (c & 1) * vs, y0 + (c >> 1) * vs));
                for (int k = 0; k < G.nz(); k++) {
                    double top = G.zMin() + (k + 1) * vs + ego[2];
                    if (top > ground - vs) break;
                    int v = G.index(i, j, k);
                    below++;
                    // the occupied ground layer stops every ray that comes from above
                    assertTrue(!labels.maskCamera()[v] && !labels.maskLidar()[v], "voxel under the ground visible: " + i + ", " + j + ", " + k);
                    assertEquals(Occ3d.FREE, labels.label(v));
                }
            }
        assertTrue(below > 10_000, "voxels under the ground: " + below);
    }

    @Test
    void writesTheOcc3dTreeWithTheSampleTokensReproducibly(@TempDir Path a, @TempDir Path b) throws IOException {
        NuScenesTables ta = SyntheticOcc3d.write(a, 1, 3, CFG, null);
        SyntheticOcc3d.write(b, 1, 3, CFG, null);
        List<Occ3dTree.Sample> samples = Occ3dTree.list(a.resolve("gts"));
        assertEquals(ta.samples().size(), samples.size());
        for (Occ3dTree.Sample s : samples) {
            assertEquals(ta.scene(ta.sample(s.token()).sceneToken()).name(), s.scene());
            assertArrayEquals(Files.readAllBytes(s.labels()), Files.readAllBytes(Occ3dTree.labelsPath(b.resolve("gts"), s.scene(), s.token())));
        }
        Occ3dResult r = Occ3dEvaluator.evaluate(a.resolve("gts"), a.resolve("gts"), null);
        assertEquals(1.0, r.maskCamera().miou(), 1e-12);
    }
}
