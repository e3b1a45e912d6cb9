package fuse3d.models.voxelrcnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.models.config.ConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * No config key is bound and then ignored: a value that would act differently from OpenPCDet is refused, and the
 * message names the key and the value; OpenPCDet's own values (the shipped presets) still bind.
 */
class ConfigKeysTest {
    /** Loads voxel_rcnn_small with one override and expects a refusal naming each of {@code parts}. */
    private static void refused(String override, String... parts) {
        ConfigException e = assertThrows(ConfigException.class, () -> VoxelRcnnConfig.load("voxel_rcnn_small", List.of(override)));
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should name " + p);
    }

    private static final String FLIP = "{NAME: random_world_flip, ALONG_AXIS_LIST: [x]}";
    private static final String GT = "{NAME: gt_sampling, SAMPLE_GROUPS: ['Car:10'], DB_INFO_PATH: [kitti_dbinfos_train.json]";

    @Test
    void presetsStillBind() {
        for (String p : List.of("voxel_rcnn_car", "voxel_rcnn_3classes", "voxel_rcnn_small")) {
            VoxelRcnnConfig c = VoxelRcnnConfig.load(p, List.of());
            assertEquals("KittiDataset", c.dataConfig().dataset());
            assertEquals(Map.of("train", "train", "test", "val"), c.dataConfig().dataSplit());
            assertEquals("kitti", c.model().postProcessing().evalMetric());
        }
        // OpenPCDet's spelling of the info files, the no-op keys with any value
        VoxelRcnnConfig c = VoxelRcnnConfig.load("voxel_rcnn_small", List.of("DATA_CONFIG.INFO_PATH={train: [kitti_infos_train.pkl], test: [kitti_infos_val.pkl]}",
                "DATA_CONFIG.DATA_PATH=/somewhere/else", "MODEL.ROI_HEAD.STREAMS=[{NAME: lidar, GRID_SIZE: 2, FEATURES_SOURCE: [x_conv4], PRE_MLP: False,"
                        + " POOL_LAYERS: {x_conv4: {MLPS: [[8]], QUERY_RANGES: [[1, 1, 1]], POOL_RADIUS: [1.6], NSAMPLE: [4], POOL_METHOD: max_pool}}}]"));
        assertEquals(List.of("kitti_infos_train.pkl"), c.dataConfig().infoPath().get("train"));
    }

    @Test
    void datasetKeysNameTheKeyAndValue() {
        refused("DATA_CONFIG.DATASET=NuScenesDataset", "DATA_CONFIG", "DATASET 'NuScenesDataset'");
        refused("DATA_CONFIG.DATA_SPLIT={train: train, test: test}", "DATA_SPLIT {train=train, test=test}");
        refused("DATA_CONFIG.INFO_PATH={train: [kitti_infos_train.pkl, kitti_infos_val.pkl], test: [kitti_infos_val.pkl]}",
                "INFO_PATH.train [kitti_infos_train.pkl, kitti_infos_val.pkl]");
        refused("DATA_CONFIG.INFO_PATH={train: [kitti_infos_train.pkl], test: [kitti_infos_test.pkl]}", "INFO_PATH.test [kitti_infos_test.pkl]");
        refused("DATA_CONFIG.INFO_PATH={trainval: [kitti_infos_trainval.pkl]}", "INFO_PATH.trainval");
        refused("DATA_CONFIG.GET_ITEM_LIST=[points, images]", "GET_ITEM_LIST [points, images]");
    }

    @Test
    void augmentationKeysNameTheKeyAndValue() {
        String aug = "DATA_CONFIG.DATA_AUGMENTOR.AUG_CONFIG_LIST=";
        refused(aug + "[" + GT + ", NUM_POINT_FEATURES: 5}]", "AUG_CONFIG_LIST", "gt_sampling: NUM_POINT_FEATURES 5");
        refused(aug + "[{NAME: gt_sampling, SAMPLE_GROUPS: ['Car:10'], DB_INFO_PATH: [a.pkl, b.pkl]}]", "gt_sampling: DB_INFO_PATH [a.pkl, b.pkl]");
        refused(aug + "[" + GT + "}, " + GT + "}]", "AUG_CONFIG_LIST has 2 gt_sampling entries");
        // a key of another step would be ignored by this one
        refused(aug + "[{NAME: random_world_flip, ALONG_AXIS_LIST: [x], WORLD_ROT_ANGLE: [-1, 1]}]", "random_world_flip: WORLD_ROT_ANGLE [-1.0, 1.0]");
        refused(aug + "[{NAME: random_world_rotation, WORLD_ROT_ANGLE: [-1, 1], USE_ROAD_PLANE: True}]", "random_world_rotation: USE_ROAD_PLANE true");
        refused(aug + "[" + GT + ", ALONG_AXIS_LIST: [y]}]", "gt_sampling: ALONG_AXIS_LIST [y]");
        VoxelRcnnConfig.load("voxel_rcnn_small", List.of(aug + "[" + FLIP + "]")); // the step's own keys bind
    }

    @Test
    void processorKeysNameTheKeyAndValue() {
        String vox = "{NAME: transform_points_to_voxels, VOXEL_SIZE: [0.1, 0.1, 0.1], MAX_POINTS_PER_VOXEL: 5, MAX_NUMBER_OF_VOXELS: {train: 10, test: 10}}";
        String mask = "{NAME: mask_points_and_boxes_outside_range, REMOVE_OUTSIDE_BOXES: True}";
        String shuffle = "{NAME: shuffle_points, SHUFFLE_ENABLED: {train: True, test: False}}";
        String dp = "DATA_CONFIG.DATA_PROCESSOR=";
        refused(dp + "[" + mask + ", " + vox + ", " + shuffle + "]",
                "DATA_PROCESSOR [mask_points_and_boxes_outside_range, transform_points_to_voxels, shuffle_points]");
        refused(dp + "[" + shuffle + ", " + shuffle + ", " + vox + "]", "DATA_PROCESSOR [shuffle_points, shuffle_points, transform_points_to_voxels]");
        refused(dp + "[{NAME: shuffle_points, SHUFFLE_ENABLED: {train: True, test: False}, MAX_POINTS_PER_VOXEL: 3}, " + vox + "]",
                "shuffle_points: MAX_POINTS_PER_VOXEL 3");
        refused(dp + "[{NAME: mask_points_and_boxes_outside_range, VOXEL_SIZE: [1, 1, 1]}, " + vox + "]",
                "mask_points_and_boxes_outside_range: VOXEL_SIZE [1.0, 1.0, 1.0]");
        assertEquals(3, VoxelRcnnConfig.load("voxel_rcnn_small", List.of(dp + "[" + mask + ", " + shuffle + ", " + vox + "]")).dataConfig().dataProcessor().size());
    }

    @Test
    void evalMetricNamesTheKeyAndValue() {
        refused("MODEL.POST_PROCESSING.EVAL_METRIC=waymo", "MODEL.POST_PROCESSING", "EVAL_METRIC 'waymo'");
    }
}
