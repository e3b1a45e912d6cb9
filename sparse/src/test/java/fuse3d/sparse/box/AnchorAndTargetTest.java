package fuse3d.sparse.box;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AnchorGenerator grids and CenterPoint's heatmap targets, by hand. */
class AnchorAndTargetTest {
    private static final double[] KITTI_PILLARS = {0, -39.68, -3, 69.12, 39.68, 1};

    @Test
    void pointPillarsKittiAnchors() {
        // PointPillars' KITTI config: voxel 0.16 x 0.16 x 4, stride 2, three classes, rotations {0, pi/2}
        List<AnchorGenerator.Config> cfgs = List.of(
                new AnchorGenerator.Config(new double[][] {{3.9, 1.6, 1.56}}, new double[] {0, 1.57}, new double[] {-1.78}, false, 2),
                new AnchorGenerator.Config(new double[][] {{0.8, 0.6, 1.73}}, new double[] {0, 1.57}, new double[] {-0.6}, false, 2),
                new AnchorGenerator.Config(new double[][] {{1.76, 0.6, 1.73}}, new double[] {0, 1.57}, new double[] {-0.6}, false, 2));
        AnchorGenerator gen = new AnchorGenerator(KITTI_PILLARS, cfgs);
        List<int[]> sizes = gen.featureMapSizes(new double[] {0.16, 0.16, 4});
        assertArrayEquals(new int[] {216, 248}, sizes.get(0));
        List<Tensor> anchors = gen.generate(sizes);
        Tensor car = anchors.get(0);
        assertArrayEquals(new int[] {1, 248, 216, 1, 2, 7}, car.shape());
        assertEquals(DType.FLOAT32, car.dtype());
        // corners of the grid are the range's corners (align_center false), z lifted to the centre
        assertEquals(0.0, car.getDouble(0, 0, 0, 0, 0, 0), 1e-6);
        assertEquals(-39.68, car.getDouble(0, 0, 0, 0, 0, 1), 1e-5);
        assertEquals(69.12, car.getDouble(0, 247, 215, 0, 1, 0), 1e-4);
        assertEquals(39.68, car.getDouble(0, 247, 215, 0, 1, 1), 1e-4);
        assertEquals(-1.78 + 1.56 / 2, car.getDouble(0, 5, 7, 0, 1, 2), 1e-6);
        assertEquals(1.57, car.getDouble(0, 5, 7, 0, 1, 6), 1e-6);
        assertEquals(0.0, car.getDouble(0, 5, 7, 0, 0, 6), 0);
        assertEquals(2, cfgs.get(0).anchorsPerLocation());
        // x runs along the last grid dim, y along the one before
        assertTrue(car.getDouble(0, 0, 1, 0, 0, 0) > car.getDouble(0, 0, 0, 0, 0, 0));
        assertEquals(car.getDouble(0, 0, 1, 0, 0, 1), car.getDouble(0, 0, 0, 0, 0, 1), 0);
    }

    @Test
    void alignCenterPutsAnchorsMidCell() {
        AnchorGenerator gen = new AnchorGenerator(new double[] {0, 0, -3, 4, 2, 1},
                List.of(new AnchorGenerator.Config(new double[][] {{1, 1, 1}, {2, 1, 1}}, new double[] {0}, new double[] {-1, 0}, true, 1)));
        Tensor a = gen.generate(List.of(new int[] {4, 2})).get(0);
        assertArrayEquals(new int[] {2, 2, 4, 2, 1, 7}, a.shape());
        assertEquals(0.5, a.getDouble(0, 0, 0, 0, 0, 0), 1e-6);
        assertEquals(3.5, a.getDouble(0, 0, 3, 0, 0, 0), 1e-6);
        assertEquals(1.5, a.getDouble(0, 1, 0, 0, 0, 1), 1e-6);
        assertEquals(0.5, a.getDouble(1, 0, 0, 1, 0, 2), 1e-6); // bottom 0 plus half of dz 1
        assertEquals(2.0, a.getDouble(1, 0, 0, 1, 0, 3), 0);
        assertThrows(IllegalArgumentException.class, () -> gen.generate(List.of(new int[] {0, 2})));
    }

