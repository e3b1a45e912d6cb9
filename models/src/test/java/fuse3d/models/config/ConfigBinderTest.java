package fuse3d.models.config;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class ConfigBinderTest {
    record Head(int numDirBins, double[] anchorSizes, @Default("[]") List<String> classNames) {
        Head {
            if (numDirBins < 1) throw new IllegalArgumentException("NUM_DIR_BINS must be >= 1, got " + numDirBins);
        }
    }

    enum Kind { ADAM_ONECYCLE, SGD }

    record Model(String name, Head denseHead, Map<String, Integer> groups, Optional<Double> scale, Kind kind,
                 @Default("[[1.0, 2.0], [3.0, 4.0]]") double[][] table, boolean flag, String[] tags, List<Head> heads) {}

    static final String MODEL = """
            NAME: VoxelRCNN
            DENSE_HEAD:
                NUM_DIR_BINS: 2
                ANCHOR_SIZES: [3.9, 1.6, 1.56]
            GROUPS: {Car: 15, Pedestrian: 10}
            KIND: adam_onecycle
            FLAG: True
            TAGS: [a, b]
            HEADS:
                - {num_dir_bins: 1, anchor_sizes: [1]}
                - {NUM_DIR_BINS: 3, ANCHOR_SIZES: [], CLASS_NAMES: [Car]}
            """;

    @Test
    void bindsNestedRecordsIgnoringCaseAndUnderscores() {
        Model m = ConfigBinder.bind(Model.class, ConfigSource.parse(MODEL, "m.yaml"));
        assertEquals("VoxelRCNN", m.name());
        assertEquals(2, m.denseHead().numDirBins());
        assertArrayEquals(new double[] {3.9, 1.6, 1.56}, m.denseHead().anchorSizes());
        assertEquals(List.of(), m.denseHead().classNames());
        assertEquals(List.of("Car", "Pedestrian"), List.copyOf(m.groups().keySet()));
        assertEquals(Optional.empty(), m.scale());
        assertEquals(Kind.ADAM_ONECYCLE, m.kind());
        assertArrayEquals(new double[] {3, 4}, m.table()[1]);
        assertTrue(m.flag());
        assertArrayEquals(new String[] {"a", "b"}, m.tags());
        assertEquals(3, m.heads().get(1).numDirBins());
        assertEquals(List.of("Car"), m.heads().get(1).classNames());
    }

    @Test
    void wrongTypeNamesFileLineAndKeyPath() {
        String bad = MODEL.replace("NUM_DIR_BINS: 2", "NUM_DIR_BINS: two");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigBinder.bind(Model.class, ConfigSource.parse(bad, "voxel_rcnn_small.yaml")));
        assertEquals("voxel_rcnn_small.yaml:3: DENSE_HEAD.NUM_DIR_BINS: expected an integer, got 'two'", e.getMessage());
        assertEquals(3, e.line());
    }

    @Test
    void wrongTypeInsideAListNamesTheIndex() {
        String bad = MODEL.replace("anchor_sizes: [1]", "anchor_sizes: [x]");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigBinder.bind(Model.class, ConfigSource.parse(bad, "m.yaml")));
        assertTrue(e.getMessage().startsWith("m.yaml:10: HEADS[0].anchor_sizes[0]: expected a number, got 'x'"), e.getMessage());
    }

    @Test
    void missingKeyNamesTheMappingAndTheKey() {
        String bad = MODEL.replace("    ANCHOR_SIZES: [3.9, 1.6, 1.56]\n", "");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigBinder.bind(Model.class, ConfigSource.parse(bad, "m.yaml")));
        assertTrue(e.getMessage().startsWith("m.yaml:3: DENSE_HEAD.ANCHOR_SIZES: missing key"), e.getMessage());
    }

    @Test
    void unknownKeySuggestsTheClosest() {
        String bad = MODEL.replace("NUM_DIR_BINS: 2", "NUM_DIR_BIN: 2");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigBinder.bind(Model.class, ConfigSource.parse(bad, "m.yaml")));
        assertTrue(e.getMessage().startsWith("m.yaml:3: DENSE_HEAD.NUM_DIR_BIN: unknown key for Head; did you mean NUM_DIR_BINS?"), e.getMessage());
    }

    @Test
    void constructorRejectionIsWrappedWithLocation() {
        String bad = MODEL.replace("NUM_DIR_BINS: 2", "NUM_DIR_BINS: 0");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigBinder.bind(Model.class, ConfigSource.parse(bad, "m.yaml")));
        assertTrue(e.getMessage().startsWith("m.yaml:3: DENSE_HEAD: rejected by Head: NUM_DIR_BINS must be >= 1, got 0"), e.getMessage());
    }

    @Test
    void badEnumListsTheChoices() {
        String bad = MODEL.replace("KIND: adam_onecycle", "KIND: adamw");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigBinder.bind(Model.class, ConfigSource.parse(bad, "m.yaml")));
        assertTrue(e.getMessage().startsWith("m.yaml:6: KIND: expected one of adam_onecycle, sgd, got 'adamw'"), e.getMessage());
    }

    @Test
    void syntaxErrorNamesTheLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSource.parse("A: 1\nB: [1, 2\nC: 3\n", "s.yaml"));
        assertTrue(e.getMessage().startsWith("s.yaml:"), e.getMessage());
        assertTrue(e.line() >= 2, e.getMessage());
    }

    @Test
    void baseConfigInheritanceWithDeepMergeAndOrigins(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("base.yaml"), MODEL);
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/child.yaml"), """
                _BASE_CONFIG_: ../base.yaml
                DENSE_HEAD:
                    NUM_DIR_BINS: oops
                TAGS: [c]
                """);
        ConfigNode.Mapping tree = ConfigSource.load(dir.resolve("sub/child.yaml").toString());
        // the base's ANCHOR_SIZES survive the merge; the child's NUM_DIR_BINS wins, and errors point at the child
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigBinder.bind(Model.class, tree));
        assertEquals("child.yaml:3: DENSE_HEAD.NUM_DIR_BINS: expected an integer, got 'oops'", e.getMessage());
        ConfigNode.Mapping fixed = ConfigSource.override(tree, "DENSE_HEAD.NUM_DIR_BINS=4");
        Model m = ConfigBinder.bind(Model.class, fixed);
        assertEquals(4, m.denseHead().numDirBins());
        assertArrayEquals(new double[] {3.9, 1.6, 1.56}, m.denseHead().anchorSizes());
        assertArrayEquals(new String[] {"c"}, m.tags());
        // an error in a key that came from the base names the base file
        ConfigNode.Mapping badBase = ConfigSource.override(fixed, "dense_head.num_dir_bins=1");
        ConfigException e2 = assertThrows(ConfigException.class,
                () -> ConfigBinder.bind(Model.class, ConfigSource.merge(badBase, ConfigSource.parse("KIND: nope", "x.yaml"))));
        assertEquals("x.yaml:1: KIND: expected one of adam_onecycle, sgd, got 'nope'", e2.getMessage());
    }

    @Test
    void baseCycleIsAnError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "_BASE_CONFIG_: b.yaml\nX: 1\n");
        Files.writeString(dir.resolve("b.yaml"), "_BASE_CONFIG_: a.yaml\nY: 1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSource.load(dir.resolve("a.yaml").toString()));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    }

    @Test
    void setOverridesAndErrors() {
        ConfigNode.Mapping tree = ConfigSource.parse(MODEL, "m.yaml");
        ConfigNode.Mapping t2 = ConfigSource.override(tree, "GROUPS.Car=3");
        assertEquals(3, ConfigBinder.bind(Model.class, t2).groups().get("Car"));
        ConfigNode.Mapping t3 = ConfigSource.override(tree, "DENSE_HEAD.ANCHOR_SIZES=[1, 2]");
        assertArrayEquals(new double[] {1, 2}, ConfigBinder.bind(Model.class, t3).denseHead().anchorSizes());
        ConfigException missing = assertThrows(ConfigException.class, () -> ConfigSource.override(tree, "DENSE_HEAD.NUM_DIR_BIN=3"));
        assertEquals("--set:0: DENSE_HEAD.NUM_DIR_BIN: no such key; did you mean NUM_DIR_BINS?", missing.getMessage());
        ConfigNode.Mapping t4 = ConfigSource.override(tree, "DENSE_HEAD.NUM_DIR_BINS=two");
        ConfigException wrong = assertThrows(ConfigException.class, () -> ConfigBinder.bind(Model.class, t4));
        assertEquals("--set:0: DENSE_HEAD.NUM_DIR_BINS: expected an integer, got 'two'", wrong.getMessage());
    }

    @Test
    void shippedDataAndOptimizationPresetsBind() {
        ConfigNode.Mapping root = ConfigSource.parse("""
                CLASS_NAMES: [Car]
                DATA_CONFIG:
                    _BASE_CONFIG_: cfgs/dataset_configs/kitti_dataset.yaml
                    DATA_PROCESSOR:
                        - NAME: transform_points_to_voxels
                          VOXEL_SIZE: [0.1, 0.1, 0.2]
                          MAX_POINTS_PER_VOXEL: 5
                          MAX_NUMBER_OF_VOXELS: {train: 100, test: 200}
                OPTIMIZATION:
                    _BASE_CONFIG_: kitti_optimization
                    NUM_EPOCHS: 3
                """, "top.yaml");
        DataConfig d = ConfigBinder.bindKey(DataConfig.class, root, "DATA_CONFIG");
        assertArrayEquals(new double[] {0, -40, -3, 70.4, 40, 1}, d.pointCloudRange());
        assertArrayEquals(new double[] {0.1, 0.1, 0.2}, d.voxelSize());
        assertEquals(100, d.maxNumberOfVoxels(true));
        assertEquals(200, d.maxNumberOfVoxels(false));
        assertFalse(d.shufflePoints(true));
        assertNull(d.removeOutsideBoxes());
        assertEquals(4, d.dataAugmentor().enabled().size());
        assertEquals(List.of("Car:20", "Pedestrian:15", "Cyclist:15"), d.dataAugmentor().augConfigList().get(0).sampleGroups());
        assertEquals(List.of(-1), d.dataAugmentor().augConfigList().get(0).prepare().filterByDifficulty());
        OptimizationConfig o = ConfigBinder.bindKey(OptimizationConfig.class, root, "OPTIMIZATION");
        assertEquals(3, o.numEpochs());
        assertEquals(OptimizationConfig.OptimizerType.ADAM_ONECYCLE, o.optimizer());
        assertEquals(1e-7, o.lrClip());
        assertArrayEquals(new int[] {35, 45}, o.decayStepList());
        DataConfig full = ConfigBinder.bind(DataConfig.class, ConfigSource.load("kitti_dataset"));
        assertTrue(full.shufflePoints(true));
        assertEquals(16000, full.maxNumberOfVoxels(true));
        assertEquals(5, full.maxPointsPerVoxel());
    }

    @Test
    void dumpedTreeBindsToTheSameRecord() {
        ConfigNode.Mapping tree = ConfigSource.load("kitti_dataset");
        String yaml = ConfigSource.dump(tree);
        DataConfig a = ConfigBinder.bind(DataConfig.class, tree), b = ConfigBinder.bind(DataConfig.class, ConfigSource.parse(yaml, "dump.yaml"));
        assertArrayEquals(a.pointCloudRange(), b.pointCloudRange());
        assertArrayEquals(a.voxelSize(), b.voxelSize());
        assertEquals(a.dataAugmentor().augConfigList().get(0).sampleGroups(), b.dataAugmentor().augConfigList().get(0).sampleGroups());
        assertEquals(a.maxNumberOfVoxels(true), b.maxNumberOfVoxels(true));
        assertEquals(ConfigNode.toPlain(tree), ConfigNode.toPlain(ConfigSource.parse(yaml, "dump.yaml")));
    }

    @Test
    void exponentWithoutDotIsANumber() {
        record R(double lr) {}
        assertEquals(1e-3, ConfigBinder.bind(R.class, ConfigSource.parse("LR: 1e-3", "r.yaml")).lr());
    }

    /** Round trip of nested records: record -> plain values -> YAML text -> tree -> the same record. */
    @Property(tries = 60)
    void nestedRecordsRoundTripThroughYaml(@ForAll @IntRange(min = 1, max = 1000) int epochs, @ForAll @IntRange(min = 1, max = 64) int batch,
                                           @ForAll double lr, @ForAll boolean warmup, @ForAll OptimizationConfig.OptimizerType type,
                                           @ForAll @IntRange(min = 1, max = 9) int bins, @ForAll List<@net.jqwik.api.constraints.AlphaChars String> names,
                                           @ForAll double[] sizes) {
        net.jqwik.api.Assume.that(lr > 0 && Double.isFinite(lr));
        OptimizationConfig o = new OptimizationConfig(batch, epochs, type, lr, 0.01, 0.9, new double[] {0.95, 0.85}, 0.4, 10, new int[] {35, 45},
                0.1, 1e-7, warmup, 1, 10);
        record Top(List<String> classNames, OptimizationConfig optimization, List<Head> heads, Optional<Head> spare) {}
        Top top = new Top(names, o, List.of(new Head(bins, sizes, names), new Head(1, new double[0], List.of())), Optional.empty());
        String yaml = ConfigSource.dumpPlain(ConfigBinder.unbind(top));
        Top back = ConfigBinder.bind(Top.class, ConfigSource.parse(yaml, "rt.yaml"));
        assertEquals(ConfigBinder.unbind(top), ConfigBinder.unbind(back), yaml);
        assertEquals(lr, back.optimization().lr());
        assertArrayEquals(sizes, back.heads().get(0).anchorSizes());
    }

    @Test
    void sharedNmsConfigBindsAndItsRejectionIsLocated() {
        String yaml = "NMS_CONFIG:\n    MULTI_CLASSES_NMS: False\n    NMS_TYPE: nms_gpu\n    NMS_THRESH: 0.8\n    NMS_PRE_MAXSIZE: 9000\n    NMS_POST_MAXSIZE: 512\n";
        record Head(fuse3d.models.detect.NmsConfig nmsConfig) {}
        assertEquals(512, ConfigBinder.bind(Head.class, ConfigSource.parse(yaml, "h.yaml")).nmsConfig().nmsPostMaxsize());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigBinder.bind(Head.class, ConfigSource.parse(yaml.replace("0.8", "1.5"), "h.yaml")));
        assertTrue(e.getMessage().startsWith("h.yaml:2: NMS_CONFIG: rejected by NmsConfig: NMS_CONFIG: NMS_THRESH 1.5 not in [0, 1]"), e.getMessage());
    }

    /** Round trip: any integer written into the YAML binds back to itself, wherever it sits in the tree. */
    @Property(tries = 50)
    void integersRoundTrip(@ForAll @IntRange(min = 1, max = 1_000_000) int bins, @ForAll @IntRange(min = -1000, max = 1000) int g) {
        String yaml = MODEL.replace("NUM_DIR_BINS: 2", "NUM_DIR_BINS: " + bins).replace("Car: 15", "Car: " + g);
        Model m = ConfigBinder.bind(Model.class, ConfigSource.parse(yaml, "m.yaml"));
        assertEquals(bins, m.denseHead().numDirBins());
        assertEquals(g, m.groups().get("Car"));
    }
}
