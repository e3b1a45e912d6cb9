package fuse3d.models.voxelrcnn;

import fuse3d.models.config.ConfigBinder;
import fuse3d.models.config.ConfigNode;
import fuse3d.models.config.ConfigSource;
import fuse3d.models.config.DataConfig;
import fuse3d.models.config.Default;
import fuse3d.models.config.OptimizationConfig;
import fuse3d.models.dense.AnchorHeadConfig;
import fuse3d.models.dense.BaseBevBackboneConfig;
import fuse3d.models.dense.PostProcessingConfig;
import fuse3d.models.roi.RoiHeadConfig;
import fuse3d.sparse.conv.VoxelBackBone8x;
import java.util.Arrays;
import java.util.List;

/**
 * A Voxel R-CNN configuration as a YAML file binds it: CLASS_NAMES, DATA_CONFIG, MODEL and OPTIMIZATION, laid out as
 * OpenPCDet's tools/cfgs/kitti_models/voxel_rcnn_car.yaml with two differences: ROI_HEAD's ROI_GRID_POOL is a list
 * of feature STREAMS (one, "lidar", for Voxel R-CNN), and BACKBONE_3D takes WIDTHS so that small presets can narrow
 * the network without changing its structure. NAME keys must name the classes Fuse3D builds ({@link
 * fuse3d.models.config.ImpliedName}).
 */
public record VoxelRcnnConfig(List<String> classNames, DataConfig dataConfig, ModelConfig model, OptimizationConfig optimization) {
    public VoxelRcnnConfig {
        if (classNames == null || classNames.isEmpty()) throw new IllegalArgumentException("CLASS_NAMES must name at least one class");
        classNames = List.copyOf(classNames);
        if (model.denseHead().anchorGeneratorConfig().size() != classNames.size())
            throw new IllegalArgumentException("MODEL.DENSE_HEAD.ANCHOR_GENERATOR_CONFIG has " + model.denseHead().anchorGeneratorConfig().size()
                    + " entries for " + classNames.size() + " CLASS_NAMES " + classNames);
        for (int i = 0; i < classNames.size(); i++)
            if (!model.denseHead().anchorGeneratorConfig().get(i).className().equals(classNames.get(i)))
                throw new IllegalArgumentException("MODEL.DENSE_HEAD.ANCHOR_GENERATOR_CONFIG[" + i + "].class_name '"
                        + model.denseHead().anchorGeneratorConfig().get(i).className() + "' must be CLASS_NAMES[" + i + "] '" + classNames.get(i) + "'");
    }

    /** MODEL: the network and its post-processing. */
    public record ModelConfig(@Default("VoxelRCNN") String name, VfeConfig vfe, Backbone3dConfig backbone3d, MapToBevConfig mapToBev,
                              BaseBevBackboneConfig backbone2d, AnchorHeadConfig denseHead, RoiHeadConfig roiHead, PostProcessingConfig postProcessing) {
        public ModelConfig {
            if (!"VoxelRCNN".equals(name)) throw new IllegalArgumentException("MODEL.NAME must be VoxelRCNN, got '" + name + "'");
        }
    }

    /** VFE: MeanVFE, the mean of each voxel's points. */
    public record VfeConfig(String name) {
        public VfeConfig {
            if (!"MeanVFE".equals(name)) throw new IllegalArgumentException("MODEL.VFE.NAME must be MeanVFE, got '" + name + "'");
        }
    }

    /** BACKBONE_3D: VoxelBackBone8x with its five widths (conv1..conv4, conv_out) and LAST_PAD. */
    public record Backbone3dConfig(String name, @Default("[16, 32, 64, 64, 128]") int[] widths, @Default("0") int lastPad) {
        public Backbone3dConfig {
            if (!"VoxelBackBone8x".equals(name)) throw new IllegalArgumentException("MODEL.BACKBONE_3D.NAME must be VoxelBackBone8x, got '" + name + "'");
            if (widths == null || widths.length != 5 || Arrays.stream(widths).anyMatch(w -> w < 1))
                throw new IllegalArgumentException("MODEL.BACKBONE_3D.WIDTHS needs five positive widths, got " + Arrays.toString(widths));
            if (lastPad < 0) throw new IllegalArgumentException("MODEL.BACKBONE_3D.LAST_PAD must be >= 0, got " + lastPad);
            widths = widths.clone();
        }

        public static Backbone3dConfig paper() { return new Backbone3dConfig("VoxelBackBone8x", VoxelBackBone8x.PAPER_WIDTHS, 0); }
    }

    /** MAP_TO_BEV: HeightCompression to NUM_BEV_FEATURES channels (conv_out width times the remaining height). */
    public record MapToBevConfig(String name, int numBevFeatures) {
        public MapToBevConfig {
            if (!"HeightCompression".equals(name)) throw new IllegalArgumentException("MODEL.MAP_TO_BEV.NAME must be HeightCompression, got '" + name + "'");
            if (numBevFeatures < 1) throw new IllegalArgumentException("MODEL.MAP_TO_BEV.NUM_BEV_FEATURES must be >= 1, got " + numBevFeatures);
        }
    }

    /** Loads a preset name (voxel_rcnn_car, voxel_rcnn_small) or a YAML path, with KEY.PATH=value overrides. */
    public static VoxelRcnnConfig load(String presetOrPath, List<String> overrides) {
        ConfigNode.Mapping root = ConfigSource.load(presetOrPath, overrides);
        return ConfigBinder.bind(VoxelRcnnConfig.class, root);
    }
}
