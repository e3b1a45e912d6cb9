package fuse3d.sparse.voxel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hard and dynamic voxelization, case by hand: what OpenPCDet's spconv voxel generator gives for each. */
class VoxelizerTest {
    // range [0, 4) x [-2, 2) x [-1, 1), voxel 1 x 1 x 2: grid 4 x 4 x 1
    static final VoxelGrid GRID = new VoxelGrid(new double[] {0, -2, -1, 4, 2, 1}, new double[] {1, 1, 2});

    static Tensor pts(float... xyzi) { return Tensor.of(xyzi, xyzi.length / 4, 4); }

    @Test
    void gridSizeAndKittiGrid() {
        assertArrayEquals(new int[] {4, 4, 1}, GRID.gridSize());
        assertArrayEquals(new int[] {1408, 1600, 40}, VoxelGrid.kitti().gridSize());
        // PointPillars' KITTI grid: [0, -39.68, -3, 69.12, 39.68, 1] with 0.16 x 0.16 x 4 gives 432 x 496 x 1
        assertArrayEquals(new int[] {432, 496, 1}, new VoxelGrid(new double[] {0, -39.68, -3, 69.12, 39.68, 1}, new double[] {0.16, 0.16, 4}).gridSize());
    }

    @Test
    void twoPointsInOneVoxel() {
        Voxels v = new Voxelizer(GRID, 3, 10).voxelize(pts(0.2f, 0.5f, 0f, 0.1f, 0.7f, 0.9f, 0.5f, 0.2f));
        assertEquals(1, v.count());
        assertArrayEquals(new int[] {0, 2, 0}, v.coords().toIntArray()); // (z, y, x): y = floor(0.5 + 2) = 2
        assertArrayEquals(new int[] {2}, v.numPoints().toIntArray());
        assertArrayEquals(new float[] {0.2f, 0.5f, 0f, 0.1f, 0.7f, 0.9f, 0.5f, 0.2f, 0, 0, 0, 0}, v.voxels().toFloatArray());
        assertEquals(DType.INT32, v.coords().dtype());
        assertEquals(DType.INT32, v.numPoints().dtype());
    }

    @Test
    void pointsBeyondTheCapAreDroppedInArrivalOrder() {
        Voxels v = new Voxelizer(GRID, 2, 10).voxelize(pts(0.1f, 0, 0, 1, 0.2f, 0, 0, 2, 0.3f, 0, 0, 3, 1.5f, 0, 0, 4, 0.4f, 0, 0, 5));
        assertEquals(2, v.count());
        assertArrayEquals(new int[] {2, 1}, v.numPoints().toIntArray());
        assertArrayEquals(new float[] {0.1f, 0, 0, 1, 0.2f, 0, 0, 2, 1.5f, 0, 0, 4, 0, 0, 0, 0}, v.voxels().toFloatArray());
    }

    @Test
    void voxelsBeyondTheCapAreDroppedButOpenVoxelsKeepFilling() {
        // voxels open in the order x = 0, 1; the point at x = 2 would open a third and is dropped; a later point of
        // voxel x = 0 is still taken (spconv continues, it does not stop at the cap)
        Voxels v = new Voxelizer(GRID, 4, 2).voxelize(pts(0.5f, 0, 0, 1, 1.5f, 0, 0, 2, 2.5f, 0, 0, 3, 0.6f, 0, 0, 4, 2.6f, 0, 0, 5));
        assertEquals(2, v.count());
        assertArrayEquals(new int[] {0, 2, 0, 0, 2, 1}, v.coords().toIntArray());
        assertArrayEquals(new int[] {2, 1}, v.numPoints().toIntArray());
        assertEquals(4f, v.voxels().getFloat(0, 1, 3));
    }

    @Test
    void voxelsAreNumberedByTheirFirstPoint() {
        Voxels v = new Voxelizer(GRID, 4, 10).voxelize(pts(3.5f, 1.5f, 0, 0, 0.5f, -1.5f, 0, 0, 3.2f, 1.2f, 0, 0));
        assertArrayEquals(new int[] {0, 3, 3, 0, 0, 0}, v.coords().toIntArray());
        assertArrayEquals(new int[] {2, 1}, v.numPoints().toIntArray());
    }

