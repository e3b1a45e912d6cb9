package fuse3d.models.dense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.Closeness;
import fuse3d.tensor.testing.GoldenCases;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Replays golden/dense/anchor_targets.safetensors (PyTorch 1.13, written by tests/golden/models/gen_dense_targets.py):
 * two classes of anchors with their own thresholds, a third class without anchors, zero-padded rows.
 */
class AnchorTargetsGoldenTest {
    @Test
    void targetsMatchPyTorch() throws Exception {
        GoldenCases.Case c = GoldenCases.read(Path.of(AnchorTargetsGoldenTest.class.getResource("/golden/dense/anchor_targets.safetensors").toURI())).get(0);
        Map<String, Tensor> in = c.named();
        List<AnchorClassConfig> classes = List.of(
                new AnchorClassConfig("Car", new double[][] {{3.9, 1.6, 1.56}}, new double[] {0, 1.57}, new double[] {-1.78}, false, 1, 0.6, 0.45),
                new AnchorClassConfig("Pedestrian", new double[][] {{0.8, 0.6, 1.73}}, new double[] {0, 1.57}, new double[] {-0.6}, false, 1, 0.5, 0.35));
        AxisAlignedTargetAssigner a = new AxisAlignedTargetAssigner(classes, List.of("Car", "Pedestrian", "Cyclist"), TargetAssignerConfig.voxelRcnnCar());
        AnchorTargets t = a.assign(List.of(in.get("anchors_car"), in.get("anchors_pedestrian")), in.get("gt_boxes"), new Generator(0));
        int[] expected = c.outputs().get(0).toIntArray();
        assertArrayEquals(expected, t.boxClsLabels().toIntArray());
        int pos = 0;
        for (int l : expected) if (l > 0) pos++;
        assertTrue(pos >= 4, "the fixture should have positives, has " + pos);
        Closeness.assertClose(t.boxRegTargets(), c.outputs().get(1), 1e-5, 1e-6, false, "box_reg_targets");
        Closeness.assertClose(t.regWeights(), c.outputs().get(2), 0, 0, false, "reg_weights");
    }
}