    @Test
    void gaussianKernelAndDrawing() {
        double[] g = CenterPointTargets.gaussian2D(2);
        assertEquals(25, g.length);
        assertEquals(1.0, g[12], 0);
        assertEquals(g[11], g[13], 0);
        assertEquals(g[7], g[17], 0);
        // sigma = 5 / 6: one cell off the peak is exp(-1 / (2 sigma^2))
        assertEquals(Math.exp(-1 / (2 * (5 / 6.0) * (5 / 6.0))), g[13], 1e-15);
        // drawing at a corner crops the kernel and takes the maximum with what is there
        Tensor hm = Tensor.zeros(DType.FLOAT32, 4, 5);
        hm.set(0.99, 0, 1);
        CenterPointTargets.drawGaussianToHeatmap(hm, 0.7, 0.2, 2);
        assertEquals(1.0, hm.getDouble(0, 0), 0);
        assertEquals(0.99, hm.getDouble(0, 1), 1e-7);
        assertEquals((float) g[12 + 2], hm.getDouble(0, 2), 0);
        assertEquals(0.0, hm.getDouble(3, 4), 0);
        // a NaN centre draws nothing
        CenterPointTargets.drawGaussianToHeatmap(hm, Double.NaN, 1, 2);
        assertEquals(0.0, hm.getDouble(3, 4), 0);
    }

    @Test
    void singleHeadTargetsByHand() {
        // one car (class 1) at x = 10.3, y = 0.1 on a 0.1 m grid with stride 8: 0.8 m cells, range from (0, -40)
        Tensor gt = Tensor.ofFloats(new float[] {10.3f, 0.1f, -1f, 4f, 1.6f, 1.5f, 0.3f, 1f, 5f, 1f, 0f, 0f, 0f, 0f, 4f, 2f, 1f, 0f, 0f, 2f}, 2, 10);
        Tensor gtNoVel = Tensor.ofFloats(new float[] {10.3f, 0.1f, -1f, 4f, 1.6f, 1.5f, 0.3f, 1f, 5f, 0f, 0f, 0f, 4f, 2f, 1f, 2f}, 2, 8);
        CenterPointTargets.Targets t = CenterPointTargets.assignTargetOfSingleHead(2, gtNoVel, new int[] {88, 100}, 8,
                new double[] {0, -40, -3, 70.4, 40, 1}, new double[] {0.1, 0.1, 0.2}, 4, 0.1, 2);
        assertArrayEquals(new int[] {2, 100, 88}, t.heatmap().shape());
        float cx = (10.3f - 0f) / 0.1f / 8f, cy = (0.1f + 40f) / 0.1f / 8f;
        assertEquals(((int) cy) * 88L + (int) cx, t.inds().getLong(0));
        assertArrayEquals(new long[] {1, 0, 0, 0}, t.mask().toLongArray()); // the second box has zero length
        assertEquals(cx - (int) cx, t.retBoxes().getDouble(0, 0), 1e-6);
        assertEquals(Math.log(4), t.retBoxes().getDouble(0, 3), 1e-6);
        assertEquals(Math.sin(0.3), t.retBoxes().getDouble(0, 7), 1e-6);
        assertEquals(1.0, t.heatmap().getDouble(0, (int) cy, (int) cx), 0);
        assertEquals(0.0, t.heatmap().select(0, 1).sum().item(), 0);
        Tensor class2 = Tensor.ofFloats(new float[] {10.3f, 0.1f, -1f, 4f, 1.6f, 1.5f, 0.3f, 2f}, 1, 8);
        assertThrows(IllegalArgumentException.class, () -> CenterPointTargets.assignTargetOfSingleHead(1, class2, new int[] {88, 100}, 8,
                new double[] {0, -40, -3, 70.4, 40, 1}, new double[] {0.1, 0.1, 0.2}, 4, 0.1, 2)); // class 2 of a 1-class head
        // extras (velocity) land after cos, sin
        CenterPointTargets.Targets tv = CenterPointTargets.assignTargetOfSingleHead(2, gt, new int[] {88, 100}, 8,
                new double[] {0, -40, -3, 70.4, 40, 1}, new double[] {0.1, 0.1, 0.2}, 4, 0.1, 2);
        assertEquals(1.0, tv.retBoxes().getDouble(0, 8), 0);
        assertEquals(5.0, tv.retBoxes().getDouble(0, 9), 0);
        // empty gt: all-zero targets
        CenterPointTargets.Targets e = CenterPointTargets.assignTargetOfSingleHead(2, Tensor.zeros(DType.FLOAT32, 0, 8), new int[] {8, 8}, 1,
                new double[] {0, 0, 0, 8, 8, 1}, new double[] {1, 1, 1}, 4, 0.1, 2);
        assertEquals(0.0, e.heatmap().sum().item(), 0);
        assertEquals(0L, e.mask().sum().item(), 0);
    }
}
