package fuse3d.models.roi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.models.detect.LossTerms;
import fuse3d.models.detect.Rois;
import fuse3d.sparse.points.RoiGridPool;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The head's module names, initialisation, forward, losses and gradients, for Voxel R-CNN and a CMF-IoU-style layout. */
class RoiHeadTest {

    @Test
    void voxelRcnnNamesMatchOpenPcdet() {
        RoiHead head = new RoiHead(RoiHeadConfig.voxelRcnnCar(), 1, Map.of("lidar", Map.of("x_conv2", 32, "x_conv3", 64, "x_conv4", 64)),
                TestScene.VOXEL, TestScene.RANGE, new Generator(1));
        Map<String, Tensor> sd = head.stateDict();
        // VoxelRCNNHead: three pool layers, SHARED_FC Linear/BN/ReLU/Dropout/Linear/BN/ReLU, the same for cls and reg
        Map<String, int[]> expect = Map.of(
                "roi_grid_pool_layers.0.mlps_in.0.0.weight", new int[] {32, 32, 1},
                "roi_grid_pool_layers.2.mlps_pos.0.0.weight", new int[] {32, 3, 1, 1},
                "roi_grid_pool_layers.1.mlps_out.0.1.running_mean", new int[] {32},
                "shared_fc_layer.0.weight", new int[] {256, 216 * 96},
                "shared_fc_layer.1.running_var", new int[] {256},
                "shared_fc_layer.4.weight", new int[] {256, 256},
                "cls_fc_layers.4.weight", new int[] {256, 256},
                "cls_pred_layer.weight", new int[] {1, 256},
                "reg_fc_layers.5.bias", new int[] {256},
                "reg_pred_layer.weight", new int[] {7, 256});
        for (var e : expect.entrySet()) {
            assertTrue(sd.containsKey(e.getKey()), e.getKey() + " missing from " + sd.keySet());
            assertArrayEquals(e.getValue(), sd.get(e.getKey()).shape(), e.getKey());
        }
        assertTrue(sd.containsKey("reg_pred_layer.bias") && !sd.containsKey("shared_fc_layer.0.bias") && !sd.containsKey("shared_fc_layer.3.weight"));
        Set<String> top = head.namedChildren().keySet();
        assertEquals(Set.of("roi_grid_pool_layers", "shared_fc_layer", "cls_fc_layers", "cls_pred_layer", "reg_fc_layers", "reg_pred_layer"), top);
        // init_weights: xavier_normal FCs, N(0, 0.01) cls output, N(0, 0.001) reg output, zero output biases
        assertEquals(Math.sqrt(2.0 / (216 * 96 + 256)), std(sd.get("shared_fc_layer.0.weight")), 2e-4);
        assertEquals(0.001, std(sd.get("reg_pred_layer.weight")), 1.5e-4);
        assertEquals(0.01, std(sd.get("cls_pred_layer.weight")), 2e-3);
        assertEquals(0.0, sd.get("reg_pred_layer.bias").abs().sum().item());
    }

    /**
     * golden/voxelrcnn_head_state.safetensors is the state dict of VoxelRCNNHead's module tree restated in torch.nn
     * (tests/golden/models/gen_voxelrcnn_head_state.py): the same names, shapes and order, and a strict load.
     */
    @Test
    void loadsAVoxelRcnnHeadStateDictStrictly() throws Exception {
        java.nio.file.Path file = java.nio.file.Path.of(RoiHeadTest.class.getResource("/golden/voxelrcnn_head_state.safetensors").toURI());
        Map<String, Tensor> torch = fuse3d.tensor.io.TensorIO.readSafeTensors(file);
        RoiHeadConfig cfg = TestScene.small(List.of(lidar(2)), new RoiHeadConfig.StagesConfig(1, List.of()), RoiHeadConfig.AttentionConfig.off(), false, 0.3)
                .withFc(List.of(8, 8), List.of(6, 6), List.of(6), 0.3);
        RoiHead head = new RoiHead(cfg, 1, Map.of("lidar", Map.of("x_conv2", 5, "x_conv3", 6)), TestScene.VOXEL, TestScene.RANGE, new Generator(2));
        assertEquals(new java.util.TreeSet<>(torch.keySet()), new java.util.TreeSet<>(head.stateDict().keySet()));
        assertTrue(head.loadStateDict(torch, true).clean());
        Tensor w = head.stateDict().get("shared_fc_layer.4.weight");
        assertArrayEquals(torch.get("shared_fc_layer.4.weight").toFloatArray(), w.toFloatArray());
    }

