package fuse3d.sparse.voxel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The synthetic LiDAR scan: seeded, KITTI-sized, physically sensible, and voxelizes like a real scan. */
class SyntheticScanTest {
    static final SyntheticScan.Scan FULL = SyntheticScan.generate(42);

    @Test
    void sameSeedSameScanOtherSeedOtherScan() {
        SyntheticScan.Scan again = SyntheticScan.generate(42);
        assertArrayEquals(FULL.points().toFloatArray(), again.points().toFloatArray());
        assertArrayEquals(FULL.boxes().toFloatArray(), again.boxes().toFloatArray());
        assertNotEquals(FULL.size(), SyntheticScan.generate(43).size());
    }

    @Test
    void fullTurnIsKittiSized() {
        assertEquals(4, FULL.points().size(1));
        assertTrue(FULL.size() > 100_000 && FULL.size() < 140_000, "points in a full turn: " + FULL.size());
        assertEquals(FULL.labels().size(), FULL.boxes().size(0));
        assertEquals(8, FULL.labels().stream().filter("Car"::equals).count());
        assertEquals(4, FULL.labels().stream().filter("Pedestrian"::equals).count());
    }

    @Test
    void pointsAreInRangeOnOrAboveTheGroundWithIntensityInUnitRange() {
        float[] p = FULL.points().toFloatArray();
        int ground = 0;
        for (int i = 0; i < FULL.size(); i++) {
            double r = Math.sqrt(p[i * 4] * p[i * 4] + p[i * 4 + 1] * p[i * 4 + 1] + p[i * 4 + 2] * p[i * 4 + 2]);
            assertTrue(r < 100.0001, "range");
            assertTrue(p[i * 4 + 2] > -1.73 - 0.3, "no point far below the ground");
            assertTrue(p[i * 4 + 3] >= 0 && p[i * 4 + 3] <= 1, "intensity in [0, 1]");
            if (Math.abs(p[i * 4 + 2] + 1.73) < 0.1) ground++;
        }
        assertTrue(ground > FULL.size() / 2, "most returns are ground: " + ground);
    }

    @Test
    void objectsGetPointsOnTheirSurface() {
        float[] p = FULL.points().toFloatArray(), b = FULL.boxes().toFloatArray();
        int near = 0;
        for (int k = 0; k < FULL.boxes().size(0); k++) {
            double cx = b[k * 7], cy = b[k * 7 + 1], cz = b[k * 7 + 2], c = Math.cos(b[k * 7 + 6]), s = Math.sin(b[k * 7 + 6]);
            int inside = 0;
            for (int i = 0; i < FULL.size(); i++) {
                double dx = p[i * 4] - cx, dy = p[i * 4 + 1] - cy, dz = p[i * 4 + 2] - cz;
                double lx = c * dx + s * dy, ly = -s * dx + c * dy;
                // a box enlarged by 10 cm holds its surface points despite the range noise
                if (Math.abs(lx) <= b[k * 7 + 3] / 2 + 0.1 && Math.abs(ly) <= b[k * 7 + 4] / 2 + 0.1 && Math.abs(dz) <= b[k * 7 + 5] / 2 + 0.1) inside++;
            }
            if (Math.hypot(cx, cy) < 20) {
                near++;
                assertTrue(inside > 10, "object " + k + " at " + Math.hypot(cx, cy) + " m has only " + inside + " points");
            }
        }
        assertTrue(near >= 0);
    }

    @Test
    void frontOnlyKeepsKittisCameraFieldOfView() {
        SyntheticScan.Scan front = SyntheticScan.generate(SyntheticScan.Options.kitti().withFrontOnly(true), 42);
        float[] p = front.points().toFloatArray();
        for (int i = 0; i < front.size(); i++) assertTrue(Math.abs(Math.atan2(p[i * 4 + 1], p[i * 4])) <= Math.toRadians(45) + 1e-3);
        assertTrue(front.size() > FULL.size() / 6 && front.size() < FULL.size() / 2, "front points " + front.size());
    }

    @Test
    void voxelizesLikeAScan() {
        // KITTI's SECOND grid: most voxels hold few points, the near ground holds more, no voxel cap is hit at 16k
        Voxels v = new Voxelizer(VoxelGrid.kitti(), 5, 40_000).voxelize(FULL.points());
        assertTrue(v.count() > 10_000 && v.count() < 40_000, "voxels " + v.count());
        double mean = java.util.Arrays.stream(v.numPoints().toIntArray()).average().orElse(0);
        assertTrue(mean > 1 && mean < 5, "mean points per voxel " + mean);
        List<String> labels = FULL.labels();
        assertTrue(labels.stream().allMatch(l -> l.equals("Car") || l.equals("Pedestrian")));
    }
}
