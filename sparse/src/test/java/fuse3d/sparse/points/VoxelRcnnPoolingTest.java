package fuse3d.sparse.points;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Voxel R-CNN's grid points, voxel query and neighbour-voxel set abstraction. */
class VoxelRcnnPoolingTest {

    @Test
    void gridPointsByHand() {
        Tensor roi = Tensor.ofFloats(new float[] {10, 20, 1, 2, 4, 6, (float) (Math.PI / 2)}, 1, 7);
        float[] local = RoiGridPoints.local(roi, 2).toFloatArray();
        // k = (i*2 + j)*2 + l: point 1 is (x-, y-, z+), point 4 is (x+, y-, z-)
        assertArrayEquals(new float[] {-0.5f, -1, 1.5f}, java.util.Arrays.copyOfRange(local, 3, 6));
        assertArrayEquals(new float[] {0.5f, -1, -1.5f}, java.util.Arrays.copyOfRange(local, 12, 15));
        float[] global = RoiGridPoints.global(roi, 2).toFloatArray();
        // a quarter turn maps local (0.5, -1) to world offset (1, 0.5)
        assertArrayEquals(new float[] {11, 20.5f, -0.5f}, java.util.Arrays.copyOfRange(global, 12, 15), 1e-5f);
    }

    @Test
    void floorDivisionAndCentresAsTorch() {
        assertEquals(-1f, VoxelQuery.floorDivide(-0.1f, 0.2f));
        // torch 1.13: tensor([0.6]) // 0.2 == 3 in float32 (Python's float64 0.6 // 0.2 is 2.0): the op works in the tensor's dtype
        assertEquals(3f, VoxelQuery.floorDivide(0.6f, 0.2f));
        assertEquals(-0f, VoxelQuery.floorDivide(0f, -3f));
        assertEquals(3f, VoxelQuery.floorDivide(7f, 2f));
        Tensor c = Tensor.ofInts(new int[] {0, 1, 2, 3}, 1, 4);
        // stride 2, voxel 0.1: x = (3 + 0.5) * 0.2 + 0, y = (2.5) * 0.2 - 4, z = 1.5 * 0.2 - 1
        assertArrayEquals(new float[] {0.7f, -3.5f, -0.7f},
                VoxelQuery.voxelCenters(c, new double[] {0.1, 0.1, 0.1}, new double[] {0, -4, -1, 8, 4, 1}, 2).toFloatArray(), 1e-6f);
    }

    /** The query equals a naive scan of the whole voxel set in (z, y, x) box order. */
    @Property(tries = 40)
    void voxelQueryEqualsNaiveScan(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int range, @ForAll @IntRange(min = 1, max = 12) int ns) {
        Random r = new Random(seed);
        int[] shape = {4, 8, 8};
        double[] vs = {0.5, 0.5, 0.5}, pcr = {0, 0, 0, 4, 4, 2};
        int n = 120;
        java.util.LinkedHashSet<Integer> cells = new java.util.LinkedHashSet<>();
        while (cells.size() < n) cells.add(r.nextInt(2 * 4 * 8 * 8));
        int[] coords = new int[n * 4];
        int i = 0;
        for (int cell : cells) {
            coords[i * 4] = cell / 256;
            coords[i * 4 + 1] = cell / 64 % 4;
            coords[i * 4 + 2] = cell / 8 % 8;
            coords[i * 4 + 3] = cell % 8;
            i++;
        }
        Tensor ct = Tensor.ofInts(coords, n, 4);
        Tensor centers = VoxelQuery.voxelCenters(ct, vs, pcr, 1);
        int m = 30;
        Tensor q = TestData.uniform(r, -0.5, 4.5, m, 3);
        int[] batch = new int[m];
        for (int k = 0; k < m; k++) batch[k] = k % 2;
        Tensor qc = VoxelQuery.gridCoords(q, batch, vs, pcr, 1);
        double radius = 0.8;
        BallQuery.Result res = VoxelQuery.query(new int[] {range, range, range}, radius, ns, centers, q, qc, new VoxelQuery.VoxelIndex(ct, shape, 2));
        int[] idx = res.idx().toIntArray(), qci = qc.toIntArray();
        float[] cv = centers.toFloatArray(), qv = q.toFloatArray();
        float r2 = (float) radius * (float) radius;
        for (int k = 0; k < m; k++) {
            java.util.List<int[]> hits = new java.util.ArrayList<>(); // (order key, row)
            for (int v = 0; v < n; v++) {
                int dz = coords[v * 4 + 1] - qci[k * 4 + 1], dy = coords[v * 4 + 2] - qci[k * 4 + 2], dx = coords[v * 4 + 3] - qci[k * 4 + 3];
                if (coords[v * 4] != qci[k * 4] || Math.abs(dz) > range || Math.abs(dy) > range || Math.abs(dx) > range) continue;
                float ex = cv[v * 3] - qv[k * 3], ey = cv[v * 3 + 1] - qv[k * 3 + 1], ez = cv[v * 3 + 2] - qv[k * 3 + 2];
                if (ex * ex + ey * ey + ez * ez > r2) continue;
                hits.add(new int[] {(dz * 10 + dy) * 10 + dx, v});
            }
            hits.sort((a, b) -> Integer.compare(a[0], b[0]));
            assertEquals(hits.isEmpty(), res.empty().toBoolArray()[k]);
            for (int s = 0; s < ns; s++) {
                int expect = hits.isEmpty() ? 0 : hits.get(s < hits.size() ? s : 0)[1];
                assertEquals(expect, idx[k * ns + s], "query " + k + " sample " + s);
            }
        }
    }

