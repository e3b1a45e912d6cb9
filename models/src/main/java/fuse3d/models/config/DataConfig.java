package fuse3d.models.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DATA_CONFIG block of an OpenPCDet-style YAML (its {@code dataset_configs/kitti_dataset.yaml} plus a model's
 * overrides): point cloud range, splits, field-of-view filter, augmentation, point features and the data
 * processor (range mask, shuffle, voxelization). The class names come from the top-level CLASS_NAMES.
 *
 * <p>Keys that would act differently from OpenPCDet are refused with the key and the value: DATASET other than
 * KittiDataset, DATA_SPLIT other than {train: train, test: val}, INFO_PATH other than the one info file of each
 * mode's split, GET_ITEM_LIST other than [points], DATA_PROCESSOR steps repeated or out of the order Fuse3D runs them.
 */
public record DataConfig(
        @Default("KittiDataset") String dataset,
        // The dataset root is always given by the caller (the CLI's --data), as OpenPCDet's root_path argument, which
        // takes precedence over DATA_PATH there too: accepted, any value.
        @Default("~") String dataPath,
        double[] pointCloudRange,
        // The caller names the split it opens (--train-split / --val-split, train and val by default); only the
        // matching {train: train, test: val} is accepted.
        @Default("{train: train, test: val}") Map<String, String> dataSplit,
        // Frames come from ImageSets/<split>.txt, which is what kitti_infos_<split>.pkl was made from: only that one
        // file per mode is accepted (several files, e.g. train + val, would change the frames).
        @Default("~") Map<String, List<String>> infoPath,
        // Read by OpenPCDet's Waymo / ONCE datasets only; KittiDataset ignores it, and so does Fuse3D: any value.
        @Default("~") Map<String, Integer> sampledInterval,
        @Default("[points]") List<String> getItemList,
        @Default("true") boolean fovPointsOnly,
        @Default("{AUG_CONFIG_LIST: []}") DataAugmentorConfig dataAugmentor,
        PointFeatureEncoding pointFeatureEncoding,
        List<ProcessorConfig> dataProcessor) {

    public DataConfig {
        if (!"KittiDataset".equals(dataset))
            throw new IllegalArgumentException("DATASET '" + dataset + "' is not supported; Fuse3D reads KittiDataset");
        if (!Map.of("train", "train", "test", "val").equals(dataSplit))
            throw new IllegalArgumentException("DATA_SPLIT " + dataSplit + " is not supported: the caller opens the split it names (train and val by"
                    + " default), so only {train: train, test: val} is accepted");
        if (infoPath != null)
            for (Map.Entry<String, List<String>> e : infoPath.entrySet()) {
                String split = dataSplit.get(e.getKey());
                if (split == null)
                    throw new IllegalArgumentException("INFO_PATH." + e.getKey() + " is not supported: the modes are train and test");
                if (!List.of("kitti_infos_" + split + ".pkl").equals(e.getValue()) && !List.of("kitti_infos_" + split + ".json").equals(e.getValue()))
                    throw new IllegalArgumentException("INFO_PATH." + e.getKey() + " " + e.getValue() + " is not supported: Fuse3D reads the frames of"
                            + " ImageSets/" + split + ".txt, so only [kitti_infos_" + split + ".pkl] (or .json) is accepted");
            }
        if (!List.of("points").equals(getItemList))
            throw new IllegalArgumentException("GET_ITEM_LIST " + getItemList + " is not supported: Fuse3D's KITTI reader gives the model points only ([points])");
        if (pointCloudRange == null || pointCloudRange.length != 6)
            throw new IllegalArgumentException("POINT_CLOUD_RANGE needs 6 values [x_min, y_min, z_min, x_max, y_max, z_max], got "
                    + (pointCloudRange == null ? "none" : pointCloudRange.length));
        for (int a = 0; a < 3; a++)
            if (!(pointCloudRange[a] < pointCloudRange[a + 3]))
                throw new IllegalArgumentException("POINT_CLOUD_RANGE: min " + pointCloudRange[a] + " >= max " + pointCloudRange[a + 3] + " on axis " + a);
        pointCloudRange = pointCloudRange.clone();
        dataProcessor = List.copyOf(dataProcessor);
        // Fuse3D runs the steps in this order, each once; OpenPCDet runs them as listed
        List<String> order = List.of(ProcessorConfig.RANGE, ProcessorConfig.SHUFFLE, ProcessorConfig.VOXELS);
        List<String> names = dataProcessor.stream().map(ProcessorConfig::name).toList();
        for (int i = 1; i < names.size(); i++)
            if (order.indexOf(names.get(i)) <= order.indexOf(names.get(i - 1)))
                throw new IllegalArgumentException("DATA_PROCESSOR " + names + " is not supported: each step at most once, in the order " + order);
        if (dataProcessor.stream().noneMatch(p -> p.name().equals(ProcessorConfig.VOXELS)))
            throw new IllegalArgumentException("DATA_PROCESSOR has no " + ProcessorConfig.VOXELS + " step");
    }

    /** The augmentation block: steps in order, and those to skip. */
    public record DataAugmentorConfig(@Default("[]") List<String> disableAugList, List<AugConfig> augConfigList) {
        public DataAugmentorConfig {
            disableAugList = List.copyOf(disableAugList);
            augConfigList = List.copyOf(augConfigList);
            long gt = augConfigList.stream().filter(a -> a.name().equals("gt_sampling")).count();
            if (gt > 1) throw new IllegalArgumentException("AUG_CONFIG_LIST has " + gt + " gt_sampling entries; one is supported");
        }

        /** The steps that are not disabled, in order. */
        public List<AugConfig> enabled() { return augConfigList.stream().filter(a -> !disableAugList.contains(a.name())).toList(); }
    }

    /** POINT_FEATURE_ENCODING: which point columns the model sees, from those the files hold. */
    public record PointFeatureEncoding(@Default("absolute_coordinates_encoding") String encodingType, List<String> usedFeatureList,
                                       @Default("[x, y, z, intensity]") List<String> srcFeatureList) {
        public PointFeatureEncoding {
            usedFeatureList = List.copyOf(usedFeatureList);
            srcFeatureList = List.copyOf(srcFeatureList);
            if (!"absolute_coordinates_encoding".equals(encodingType))
                throw new IllegalArgumentException("encoding_type " + encodingType + " is not supported (absolute_coordinates_encoding)");
            if (usedFeatureList.size() < 3 || !usedFeatureList.subList(0, 3).equals(List.of("x", "y", "z")))
                throw new IllegalArgumentException("used_feature_list must start with x, y, z, got " + usedFeatureList);
            for (String f : usedFeatureList)
                if (!srcFeatureList.contains(f)) throw new IllegalArgumentException("used feature " + f + " is not in src_feature_list " + srcFeatureList);
        }

        /** The source column of each used feature. */
        public int[] usedColumns() { return usedFeatureList.stream().mapToInt(srcFeatureList::indexOf).toArray(); }
    }

    /** A {train, test} pair of flags (SHUFFLE_ENABLED). */
    public record TrainTestFlags(boolean train, boolean test) {
        public boolean get(boolean training) { return training ? train : test; }
    }

    /** A {train, test} pair of counts (MAX_NUMBER_OF_VOXELS). */
    public record TrainTestCounts(int train, int test) {
        public TrainTestCounts {
            if (train < 1 || test < 1) throw new IllegalArgumentException("train and test counts must be >= 1, got " + train + " and " + test);
        }

        public int get(boolean training) { return training ? train : test; }
    }

    /** One DATA_PROCESSOR step; which keys apply depends on NAME. */
    public record ProcessorConfig(String name, @Default("~") Boolean removeOutsideBoxes, @Default("~") TrainTestFlags shuffleEnabled,
                                  @Default("~") double[] voxelSize, @Default("~") Integer maxPointsPerVoxel,
                                  @Default("~") TrainTestCounts maxNumberOfVoxels) {
        public static final String RANGE = "mask_points_and_boxes_outside_range", SHUFFLE = "shuffle_points", VOXELS = "transform_points_to_voxels";

        public ProcessorConfig {
            switch (name) {
                case RANGE -> { if (removeOutsideBoxes == null) removeOutsideBoxes = true; }
                case SHUFFLE -> { if (shuffleEnabled == null) throw new IllegalArgumentException("shuffle_points needs SHUFFLE_ENABLED {train, test}"); }
                case VOXELS -> {
                    if (voxelSize == null || voxelSize.length != 3) throw new IllegalArgumentException("transform_points_to_voxels needs VOXEL_SIZE [vx, vy, vz]");
                    if (maxPointsPerVoxel == null || maxPointsPerVoxel < 1) throw new IllegalArgumentException("transform_points_to_voxels needs MAX_POINTS_PER_VOXEL >= 1");
                    if (maxNumberOfVoxels == null) throw new IllegalArgumentException("transform_points_to_voxels needs MAX_NUMBER_OF_VOXELS {train, test}");
                }
                default -> throw new IllegalArgumentException("unknown DATA_PROCESSOR step '" + name + "' (known: " + RANGE + ", " + SHUFFLE + ", " + VOXELS + ")");
            }
            Map<String, Object> given = new LinkedHashMap<>();
            if (!name.equals(RANGE)) given.put("REMOVE_OUTSIDE_BOXES", removeOutsideBoxes);
            if (!name.equals(SHUFFLE)) given.put("SHUFFLE_ENABLED", shuffleEnabled);
            if (!name.equals(VOXELS)) {
                given.put("VOXEL_SIZE", voxelSize);
                given.put("MAX_POINTS_PER_VOXEL", maxPointsPerVoxel);
                given.put("MAX_NUMBER_OF_VOXELS", maxNumberOfVoxels);
            }
            refuseForeignKeys(name, given);
        }
    }

    /** One AUG_CONFIG_LIST entry; which keys apply depends on NAME. */
    public record AugConfig(String name,
                            @Default("~") Boolean useRoadPlane, @Default("~") List<String> dbInfoPath, @Default("~") Prepare prepare,
                            @Default("~") List<String> sampleGroups, @Default("~") Integer numPointFeatures,
                            @Default("~") Boolean databaseWithFakelidar, @Default("~") double[] removeExtraWidth,
                            @Default("~") Boolean limitWholeScene,
                            @Default("~") List<String> alongAxisList, @Default("~") double[] worldRotAngle,
                            @Default("~") double[] worldScaleRange, @Default("~") double[] noiseTranslateStd) {
        public static final List<String> KNOWN = List.of("gt_sampling", "random_world_flip", "random_world_rotation", "random_world_scaling",
                "random_world_translation");

        public AugConfig {
            switch (name) {
                case "gt_sampling" -> {
                    if (sampleGroups == null) throw new IllegalArgumentException("gt_sampling needs SAMPLE_GROUPS ['Car:15', ...]");
                    if (Boolean.TRUE.equals(databaseWithFakelidar)) throw new IllegalArgumentException("gt_sampling: DATABASE_WITH_FAKELIDAR is not supported");
                    if (removeExtraWidth != null && removeExtraWidth.length != 3) throw new IllegalArgumentException("gt_sampling: REMOVE_EXTRA_WIDTH needs 3 values");
                    if (numPointFeatures != null && numPointFeatures != 4)
                        throw new IllegalArgumentException("gt_sampling: NUM_POINT_FEATURES " + numPointFeatures
                                + " is not supported: the GT database holds KITTI's 4 point features (x, y, z, intensity)");
                    if (dbInfoPath != null && dbInfoPath.size() != 1)
                        throw new IllegalArgumentException("gt_sampling: DB_INFO_PATH " + dbInfoPath + " is not supported: one db info file is read");
                }
                case "random_world_flip" -> {
                    if (alongAxisList == null) throw new IllegalArgumentException("random_world_flip needs ALONG_AXIS_LIST");
                    for (String a : alongAxisList)
                        if (!a.equals("x") && !a.equals("y")) throw new IllegalArgumentException("random_world_flip: axis '" + a + "' is not x or y");
                }
                case "random_world_rotation" -> {
                    if (worldRotAngle == null || worldRotAngle.length != 2) throw new IllegalArgumentException("random_world_rotation needs WORLD_ROT_ANGLE [lo, hi]");
                }
                case "random_world_scaling" -> {
                    if (worldScaleRange == null || worldScaleRange.length != 2) throw new IllegalArgumentException("random_world_scaling needs WORLD_SCALE_RANGE [lo, hi]");
                }
                case "random_world_translation" -> {
                    if (noiseTranslateStd == null || noiseTranslateStd.length != 3) throw new IllegalArgumentException("random_world_translation needs NOISE_TRANSLATE_STD [x, y, z]");
                }
                default -> throw new IllegalArgumentException("unknown augmentation '" + name + "' (known: " + String.join(", ", KNOWN) + ")");
            }
            Map<String, Object> given = new LinkedHashMap<>();
            if (!name.equals("gt_sampling")) {
                given.put("USE_ROAD_PLANE", useRoadPlane);
                given.put("DB_INFO_PATH", dbInfoPath);
                given.put("PREPARE", prepare);
                given.put("SAMPLE_GROUPS", sampleGroups);
                given.put("NUM_POINT_FEATURES", numPointFeatures);
                given.put("DATABASE_WITH_FAKELIDAR", databaseWithFakelidar);
                given.put("REMOVE_EXTRA_WIDTH", removeExtraWidth);
                given.put("LIMIT_WHOLE_SCENE", limitWholeScene);
            }
            if (!name.equals("random_world_flip")) given.put("ALONG_AXIS_LIST", alongAxisList);
            if (!name.equals("random_world_rotation")) given.put("WORLD_ROT_ANGLE", worldRotAngle);
            if (!name.equals("random_world_scaling")) given.put("WORLD_SCALE_RANGE", worldScaleRange);
            if (!name.equals("random_world_translation")) given.put("NOISE_TRANSLATE_STD", noiseTranslateStd);
            refuseForeignKeys(name, given);
        }
    }

    /** A key set on a step whose NAME does not read it would be ignored: refused with the key and the value. */
    private static void refuseForeignKeys(String name, Map<String, Object> given) {
        for (Map.Entry<String, Object> e : given.entrySet())
            if (e.getValue() != null)
                throw new IllegalArgumentException(name + ": " + e.getKey() + " " + show(e.getValue()) + " is not a key of " + name + " (it would be ignored)");
    }

    private static String show(Object v) {
        return v instanceof double[] d ? Arrays.toString(d) : String.valueOf(v);
    }

    /** gt_sampling's PREPARE filters. */
    public record Prepare(@Default("[]") List<String> filterByMinPoints, @Default("[]") List<Integer> filterByDifficulty) {}

    private ProcessorConfig step(String name) {
        return dataProcessor.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    /** VOXEL_SIZE of the voxelization step. */
    public double[] voxelSize() { return step(ProcessorConfig.VOXELS).voxelSize().clone(); }

    public int maxPointsPerVoxel() { return step(ProcessorConfig.VOXELS).maxPointsPerVoxel(); }

    /** MAX_NUMBER_OF_VOXELS for training or testing. */
    public int maxNumberOfVoxels(boolean training) { return step(ProcessorConfig.VOXELS).maxNumberOfVoxels().get(training); }

    /** Whether points are shuffled in that mode (no shuffle_points step: never). */
    public boolean shufflePoints(boolean training) {
        ProcessorConfig p = step(ProcessorConfig.SHUFFLE);
        return p != null && p.shuffleEnabled().get(training);
    }

    /** Whether the range mask runs (with REMOVE_OUTSIDE_BOXES), or null when the step is absent. */
    public Boolean removeOutsideBoxes() {
        ProcessorConfig p = step(ProcessorConfig.RANGE);
        return p == null ? null : p.removeOutsideBoxes();
    }

    @Override public double[] pointCloudRange() { return pointCloudRange.clone(); }
}