    @Test
    void boundaryIsMinInclusiveMaxExclusive() {
        Voxelizer vox = new Voxelizer(GRID, 1, 100);
        // on the lower corner: inside, cell 0
        assertArrayEquals(new int[] {0, 0, 0}, vox.voxelize(pts(0, -2, -1, 0)).coords().toIntArray());
        // on the upper bound of any axis: outside
        assertEquals(0, vox.voxelize(pts(4, 0, 0, 0)).count());
        assertEquals(0, vox.voxelize(pts(1, 2, 0, 0)).count());
        assertEquals(0, vox.voxelize(pts(1, 0, 1, 0)).count());
        // just below the upper bound: the last cell
        assertArrayEquals(new int[] {0, 3, 3}, vox.voxelize(pts(3.999f, 1.999f, 0.999f, 0)).coords().toIntArray());
        assertArrayEquals(new int[] {0, 0, 3}, vox.voxelize(pts(Math.nextDown(4f), -2, 0, 0)).coords().toIntArray());
        // one float32 step below zmax = 1: (p - (-1)) / 2 rounds to exactly 1 cell past the end in float32, so the
        // point is outside, as in spconv's float arithmetic (the real-number rule would keep it)
        assertEquals(0, vox.voxelize(pts(1, 0, Math.nextDown(1f), 0)).count());
        // just below the lower bound: outside
        assertEquals(0, vox.voxelize(pts(Math.nextDown(0f), 0, 0, 0)).count());
        assertEquals(0, vox.voxelize(pts(1, 0, Math.nextDown(-1f), 0)).count());
    }

    @Test
    void nanAndInfiniteCoordinatesAreDropped() {
        Voxels v = new Voxelizer(GRID, 4, 10).voxelize(pts(Float.NaN, 0, 0, 0, 1, Float.NaN, 0, 0, 1, 0, Float.NaN, 0,
                Float.POSITIVE_INFINITY, 0, 0, 0, Float.NEGATIVE_INFINITY, 0, 0, 0, 1, 0, 0, Float.NaN));
        // only the last point (NaN intensity, finite xyz) is kept; its features are copied as they are
        assertEquals(1, v.count());
        assertTrue(Float.isNaN(v.voxels().getFloat(0, 0, 3)));
        Tensor c = new DynamicVoxelizer(GRID).pointCoords(pts(Float.NaN, 0, 0, 0, 1, 0, 0, 0));
        assertArrayEquals(new int[] {-1, -1, -1, 0, 2, 1}, c.toIntArray());
    }

    @Test
    void emptyCloudGivesNoVoxels() {
        Voxels v = new Voxelizer(GRID, 5, 10).voxelize(Tensor.zeros(0, 4));
        assertArrayEquals(new int[] {0, 5, 4}, v.voxels().shape());
        assertArrayEquals(new int[] {0, 3}, v.coords().shape());
        assertArrayEquals(new int[] {0}, v.numPoints().shape());
        assertArrayEquals(new int[] {0, 4}, MeanVfeShape.mean(v).shape());
        DynamicScatter.Result r = DynamicScatter.scatter(Var.of(Tensor.zeros(0, 4)), Tensor.ofInts(new int[0], 0, 3), DynamicScatter.Reduce.MEAN);
        assertArrayEquals(new int[] {0, 4}, r.features().shape());
        // all points outside: the same
        assertEquals(0, new Voxelizer(GRID, 5, 10).voxelize(pts(-5, 0, 0, 0, 9, 9, 9, 0)).count());
    }

    /** MeanVFE on a voxel set, for the shape checks. */
    static final class MeanVfeShape {
        static Tensor mean(Voxels v) { return new MeanVFE(v.voxels().size(2)).forward(Var.of(v.voxels()), v.numPoints()).data(); }
    }

