package fuse3d.models.voxelrcnn;

import static org.junit.jupiter.api.Assertions.*;

import fuse3d.autograd.Var;
import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.synth.SyntheticKitti;
import fuse3d.models.config.ConfigException;
import fuse3d.models.detect.Batch;
import fuse3d.models.detect.Detections;
import fuse3d.models.detect.LossTerms;
import fuse3d.models.train.KittiDetectionDataset;
import fuse3d.tensor.Generator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled Voxel R-CNN: both presets bind, the paper's names and sizes, and a training and an inference pass on synthetic KITTI frames. */
class VoxelRcnnTest {
    @TempDir
    static Path root;

    @BeforeAll
    static void data() throws Exception {
        SyntheticKitti.write(root, 4, 7, null);
    }

    @Test
    void presetsBind() {
        VoxelRcnnConfig car = VoxelRcnnConfig.load("voxel_rcnn_car", List.of());
        assertEquals(List.of("Car"), car.classNames());
        assertArrayEquals(new double[] {0.05, 0.05, 0.1}, car.dataConfig().voxelSize());
        assertEquals(256, car.model().mapToBev().numBevFeatures());
        assertEquals(6, car.model().roiHead().streams().get(0).gridSize());
        assertEquals(80, car.optimization().numEpochs());
        VoxelRcnnConfig small = VoxelRcnnConfig.load("voxel_rcnn_small", List.of("OPTIMIZATION.NUM_EPOCHS=3"));
        assertEquals(3, small.optimization().numEpochs());
        assertArrayEquals(new int[] {8, 16, 32, 32, 64}, small.model().backbone3d().widths());
        // the small preset raises only the direction weight; the other loss weights merge in from the paper's
        var weights = small.model().denseHead().lossConfig().lossWeights();
        assertEquals(1.0, weights.dirWeight());
        assertEquals(0.2, car.model().denseHead().lossConfig().lossWeights().dirWeight());
        assertEquals(2.0, weights.locWeight());
        assertEquals(1.0, weights.clsWeight());
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1, 1}, weights.codeWeights());
        // GT sampling on the road plane as OpenPCDet's KITTI configs; the small preset runs without planes/
        assertEquals(Boolean.TRUE, car.dataConfig().dataAugmentor().augConfigList().get(0).useRoadPlane());
        assertEquals(Boolean.FALSE, small.dataConfig().dataAugmentor().augConfigList().get(0).useRoadPlane());
        ConfigException e = assertThrows(ConfigException.class, () -> VoxelRcnnConfig.load("voxel_rcnn_small", List.of("MODEL.BACKBONE_3D.WIDTHS=[8, 16]")));
        assertTrue(e.getMessage().contains("WIDTHS"), e.getMessage());
    }

    @Test
    void aConfigErrorNamesTheFileLineAndKeyThatSetIt() throws Exception {
        java.nio.file.Path base = root.resolve("base.yaml"), child = root.resolve("child.yaml");
        java.nio.file.Files.writeString(base, "_BASE_CONFIG_: voxel_rcnn_small\nMODEL:\n  BACKBONE_2D:\n    NAME: BaseBEVBackbone\n    LAYERS: [1, 1]\n");
        java.nio.file.Files.writeString(child, "_BASE_CONFIG_: base.yaml\nMODEL:\n  BACKBONE_2D:\n    LAYER_NUMS: [1, 1]\n");
        ConfigException e = assertThrows(ConfigException.class, () -> VoxelRcnnConfig.load(child.toString(), List.of()));
        assertTrue(e.getMessage().startsWith("base.yaml:5: MODEL.BACKBONE_2D.LAYERS: unknown key"), e.getMessage());
        // OpenPCDet's NAME keys bind where Fuse3D builds that very class, and a different class is refused by name
        e = assertThrows(ConfigException.class, () -> VoxelRcnnConfig.load("voxel_rcnn_small", List.of("MODEL.DENSE_HEAD.NAME=CenterHead")));
        assertTrue(e.getMessage().contains("MODEL.DENSE_HEAD.NAME: Fuse3D builds AnchorHeadSingle here, got 'CenterHead'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> VoxelRcnnConfig.load("voxel_rcnn_small", List.of("MODEL.DENSE_HEAD.NUM_DIR_BINS=0")));
        assertTrue(e.getMessage().contains("MODEL.DENSE_HEAD") && e.getMessage().contains("NUM_DIR_BINS"), e.getMessage());
    }

    @Test
    void aUsedFeaturePastTheFilesColumnsIsNamed() throws Exception {
        // KITTI's files hold 4 columns; src_feature_list claims a fifth and used_feature_list reads it (column 4)
        VoxelRcnnConfig cfg = VoxelRcnnConfig.load("voxel_rcnn_small", List.of("DATA_CONFIG.POINT_FEATURE_ENCODING.src_feature_list=[x, y, z, intensity, e]",
                "DATA_CONFIG.POINT_FEATURE_ENCODING.used_feature_list=[x, y, z, e]"));
        KittiDetectionDataset val = new KittiDetectionDataset(KittiDataset.open(root, "val"), cfg.classNames(), cfg.dataConfig(), false, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> val.get(0, 0));
        assertTrue(e.getMessage().contains("has 4 features, used_feature_list reads column 4 of src_feature_list"), e.getMessage());
    }

    @Test
    void paperModelHasOpenPcdetNames() {
        VoxelRcnn m = new VoxelRcnn(VoxelRcnnConfig.load("voxel_rcnn_car", List.of()), new Generator(0));
        Map<String, ?> sd = m.stateDict();
        for (String k : List.of("backbone_3d.conv_input.0.weight", "backbone_3d.conv_out.1.running_mean", "backbone_2d.blocks.0.1.weight",
                "backbone_2d.deblocks.1.0.weight", "dense_head.conv_cls.weight", "dense_head.conv_dir_cls.bias",
                "roi_head.roi_grid_pool_layers.0.mlps_in.0.0.weight", "roi_head.shared_fc_layer.0.weight", "roi_head.reg_pred_layer.weight"))
            assertTrue(sd.containsKey(k), k + " in " + sd.keySet());
    }

    @Test
    void smallModelTrainsAndPredicts() throws Exception {
        VoxelRcnnConfig cfg = VoxelRcnnConfig.load("voxel_rcnn_small", List.of());
        VoxelRcnn model = new VoxelRcnn(cfg, new Generator(1));
        KittiDetectionDataset train = new KittiDetectionDataset(KittiDataset.open(root, "train"), cfg.classNames(), cfg.dataConfig(), true, 3);
        Batch b = KittiDetectionDataset.collate(List.of(train.get(0, 0), train.get(1, 0)));
        model.train();
        long t0 = System.nanoTime();
        LossTerms terms = model.losses(b);
        Var total = terms.total();
        total.backward();
        long t1 = System.nanoTime();
        assertEquals(List.of("rpn_loss_cls", "rpn_loss_loc", "rpn_loss_dir", "rcnn_loss_cls", "rcnn_loss_reg", "rcnn_loss_corner"),
                List.copyOf(terms.terms().keySet()));
        for (Map.Entry<String, Double> e : terms.values().entrySet()) assertTrue(Double.isFinite(e.getValue()) && e.getValue() >= 0, e.toString());
        int withGrad = 0, params = 0;
        for (Var p : model.parameters()) {
            params++;
            if (p.grad() != null && p.grad().abs().sum().item() > 0) withGrad++;
        }
        assertTrue(withGrad > params * 0.9, withGrad + " of " + params + " parameters got a gradient");
        model.eval();
        KittiDetectionDataset val = new KittiDetectionDataset(KittiDataset.open(root, "val"), cfg.classNames(), cfg.dataConfig(), false, 3);
        Batch vb = KittiDetectionDataset.collate(List.of(val.get(0, 0)));
        long t2 = System.nanoTime();
        List<Detections> d = model.predict(vb);
        long t3 = System.nanoTime();
        assertEquals(1, d.size());
        System.out.printf("voxel_rcnn_small: train step %.0f ms (losses %s), predict %.0f ms, %d detections%n", (t1 - t0) / 1e6, terms.values(),
                (t3 - t2) / 1e6, d.get(0).count());
    }
}
