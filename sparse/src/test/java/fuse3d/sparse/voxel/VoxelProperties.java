package fuse3d.sparse.voxel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Laws of voxelization and of the scatters, on random clustered clouds (so that the caps overflow). */
class VoxelProperties {
    // range [0, 4) x [-2, 2) x [-1, 1), voxel 0.5 x 0.5 x 0.5: grid 8 x 8 x 4
    static final VoxelGrid GRID = new VoxelGrid(new double[] {0, -2, -1, 4, 2, 1}, new double[] {0.5, 0.5, 0.5});

    /** n points [n, 4] around a few cluster centres, some outside the range, intensity in [0, 1). */
    static Tensor cloud(long seed, int n) {
        Generator g = new Generator(seed);
        int clusters = 1 + (int) g.nextLong(4);
        double[][] centre = new double[clusters][];
        for (int c = 0; c < clusters; c++) centre[c] = new double[] {-0.5 + 5 * g.nextDouble(), -2.5 + 5 * g.nextDouble(), -1.3 + 2.6 * g.nextDouble()};
        float[] p = new float[n * 4];
        for (int i = 0; i < n; i++) {
            double[] c = centre[(int) g.nextLong(clusters)];
            double spread = g.nextDouble() < 0.3 ? 2.0 : 0.4;
            for (int a = 0; a < 3; a++) p[i * 4 + a] = (float) (c[a] + spread * (g.nextDouble() - 0.5));
            p[i * 4 + 3] = (float) g.nextDouble();
        }
        return Tensor.of(p, n, 4);
    }