    @Test
    void float64PointsKeepTheirType() {
        Voxels v = new Voxelizer(GRID, 2, 10).voxelize(Tensor.of(new double[] {0.25, 0.5, 0, 0.123456789012}, 1, 4));
        assertEquals(DType.FLOAT64, v.voxels().dtype());
        assertEquals(0.123456789012, v.voxels().getDouble(0, 0, 3));
    }

    @Test
    void badInputNamesTheOpAndShape() {
        Voxelizer vox = new Voxelizer(GRID, 2, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vox.voxelize(Tensor.zeros(5, 2)));
        assertTrue(e.getMessage().contains("voxelize") && e.getMessage().contains("[5, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> vox.voxelize(Tensor.zeros(DType.INT32, 5, 4)));
        assertTrue(e.getMessage().contains("int32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Voxelizer(GRID, 0, 10));
        e = assertThrows(IllegalArgumentException.class, () -> new VoxelGrid(new double[] {0, 0, 0, -1, 1, 1}, new double[] {1, 1, 1}));
        assertTrue(e.getMessage().contains("VoxelGrid"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new VoxelGrid(new double[] {0, 0, 0, 1, 1, 1}, new double[] {0, 1, 1}));
        assertThrows(IllegalArgumentException.class, () -> new VoxelGrid(new double[] {0, 0, 0, 1, 1, Double.NaN}, new double[] {1, 1, 1}));
    }

    @Test
    void collatePrependsTheBatchIndex() {
        Voxelizer vox = new Voxelizer(GRID, 2, 10);
        Voxels a = vox.voxelize(pts(0.5f, 0.5f, 0, 1, 1.5f, 0.5f, 0, 2));
        Voxels b = vox.voxelize(pts(3.5f, -1.5f, 0, 3));
        Voxels batch = Voxels.collate(List.of(a, b));
        assertEquals(2, batch.batchSize());
        assertTrue(batch.batched());
        assertArrayEquals(new int[] {0, 0, 2, 0, 0, 0, 2, 1, 1, 0, 0, 3}, batch.coords().toIntArray());
        assertArrayEquals(new int[] {1, 1, 1}, batch.numPoints().toIntArray());
        assertArrayEquals(new int[] {3, 2, 4}, batch.voxels().shape());
        assertThrows(IllegalArgumentException.class, () -> Voxels.collate(List.of(batch)));
    }

    @Test
    void dynamicScatterMeanAndMaxByHand() {
        // three points, two voxels: (0, 2, 0) twice and (0, 2, 1) once
        Tensor feats = Tensor.of(new float[] {1, 10, 3, 20, 5, 30}, 3, 2);
        Tensor coords = Tensor.ofInts(new int[] {0, 2, 1, 0, 2, 0, 0, 2, 0}, 3, 3);
        DynamicScatter.Result mean = DynamicScatter.scatter(Var.of(feats), coords, DynamicScatter.Reduce.MEAN);
        // sorted by coordinate row: (0, 2, 0) first
        assertArrayEquals(new int[] {0, 2, 0, 0, 2, 1}, mean.coords().toIntArray());
        assertArrayEquals(new float[] {4, 25, 1, 10}, mean.features().data().toFloatArray());
        assertArrayEquals(new long[] {1, 0, 0}, mean.pointVoxel().toLongArray());
        assertArrayEquals(new long[] {2, 1}, mean.counts().toLongArray());
        DynamicScatter.Result max = DynamicScatter.scatter(Var.of(feats), coords, DynamicScatter.Reduce.MAX);
        assertArrayEquals(new float[] {5, 30, 1, 10}, max.features().data().toFloatArray());
        // a point with a negative coordinate is dropped
        Tensor withOut = Tensor.ofInts(new int[] {0, 2, 1, -1, -1, -1, 0, 2, 0}, 3, 3);
        DynamicScatter.Result r = DynamicScatter.scatter(Var.of(feats), withOut, DynamicScatter.Reduce.MEAN);
        assertArrayEquals(new float[] {5, 30, 1, 10}, r.features().data().toFloatArray());
        assertArrayEquals(new long[] {1, -1, 0}, r.pointVoxel().toLongArray());
    }
}
