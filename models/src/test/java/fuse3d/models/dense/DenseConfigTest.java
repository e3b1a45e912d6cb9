package fuse3d.models.dense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.models.detect.NmsConfig;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The dense configs: the papers' values and error messages that name the YAML key. */
class DenseConfigTest {
    private static void refused(String key, Supplier<?> make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        assertTrue(e.getMessage().contains(key), "'" + e.getMessage() + "' should name " + key);
    }

    @Test
    void voxelRcnnValues() {
        AnchorHeadConfig car = AnchorHeadConfig.voxelRcnnCar();
        assertEquals(2, car.anchorsPerLocation());
        assertEquals(0.78539, car.dirOffset());
        assertEquals(2.0, car.lossConfig().lossWeights().locWeight());
        assertFalse(car.targetAssignerConfig().subsamples());
        AnchorHeadConfig three = AnchorHeadConfig.voxelRcnn3Classes();
        assertEquals(List.of("Car", "Pedestrian", "Cyclist"), three.anchorGeneratorConfig().stream().map(AnchorClassConfig::className).toList());
        assertEquals(0.35, three.anchorGeneratorConfig().get(2).unmatchedThreshold());
        assertEquals(6, three.anchorsPerLocation());
        PostProcessingConfig pp = PostProcessingConfig.voxelRcnnCar();
        assertArrayEquals(new double[] {0.3, 0.5, 0.7}, pp.recallThreshList());
        assertEquals(new NmsConfig(false, "nms_gpu", 0.1, 4096, 500), pp.nmsConfig());
        assertEquals("kitti", pp.evalMetric());
        assertEquals(BaseBevBackboneConfig.voxelRcnnCar(), BaseBevBackboneConfig.voxelRcnnCar());
        // the Voxel R-CNN head on KITTI's grid: 1408 x 1600 voxels at stride 8 -> 176 x 200 x 2 anchors
        AnchorHeadSingle head = new AnchorHeadSingle(car, 256, List.of("Car"), new int[] {1408, 1600, 40}, new double[] {0, -40, -3, 70.4, 40, 1},
                new fuse3d.tensor.Generator(0));
        assertEquals(176 * 200 * 2, head.anchors().size(0));
    }

    @Test
    void errorsNameTheKey() {
        AnchorHeadConfig c = AnchorHeadConfig.voxelRcnnCar();
        refused("NUM_DIR_BINS", () -> new AnchorHeadConfig(false, true, 0.78, 0, 0, c.anchorGeneratorConfig(), c.targetAssignerConfig(), c.lossConfig()));
        refused("ANCHOR_GENERATOR_CONFIG", () -> new AnchorHeadConfig(false, true, 0.78, 0, 2, List.of(), c.targetAssignerConfig(), c.lossConfig()));
        refused("feature_map_stride", () -> new AnchorClassConfig("Car", new double[][] {{1, 1, 1}}, new double[] {0}, new double[] {0}, false, 0, 0.6, 0.45));
        refused("anchor_sizes", () -> new AnchorClassConfig("Car", new double[][] {{1, 1}}, new double[] {0}, new double[] {0}, false, 8, 0.6, 0.45));
        refused("POS_FRACTION", () -> new TargetAssignerConfig(1.5, 512, false, false, "ResidualCoder"));
        refused("BOX_CODER", () -> new TargetAssignerConfig(-1, 512, false, false, "PointResidualCoder"));
        refused("code_weights", () -> new LossWeights(1, 2, 0.2, new double[] {1, 1}));
        refused("RECALL_THRESH_LIST", () -> new PostProcessingConfig(new double[] {1.5}, 0.3, false, PostProcessingConfig.voxelRcnnCar().nmsConfig()));
        refused("NMS_CONFIG", () -> new PostProcessingConfig(new double[] {0.3}, 0.3, false, null));
        refused("EVAL_METRIC 'waymo'", () -> new PostProcessingConfig(new double[] {0.3}, 0.3, false, PostProcessingConfig.voxelRcnnCar().nmsConfig(), "waymo"));
    }
}