    /** The first-come rule written the slow way: lists and a linear search for each point's voxel. */
    static Voxels naive(Tensor points, VoxelGrid grid, int maxPts, int maxVox) {
        int n = points.size(0), f = points.size(1);
        float[] p = points.toFloatArray();
        List<int[]> coords = new ArrayList<>();
        List<List<float[]>> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] c = new int[3];
            boolean in = true;
            for (int a = 0; a < 3; a++) {
                // float32 division, then floor, as spconv
                float q = (p[i * f + a] - grid.min(a)) / grid.size(a);
                double cell = Math.floor(q);
                if (!(cell >= 0 && cell < grid.gridSize()[a])) in = false;
                else c[2 - a] = (int) cell;
            }
            if (!in) continue;
            int v = -1;
            for (int k = 0; k < coords.size(); k++) if (Arrays.equals(coords.get(k), c)) v = k;
            if (v < 0) {
                if (coords.size() >= maxVox) continue;
                coords.add(c);
                members.add(new ArrayList<>());
                v = coords.size() - 1;
            }
            if (members.get(v).size() < maxPts) members.get(v).add(Arrays.copyOfRange(p, i * f, i * f + f));
        }
        int m = coords.size();
        float[] vox = new float[m * maxPts * f];
        int[] co = new int[m * 3], num = new int[m];
        for (int v = 0; v < m; v++) {
            System.arraycopy(coords.get(v), 0, co, v * 3, 3);
            num[v] = members.get(v).size();
            for (int k = 0; k < num[v]; k++) System.arraycopy(members.get(v).get(k), 0, vox, (v * maxPts + k) * f, f);
        }
        return new Voxels(Tensor.of(vox, m, maxPts, f), Tensor.ofInts(co, m, 3), Tensor.ofInts(num, m), 1);
    }

    @Property(tries = 150)
    void hardVoxelizationEqualsTheNaiveRule(@ForAll long seed, @ForAll @IntRange(min = 0, max = 150) int n,
                                            @ForAll @IntRange(min = 1, max = 6) int maxPts, @ForAll @IntRange(min = 1, max = 40) int maxVox) {
        Tensor pts = cloud(seed, n);
        Voxels fast = new Voxelizer(GRID, maxPts, maxVox).voxelize(pts), slow = naive(pts, GRID, maxPts, maxVox);
        assertArrayEquals(slow.coords().toIntArray(), fast.coords().toIntArray());
        assertArrayEquals(slow.numPoints().toIntArray(), fast.numPoints().toIntArray());
        assertArrayEquals(slow.voxels().toFloatArray(), fast.voxels().toFloatArray());
    }

    @Property(tries = 150)
    void everyKeptPointLiesInItsVoxelInsideTheGrid(@ForAll long seed, @ForAll @IntRange(min = 0, max = 150) int n,
                                                    @ForAll @IntRange(min = 1, max = 6) int maxPts, @ForAll @IntRange(min = 1, max = 300) int maxVox) {
        Voxels v = new Voxelizer(GRID, maxPts, maxVox).voxelize(cloud(seed, n));
        int[] grid = GRID.gridSize();
        int[] co = v.coords().toIntArray(), num = v.numPoints().toIntArray();
        float[] vox = v.voxels().toFloatArray();
        assertTrue(v.count() <= maxVox);
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < v.count(); i++) {
            int z = co[i * 3], y = co[i * 3 + 1], x = co[i * 3 + 2];
            assertTrue(z >= 0 && z < grid[2] && y >= 0 && y < grid[1] && x >= 0 && x < grid[0], "coords in grid");
            assertTrue(seen.add(GRID.key(z, y, x)), "voxels are distinct");
            assertTrue(num[i] >= 1 && num[i] <= maxPts, "1 <= num_points <= max");
            for (int k = 0; k < maxPts; k++) {
                int base = (i * maxPts + k) * 4;
                if (k < num[i]) {
                    assertEquals(x, GRID.cell(vox[base], 0));
                    assertEquals(y, GRID.cell(vox[base + 1], 1));
                    assertEquals(z, GRID.cell(vox[base + 2], 2));
                } else for (int c = 0; c < 4; c++) assertEquals(0f, vox[base + c], "padding is zero");
            }
        }
    }

    @Property(tries = 100)
    void hardAndDynamicAgreeWithoutOverflow(@ForAll long seed, @ForAll @IntRange(min = 0, max = 150) int n) {
        Tensor pts = cloud(seed, n);
        Voxels hard = new Voxelizer(GRID, Math.max(1, n), Math.max(1, n)).voxelize(pts);
        Tensor hardMean = new MeanVFE(4).forward(Var.of(hard.voxels()), hard.numPoints()).data();
        DynamicScatter.Result dyn = DynamicScatter.scatter(Var.of(pts), new DynamicVoxelizer(GRID).pointCoords(pts), DynamicScatter.Reduce.MEAN);
        assertEquals(hard.count(), dyn.coords().size(0));
        Map<Long, Integer> row = new HashMap<>();
        int[] dc = dyn.coords().toIntArray();
        for (int i = 0; i < dyn.coords().size(0); i++) row.put(GRID.key(dc[i * 3], dc[i * 3 + 1], dc[i * 3 + 2]), i);
        int[] hc = hard.coords().toIntArray();
        long[] counts = dyn.counts().toLongArray();
        int[] num = hard.numPoints().toIntArray();
        for (int i = 0; i < hard.count(); i++) {
            Integer j = row.get(GRID.key(hc[i * 3], hc[i * 3 + 1], hc[i * 3 + 2]));
            assertTrue(j != null, "hard voxel missing from the dynamic ones");
            assertEquals(num[i], counts[j]);
            for (int c = 0; c < 4; c++) assertEquals(hardMean.getFloat(i, c), dyn.features().data().getFloat(j, c), 1e-5);
        }
    }

    @Property(tries = 100)
    void permutingPointsChangesNothingButThePointOrder(@ForAll long seed, @ForAll @IntRange(min = 1, max = 150) int n) {
        Tensor pts = cloud(seed, n);
        Tensor perm = new Generator(seed ^ 0x5EED).randperm(n);
        Tensor shuffled = pts.indexSelect(0, perm);
        DynamicVoxelizer dv = new DynamicVoxelizer(GRID);
        for (DynamicScatter.Reduce r : DynamicScatter.Reduce.values()) {
            DynamicScatter.Result a = DynamicScatter.scatter(Var.of(pts), dv.pointCoords(pts), r);
            DynamicScatter.Result b = DynamicScatter.scatter(Var.of(shuffled), dv.pointCoords(shuffled), r);
            assertArrayEquals(a.coords().toIntArray(), b.coords().toIntArray());
            assertArrayEquals(a.counts().toLongArray(), b.counts().toLongArray());
            // each point keeps its voxel
            assertArrayEquals(a.pointVoxel().indexSelect(0, perm).toLongArray(), b.pointVoxel().toLongArray());
            if (r == DynamicScatter.Reduce.MAX) assertArrayEquals(a.features().data().toFloatArray(), b.features().data().toFloatArray());
            else fuse3d.tensor.testing.Closeness.assertClose(b.features().data(), a.features().data(), 1e-5, 1e-6);
        }
    }

    @Property(tries = 100)
    void scatterMaxAndMeanEqualBruteForce(@ForAll long seed, @ForAll @IntRange(min = 0, max = 60) int n, @ForAll @IntRange(min = 1, max = 5) int c) {
        Generator g = new Generator(seed);
        Tensor feats = g.uniform(-1, 1, n, c);
        int[] co = new int[n * 4];
        for (int i = 0; i < n * 4; i++) co[i] = (int) g.nextLong(3) - (i % 4 == 0 && g.nextDouble() < 0.1 ? 1 : 0);
        Tensor coords = Tensor.ofInts(co, n, 4);
        DynamicScatter.Result max = DynamicScatter.scatter(Var.of(feats), coords, DynamicScatter.Reduce.MAX);
        DynamicScatter.Result mean = DynamicScatter.scatter(Var.of(feats), coords, DynamicScatter.Reduce.MEAN);
        int m = max.coords().size(0);
        int[] vc = max.coords().toIntArray();
        for (int v = 0; v < m; v++) {
            // coordinate rows strictly increasing (sorted and unique)
            if (v > 0) assertTrue(Arrays.compare(Arrays.copyOfRange(vc, v * 4 - 4, v * 4), Arrays.copyOfRange(vc, v * 4, v * 4 + 4)) < 0);
            for (int k = 0; k < c; k++) {
                double best = Double.NEGATIVE_INFINITY, sum = 0;
                int cnt = 0;
                for (int i = 0; i < n; i++) {
                    if (!Arrays.equals(Arrays.copyOfRange(co, i * 4, i * 4 + 4), Arrays.copyOfRange(vc, v * 4, v * 4 + 4))) continue;
                    best = Math.max(best, feats.getFloat(i, k));
                    sum += feats.getFloat(i, k);
                    cnt++;
                }
                assertTrue(cnt > 0);
                assertEquals(best, max.features().data().getFloat(v, k), 0.0);
                assertEquals(sum / cnt, mean.features().data().getFloat(v, k), 1e-6);
            }
        }
        int valid = 0;
        for (int i = 0; i < n; i++) if (co[i * 4] >= 0) valid++;
        assertEquals(valid, Arrays.stream(max.counts().toLongArray()).sum());
    }

    @Property(tries = 60)
    void dynamicMeanVfeEqualsHardVoxelsPerCloud(@ForAll long seed, @ForAll @IntRange(min = 0, max = 100) int n0, @ForAll @IntRange(min = 0, max = 100) int n1) {
        Tensor a = cloud(seed, n0), b = cloud(seed + 1, n1);
        Tensor batched = Tensor.cat(0, Tensor.cat(1, Tensor.zeros(n0, 1), a), Tensor.cat(1, Tensor.ones(n1, 1), b));
        VoxelFeatures dyn = new DynamicMeanVFE(4, GRID).forward(batched);
        Voxelizer vox = new Voxelizer(GRID, 200, 1000);
        Voxels hard = Voxels.collate(List.of(vox.voxelize(a), vox.voxelize(b)));
        Tensor hardMean = new MeanVFE(4).forward(Var.of(hard.voxels()), hard.numPoints()).data();
        assertEquals(hard.count(), dyn.count());
        Map<String, Integer> row = new HashMap<>();
        int[] dc = dyn.coords().toIntArray(), hc = hard.coords().toIntArray();
        for (int i = 0; i < dyn.count(); i++) row.put(Arrays.toString(Arrays.copyOfRange(dc, i * 4, i * 4 + 4)), i);
        for (int i = 0; i < hard.count(); i++) {
            Integer j = row.get(Arrays.toString(Arrays.copyOfRange(hc, i * 4, i * 4 + 4)));
            assertTrue(j != null);
            for (int c = 0; c < 4; c++) assertEquals(hardMean.getFloat(i, c), dyn.features().data().getFloat(j, c), 1e-5);
        }
        // OpenPCDet's order: by batch, then x, then y, then z
        for (int i = 1; i < dyn.count(); i++) {
            int[] p = {dc[i * 4 - 4], dc[i * 4 - 1], dc[i * 4 - 2], dc[i * 4 - 3]}, q = {dc[i * 4], dc[i * 4 + 3], dc[i * 4 + 2], dc[i * 4 + 1]};
            assertTrue(Arrays.compare(p, q) < 0);
        }
    }

    @Property(tries = 100)
    void pillarScatterPlacesEveryPillarAndNothingElse(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch, @ForAll @IntRange(min = 1, max = 4) int c) {
        int nx = 5, ny = 4;
        Generator g = new Generator(seed);
        long[] cells = g.randperm(batch * nx * ny).toLongArray();
        int m = (int) g.nextLong(cells.length + 1);
        int[] co = new int[m * 4];
        for (int i = 0; i < m; i++) {
            int cell = (int) cells[i];
            co[i * 4] = cell / (nx * ny);
            co[i * 4 + 2] = cell % (nx * ny) / nx;
            co[i * 4 + 3] = cell % nx;
        }
        Tensor feats = g.uniform(-1, 1, m, c);
        Tensor map = new PointPillarScatter(c, nx, ny).forward(Var.of(feats), Tensor.ofInts(co, m, 4), batch).data();
        assertArrayEquals(new int[] {batch, c, ny, nx}, map.shape());
        double total = 0;
        for (int i = 0; i < m; i++)
            for (int k = 0; k < c; k++) {
                assertEquals(feats.getFloat(i, k), map.getFloat(co[i * 4], k, co[i * 4 + 2], co[i * 4 + 3]));
                total += Math.abs(feats.getFloat(i, k));
            }
        assertEquals(total, map.abs().sum().item(), 1e-4, "nothing written outside the pillar cells");
    }
}
