package fuse3d.sparse.points;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.tensor.Tensor;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * VoxelQuery.VoxelIndex keeps a dense row table for small grids and a hash for large ones; both layouts must
 * answer the same (the same voxels placed in a small grid and in a grid too large for a table).
 */
class VoxelIndexLayoutTest {
    private static final int[] SMALL = {4, 8, 8}, LARGE = {64, 512, 512}; // 1 x 16.8M cells: past the dense limit

    @Test
    void duplicatesKeepTheLastRowInBothLayouts() {
        Tensor c = Tensor.ofInts(new int[] {0, 1, 2, 3, 0, 1, 2, 3, 0, 0, 0, 0}, 3, 4);
        for (int[] shape : new int[][] {SMALL, LARGE}) {
            VoxelQuery.VoxelIndex idx = new VoxelQuery.VoxelIndex(c, shape, 1);
            assertEquals(1, idx.row(0, 1, 2, 3));
            assertEquals(2, idx.row(0, 0, 0, 0));
            assertEquals(-1, idx.row(0, 0, 0, 1));
            assertEquals(-1, idx.row(0, -1, 0, 0));
            assertEquals(-1, idx.row(1, 0, 0, 0));
        }
    }

    /** Queries near and beyond the small grid's border give the same rows with either layout. */
    @Property(tries = 20)
    void denseAndHashedIndexAgree(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int range, @ForAll @IntRange(min = 1, max = 10) int ns) {
        Random r = new Random(seed);
        int n = 90;
        int[] coords = new int[n * 4];
        for (int i = 0; i < n; i++) {
            coords[i * 4 + 1] = r.nextInt(SMALL[0]);
            coords[i * 4 + 2] = r.nextInt(SMALL[1]);
            coords[i * 4 + 3] = r.nextInt(SMALL[2]);
        }
        Tensor ct = Tensor.ofInts(coords, n, 4);
        double[] vs = {0.5, 0.5, 0.5}, pcr = {0, 0, 0, 256, 256, 32};
        Tensor centers = VoxelQuery.voxelCenters(ct, vs, pcr, 1);
        Tensor q = TestData.uniform(r, -1, 5, 40, 3);
        Tensor qc = VoxelQuery.gridCoords(q, null, vs, pcr, 1);
        int[] rg = {range, range, range};
        BallQuery.Result dense = VoxelQuery.query(rg, 1.2, ns, centers, q, qc, new VoxelQuery.VoxelIndex(ct, SMALL, 1));
        BallQuery.Result hashed = VoxelQuery.query(rg, 1.2, ns, centers, q, qc, new VoxelQuery.VoxelIndex(ct, LARGE, 1));
        assertArrayEquals(hashed.idx().toIntArray(), dense.idx().toIntArray());
        assertArrayEquals(hashed.empty().toBoolArray(), dense.empty().toBoolArray());
    }
}
