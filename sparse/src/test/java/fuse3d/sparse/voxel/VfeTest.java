package fuse3d.sparse.voxel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The VFE modules and the pillar scatter by hand: state-dict names, feature construction, defined results on bad input. */
class VfeTest {
    static final VoxelGrid PILLARS = new VoxelGrid(new double[] {0, 0, -2, 3, 2, 2}, new double[] {1, 1, 4});

    @Test
    void stateDictNamesAreOpenPcdets() {
        PillarVFE vfe = new PillarVFE(new PillarVFE.Config(new int[] {64, 128}, true, false, true), 4, PILLARS, new Generator(0));
        assertEquals(List.of("pfn_layers.0.linear.weight", "pfn_layers.0.norm.weight", "pfn_layers.0.norm.bias", "pfn_layers.0.norm.running_mean",
                "pfn_layers.0.norm.running_var", "pfn_layers.0.norm.num_batches_tracked", "pfn_layers.1.linear.weight", "pfn_layers.1.norm.weight",
                "pfn_layers.1.norm.bias", "pfn_layers.1.norm.running_mean", "pfn_layers.1.norm.running_var", "pfn_layers.1.norm.num_batches_tracked"),
                List.copyOf(vfe.stateDict().keySet()));
        // 4 point features + 3 cluster + 3 centre = 10 in; an inner layer outputs half its filters
        assertArrayEquals(new int[] {32, 10}, vfe.stateDict().get("pfn_layers.0.linear.weight").shape());
        assertArrayEquals(new int[] {128, 64}, vfe.stateDict().get("pfn_layers.1.linear.weight").shape());
        PillarVFE noNorm = new PillarVFE(new PillarVFE.Config(new int[] {8}, false, true, false), 4, PILLARS, new Generator(0));
        assertEquals(List.of("pfn_layers.0.linear.weight", "pfn_layers.0.linear.bias"), List.copyOf(noNorm.stateDict().keySet()));
        assertArrayEquals(new int[] {8, 8}, noNorm.stateDict().get("pfn_layers.0.linear.weight").shape()); // 1 + 3 + 3 + 1
        assertEquals(List.of(), List.copyOf(new MeanVFE(4).stateDict().keySet()));
    }

    @Test
    void augmentedFeaturesOfOnePillarByHand() {
        // one pillar at cell (x 1, y 0): centre (1.5, 0.5, 0); points (1.2, 0.4, 0.5, 0.3) and (1.6, 0.2, -0.5, 0.9)
        // with an identity-like first layer the max over the two points shows the augmented features
        PillarVFE vfe = new PillarVFE(new PillarVFE.Config(new int[] {10}, false, false, true), 4, PILLARS, new Generator(0));
        vfe.stateDict().get("pfn_layers.0.linear.weight").copy_(Tensor.eye(10));
        vfe.stateDict().get("pfn_layers.0.linear.bias").zero_();
        Tensor voxels = Tensor.of(new float[] {1.2f, 0.4f, 0.5f, 0.3f, 1.6f, 0.2f, -0.5f, 0.9f, 0, 0, 0, 0}, 1, 3, 4);
        Var out = vfe.forward(Var.of(voxels), Tensor.ofInts(new int[] {2}, 1), Tensor.ofInts(new int[] {0, 0, 0, 1}, 1, 4));
        // mean (1.4, 0.3, 0); per point: x y z i, cluster, centre offsets; ReLU then max over points and the zero padding
        float[] expect = {1.6f, 0.4f, 0.5f, 0.9f, 0.2f, 0.1f, 0.5f, 0.1f, 0f, 0.5f};
        assertArrayEquals(expect, out.data().toFloatArray(), 1e-6f);
    }

    @Test
    void emptyAndBadInputs() {
        PillarVFE vfe = new PillarVFE(PillarVFE.Config.pointPillars(), 4, PILLARS, new Generator(0));
        Var none = vfe.forward(Var.of(Tensor.zeros(0, 32, 4)), Tensor.ofInts(new int[0], 0), Tensor.ofInts(new int[0], 0, 4));
        assertArrayEquals(new int[] {0, 64}, none.shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> vfe.forward(Var.of(Tensor.zeros(2, 32, 5)), Tensor.ofInts(new int[2], 2), Tensor.ofInts(new int[8], 2, 4)));
        assertTrue(e.getMessage().contains("PillarVFE") && e.getMessage().contains("[2, 32, 5]"), e.getMessage());

        DynamicPillarVFE dyn = new DynamicPillarVFE(PillarVFE.Config.pointPillars(), 4, PILLARS, new Generator(0));
        VoxelFeatures r = dyn.forward(Var.of(Tensor.of(new float[] {0, -1, 0, 0, 0, 0, Float.NaN, 0, 0, 0}, 2, 5)));
        assertEquals(0, r.count());
        assertArrayEquals(new int[] {0, 64}, r.features().shape());
        e = assertThrows(IllegalArgumentException.class, () -> dyn.forward(Var.of(Tensor.of(new float[] {-1, 0.5f, 0.5f, 0, 0}, 1, 5))));
        assertTrue(e.getMessage().contains("batch index"), e.getMessage());
        VoxelFeatures mean = new DynamicMeanVFE(4, PILLARS).forward(Tensor.zeros(0, 5));
        assertEquals(0, mean.count());

        PointPillarScatter s = new PointPillarScatter(2, 3, 2);
        Var f = Var.of(Tensor.ones(2, 2));
        e = assertThrows(IllegalArgumentException.class, () -> s.forward(f, Tensor.ofInts(new int[] {0, 0, 1, 1, 0, 0, 1, 1}, 2, 4), 1));
        assertTrue(e.getMessage().contains("two pillars"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.forward(f, Tensor.ofInts(new int[] {0, 0, 1, 1, 0, 0, 2, 0}, 2, 4), 1));
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.forward(f, Tensor.ofInts(new int[] {0, 0, 1, 1, 1, 0, 0, 0}, 2, 4), 1));
        assertTrue(e.getMessage().contains("batch size 1"), e.getMessage());
        // no pillars: an all-zero map of the asked batch size
        assertArrayEquals(new int[] {2, 2, 2, 3}, s.forward(Var.of(Tensor.zeros(0, 2)), Tensor.ofInts(new int[0], 0, 4), 2).shape());
    }

    @Test
    void dynamicPillarVfeKeepsPointsOutsideZAndOrdersByXThenY() {
        // OpenPCDet tests only x and y: a point far above the range still counts; pillars sorted by (batch, x, y)
        DynamicPillarVFE dyn = new DynamicPillarVFE(new PillarVFE.Config(new int[] {4}, false, false, true), 4, PILLARS, new Generator(0));
        Tensor pts = Tensor.of(new float[] {
                0, 0.5f, 1.5f, 0, 0.1f,   // x 0, y 1
                0, 1.5f, 0.5f, 9, 0.2f,   // x 1, y 0, z above the range
                0, 0.5f, 0.5f, 0, 0.3f,   // x 0, y 0
                1, 0.5f, 0.5f, 0, 0.4f}, 4, 5);
        VoxelFeatures r = dyn.forward(Var.of(pts));
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0}, r.coords().toIntArray());
    }
}
