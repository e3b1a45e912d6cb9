package fuse3d.models.roi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The paper's values and the YAML-key-naming validation of the RoI head's config. */
class RoiHeadConfigTest {

    @Test
    void voxelRcnnCarValues() {
        RoiHeadConfig c = RoiHeadConfig.voxelRcnnCar();
        assertTrue(c.classAgnostic());
        assertEquals(List.of(256, 256), c.sharedFc());
        assertEquals(0.3, c.dpRatio());
        assertEquals(512, c.nmsConfig().train().nmsPostMaxsize());
        assertEquals(0.7, c.nmsConfig().test().nmsThresh());
        assertEquals(1, c.streams().size());
        RoiHeadConfig.StreamConfig s = c.streams().get(0);
        assertEquals("lidar", s.name());
        assertEquals(6, s.gridSize());
        assertEquals(List.of("x_conv2", "x_conv3", "x_conv4"), s.featuresSource());
        assertEquals(List.of(1.6), s.poolLayers().get("x_conv4").poolRadius());
        assertEquals(1, c.stages().count());
        assertEquals("identity", c.stages().transform(0));
        assertFalse(c.crossStageAttention().enabled());
        assertFalse(c.iouBranch());
        RoiHeadConfig.TargetConfig t = c.targetConfig();
        assertEquals(128, t.roiPerImage());
        assertEquals(0.55, t.regFgThresh());
        assertEquals(0.1, t.clsBgThreshLo());
        assertEquals("roi_iou", t.clsScoreType());
        assertTrue(c.lossConfig().cornerLossRegularization());
    }

    private static void fails(String key, Runnable r) {
        var e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(key), "expected '" + key + "' in: " + e.getMessage());
    }

    @Test
    void badValuesNameTheirKey() {
        RoiHeadConfig c = RoiHeadConfig.voxelRcnnCar();
        RoiHeadConfig.TargetConfig t = c.targetConfig();
        fails("ROI_PER_IMAGE", () -> new RoiHeadConfig.TargetConfig(0, 0.5, true, "roi_iou", 0.75, 0.25, 0.1, 0.8, 0.55));
        fails("CLS_SCORE_TYPE", () -> new RoiHeadConfig.TargetConfig(128, 0.5, true, "iou", 0.75, 0.25, 0.1, 0.8, 0.55));
        fails("FG_RATIO", () -> new RoiHeadConfig.TargetConfig(128, 1.5, true, "roi_iou", 0.75, 0.25, 0.1, 0.8, 0.55));
        fails("DP_RATIO", () -> c.withFc(c.sharedFc(), c.clsFc(), c.regFc(), 1.0));
        fails("SHARED_FC", () -> c.withFc(List.of(), c.clsFc(), c.regFc(), 0.3));
        fails("FEATURES_SOURCE 'x_conv5'", () -> new RoiHeadConfig.StreamConfig("lidar", 6, List.of("x_conv5"), true, Map.of("x_conv4",
                RoiHeadConfig.voxelRcnnPoolLayer(1.6))));
        fails("POOL_METHOD", () -> new RoiHeadConfig.PoolLayerConfig(List.of(List.of(32, 32)), List.of(List.of(4, 4, 4)), List.of(0.4), List.of(16), "sum"));
        fails("one entry per scale", () -> new RoiHeadConfig.PoolLayerConfig(List.of(List.of(32, 32)), List.of(), List.of(0.4), List.of(16), "max_pool"));
        fails("TRANSFORMS", () -> new RoiHeadConfig.StagesConfig(3, List.of("identity")));
        fails("HEADS 3", () -> c.withLayout(c.streams(), c.stages(), new RoiHeadConfig.AttentionConfig(true, 3), false));
        fails("'lidar' used twice", () -> c.withLayout(List.of(c.streams().get(0), c.streams().get(0)), c.stages(), c.crossStageAttention(), false));
        fails("CLS_LOSS", () -> new RoiHeadConfig.LossConfig("Focal", "smooth-l1", true, c.lossConfig().lossWeights(), 0.3));
        fails("code_weights", () -> new RoiHeadConfig.LossWeights(1, 1, 1, 1, List.of(1.0)));
        assertEquals(t, c.withTargetConfig(t).targetConfig());
    }
}