    private static double std(Tensor t) {
        double[] v = t.to(DType.FLOAT64).toDoubleArray();
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s / v.length);
    }

    private static RoiHeadConfig.StreamConfig lidar(int grid) {
        return new RoiHeadConfig.StreamConfig("lidar", grid, List.of("x_conv2", "x_conv3"), true,
                Map.of("x_conv2", TestScene.layer(4, 4, 0.6), "x_conv3", TestScene.layer(4, 3, 1.2)));
    }

    private static RoiHeadConfig.StreamConfig pseudo() {
        return new RoiHeadConfig.StreamConfig("pseudo", 2, List.of("x_conv2"), true, Map.of("x_conv2", TestScene.layer(3, 3, 0.6)));
    }

    private static Map<String, Map<String, RoiGridPool.VoxelSet>> streams(DType dt) {
        return Map.of("lidar", Map.of("x_conv2", TestScene.voxels(2, 5, 11, dt), "x_conv3", TestScene.voxels(4, 6, 12, dt)),
                "pseudo", Map.of("x_conv2", TestScene.voxels(2, 4, 13, dt)));
    }

    private static final Map<String, Map<String, Integer>> CHANNELS = Map.of("lidar", Map.of("x_conv2", 5, "x_conv3", 6), "pseudo", Map.of("x_conv2", 4));

    @Test
    void voxelRcnnLayoutTrainsAndRefines() {
        RoiHeadConfig cfg = TestScene.small(List.of(lidar(2)), new RoiHeadConfig.StagesConfig(1, List.of()), RoiHeadConfig.AttentionConfig.off(), false, 0.3);
        RoiHead head = new RoiHead(cfg, 1, CHANNELS, TestScene.VOXEL, TestScene.RANGE, new Generator(3));
        var s = streams(DType.FLOAT32);
        LossTerms terms = head.losses(TestScene.rois(10, 1), TestScene.gt(), s, new Generator(9));
        assertEquals(List.of("rcnn_loss_cls", "rcnn_loss_reg", "rcnn_loss_corner"), List.copyOf(terms.terms().keySet()));
        for (double v : terms.values().values()) assertTrue(Double.isFinite(v) && v >= 0, terms.values().toString());
        terms.total().backward();
        assertNotNull(s.get("lidar").get("x_conv3").features().grad(), "gradients reach the backbone features");
        head.eval();
        RoiHead.Refined r = head.refine(TestScene.rois(10, 1), s);
        assertArrayEquals(new int[] {2, 10, 7}, r.boxes().shape());
        assertArrayEquals(new int[] {2, 10, 1}, r.cls().shape());
        assertNull(r.iou());
        assertEquals(1, r.stages().size());
        // the reg output starts near zero (std 0.001), so refined boxes stay near their RoIs
        float[] b = r.boxes().data().toFloatArray(), ro = TestScene.rois(10, 1).boxes().toFloatArray();
        for (int i = 0; i < 7 * 8; i++) assertEquals(ro[i], b[i], 0.05, "element " + i);
    }

    @Test
    void twoStreamsTwoStagesAttentionAndIouGiveEveryParameterAGradient() {
        RoiHeadConfig cfg = TestScene.small(List.of(lidar(3), pseudo()), new RoiHeadConfig.StagesConfig(2, List.of("identity", "flip_y")),
                new RoiHeadConfig.AttentionConfig(true, 2), true, 0.0);
        RoiHead head = new RoiHead(cfg, 1, CHANNELS, TestScene.VOXEL, TestScene.RANGE, new Generator(4));
        Set<String> top = head.namedChildren().keySet();
        assertTrue(top.containsAll(List.of("roi_grid_pool_layers", "pseudo_roi_grid_pool_layers", "shared_fc_layer", "pseudo_shared_fc_layer_stage1",
                "cross_stage_attention", "pseudo_cross_stage_attention_stage1", "cls_pred_layer_stage1", "iou_pred_layer", "iou_fc_layers_stage1")), top.toString());
        var s = streams(DType.FLOAT32);
        LossTerms terms = head.losses(TestScene.rois(10, 2), TestScene.gt(), s, new Generator(5));
        assertEquals(List.of("rcnn_loss_cls_stage0", "rcnn_loss_reg_stage0", "rcnn_loss_corner_stage0", "rcnn_loss_iou_stage0",
                "rcnn_loss_cls_stage1", "rcnn_loss_reg_stage1", "rcnn_loss_corner_stage1", "rcnn_loss_iou_stage1"), List.copyOf(terms.terms().keySet()));
        terms.total().backward();
        for (var e : head.namedParameters().entrySet()) {
            Tensor g = e.getValue().grad();
            assertNotNull(g, e.getKey() + " has no gradient");
            double a = g.to(DType.FLOAT64).abs().sum().item();
            assertTrue(Double.isFinite(a) && a > 0, e.getKey() + ": gradient |sum| " + a);
        }
        head.eval();
        RoiHead.Refined r = head.refine(TestScene.rois(10, 2), s);
        assertEquals(2, r.stages().size());
        assertArrayEquals(new int[] {2, 10, 1}, r.iou().shape());
        // the class logits are the mean of the stages'
        Tensor mean = r.stages().get(0).cls().data().add(r.stages().get(1).cls().data()).mul(0.5).reshape(2, 10, 1);
        assertArrayEquals(mean.toFloatArray(), r.cls().data().toFloatArray(), 1e-6f);
        // stage 1 refines stage 0's boxes
        assertArrayEquals(r.stages().get(0).boxes().data().toFloatArray(), r.stages().get(1).rois().toFloatArray(), 1e-6f);
    }

    @Test
    void gradcheckOfTheHeadInFloat64() {
        RoiHeadConfig cfg = TestScene.small(List.of(lidar(2)), new RoiHeadConfig.StagesConfig(1, List.of()), RoiHeadConfig.AttentionConfig.off(), false, 0.0);
        RoiHead head = new RoiHead(cfg, 1, Map.of("lidar", Map.of("x_conv2", 2, "x_conv3", 2)), TestScene.VOXEL, TestScene.RANGE, new Generator(6));
        head.to(DType.FLOAT64).eval();
        // make the outputs sensitive: the reference's 0.001 reg init would hide errors under the tolerance
        for (var e : head.namedParameters().entrySet())
            if (e.getKey().startsWith("reg_pred_layer.weight")) e.getValue().data().copy_(e.getValue().data().mul(100.0));
        // sparse voxel sets keep the finite differences few
        Map<String, Map<String, RoiGridPool.VoxelSet>> s = Map.of("lidar", Map.of("x_conv2", TestScene.voxels(2, 2, 21, DType.FLOAT64, 0.06),
                "x_conv3", TestScene.voxels(4, 2, 22, DType.FLOAT64, 0.2)));
        Rois rois = TestScene.rois(4, 3);
        List<Var> leaves = List.of(s.get("lidar").get("x_conv2").features(), s.get("lidar").get("x_conv3").features());
        Gradcheck.assertLeafGradients("roi_head.refine", () -> {
            RoiHead.Refined r = head.refine(rois, s);
            return Var.cat(2, r.boxes(), r.cls());
        }, leaves, new Gradcheck.Options(1e-6, 1e-5, 1e-3, 1, 7));
    }

    @Test
    void flipYTransformAndRegistry() {
        SceneTransform f = SceneTransforms.byName("flip_y");
        Tensor boxes = Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6, 0.7f, 9}, 1, 8);
        assertArrayEquals(new float[] {1, -2, 3, 4, 5, 6, -0.7f, 9}, f.boxes(boxes).toFloatArray());
        assertArrayEquals(boxes.narrow(1, 0, 7).contiguous().toFloatArray(), f.undoBoxes(Var.of(f.boxes(boxes.narrow(1, 0, 7).contiguous()))).data().toFloatArray());
        RoiGridPool.VoxelSet v = TestScene.voxels(2, 3, 1, DType.FLOAT32);
        RoiGridPool.VoxelSet fv = f.voxels(v, TestScene.VOXEL, TestScene.RANGE);
        int[] a = v.coords().toIntArray(), b = fv.coords().toIntArray();
        for (int i = 0; i < a.length; i += 4) assertEquals(15 - a[i + 2], b[i + 2]);
        var e = assertThrows(IllegalArgumentException.class, () -> f.voxels(v, TestScene.VOXEL, new double[] {0, -3, -2, 8, 5, 2}));
        assertTrue(e.getMessage().contains("symmetric"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RoiHeadConfig.StagesConfig(2, List.of("identity", "spin")));
        assertTrue(e.getMessage().contains("'spin'") && e.getMessage().contains("flip_y"), e.getMessage());
    }

    @Test
    void missingStreamsAndChannelsAreNamed() {
        RoiHeadConfig cfg = TestScene.small(List.of(lidar(2), pseudo()), new RoiHeadConfig.StagesConfig(1, List.of()), RoiHeadConfig.AttentionConfig.off(), false, 0);
        var e = assertThrows(IllegalArgumentException.class,
                () -> new RoiHead(cfg, 1, Map.of("lidar", Map.of("x_conv2", 5, "x_conv3", 6)), TestScene.VOXEL, TestScene.RANGE, new Generator(1)));
        assertTrue(e.getMessage().contains("'pseudo'"), e.getMessage());
        RoiHead head = new RoiHead(cfg, 1, CHANNELS, TestScene.VOXEL, TestScene.RANGE, new Generator(1));
        head.eval();
        e = assertThrows(IllegalArgumentException.class, () -> head.refine(TestScene.rois(4, 1), Map.of("lidar", streams(DType.FLOAT32).get("lidar"))));
        assertTrue(e.getMessage().contains("stream 'pseudo'"), e.getMessage());
    }
}