    @Test
    void badVoxelInput() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new VoxelQuery.VoxelIndex(Tensor.ofInts(new int[] {0, 0, 9, 0}, 1, 4), new int[] {2, 4, 4}, 1));
        assertTrue(e.getMessage().contains("voxel_query") && e.getMessage().contains("(0, 0, 9, 0)"), e.getMessage());
        VoxelQuery.VoxelIndex idx = new VoxelQuery.VoxelIndex(Tensor.ofInts(new int[] {0, 0, 0, 0}, 1, 4), new int[] {2, 4, 4}, 1);
        Tensor centers = Tensor.zeros(1, 3);
        e = assertThrows(IllegalArgumentException.class, () -> VoxelQuery.query(new int[] {1, 1, 1}, 1, 4, centers, Tensor.zeros(1, 3),
                Tensor.ofInts(new int[] {1, 0, 0, 0}, 1, 4), idx));
        assertTrue(e.getMessage().contains("batch index 1"), e.getMessage());
        // a NaN query point is an empty query
        BallQuery.Result r = VoxelQuery.query(new int[] {1, 1, 1}, 1, 2, centers, Tensor.ofFloats(new float[] {Float.NaN, 0, 0}, 1, 3),
                Tensor.ofInts(new int[] {0, 0, 0, 0}, 1, 4), idx);
        assertTrue(r.empty().toBoolArray()[0]);
    }

    @Test
    void setAbstractionShapesNamesAndGradcheck() {
        Generator g = new Generator(4);
        NeighborVoxelSAModuleMSG sa = new NeighborVoxelSAModuleMSG(new int[][] {{1, 1, 1}, {2, 2, 2}}, new double[] {0.6, 1.2}, new int[] {4, 6},
                new int[][] {{3, 4, 4}, {3, 4, 2}}, "max_pool", g);
        assertEquals(6, sa.outChannels());
        assertTrue(sa.stateDict().containsKey("mlps_in.0.0.weight") && sa.stateDict().containsKey("mlps_pos.1.1.running_var")
                && sa.stateDict().containsKey("mlps_out.1.1.bias"), sa.stateDict().keySet().toString());
        sa.to(DType.FLOAT64).eval();
        Random r = new Random(2);
        int[] shape = {3, 6, 6};
        int[] coords = new int[20 * 4];
        java.util.Set<Integer> used = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            int cell;
            do cell = r.nextInt(108); while (!used.add(cell));
            coords[i * 4 + 1] = cell / 36;
            coords[i * 4 + 2] = cell / 6 % 6;
            coords[i * 4 + 3] = cell % 6;
        }
        Tensor ct = Tensor.ofInts(coords, 20, 4);
        double[] vs = {0.5, 0.5, 0.5}, pcr = {0, 0, 0, 3, 3, 1.5};
        Tensor rois = Tensor.ofFloats(new float[] {1.5f, 1.5f, 0.75f, 2, 2, 1, 0.3f, 1, 2, 0.5f, 1.5f, 1, 1, -1}, 1, 2, 7);
        Tensor feats = TestData.uniform64(r, -1, 1, 20, 3);
        Var leaf = Var.leaf(feats.copy());
        java.util.function.Supplier<Var> f = () -> RoiGridPool.pool(rois, 2, vs, pcr, List.of(new RoiGridPool.VoxelSet(ct, leaf, shape, 1, 1)), List.of(sa));
        Var out = f.get();
        assertArrayEquals(new int[] {2, 8, 6}, out.shape());
        Gradcheck.assertLeafGradients("roi_grid_pool", f, List.of(leaf), Gradcheck.Options.DEFAULT);
        var e = assertThrows(IllegalArgumentException.class, () -> new NeighborVoxelSAModuleMSG(new int[][] {{1, 1, 1}}, new double[] {1}, new int[] {4},
                new int[][] {{3, 4}}, "max_pool", g));
        assertTrue(e.getMessage().contains("mlps[0]"), e.getMessage());
    }
}
