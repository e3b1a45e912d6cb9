package fuse3d.models.train;

import fuse3d.tensor.io.ScratchDir;
import fuse3d.data.synth.SyntheticKitti;
import fuse3d.models.config.ConfigBinder;
import fuse3d.models.config.ConfigSource;
import fuse3d.models.config.DataConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A small synthetic KITTI dataset written once per test JVM, and the data configs the train tests use. */
final class SynthData {
    private SynthData() {}

    static final int FRAMES = 6;
    static final List<String> CLASSES = List.of("Car", "Pedestrian", "Cyclist");
    private static Path root;

    /** The dataset root (written on first use, deleted at JVM exit). */
    static synchronized Path root() {
        if (root == null) {
            try {
                Path dir = Files.createTempDirectory("fuse3d-synth-kitti");
                SyntheticKitti.write(dir, FRAMES, 7, null);
                root = dir;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    /** A copy of the dataset in {@code dir} (for tests that write into the dataset folder, e.g. the GT database). */
    static Path copyTo(Path dir) throws IOException {
        Path src = root();
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.toList()) {
                Path t = dir.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
        return dir;
    }

    static void deleteTree(Path dir) {
        try {
            ScratchDir.deleteTree(dir);
        } catch (IOException ignored) {
            // best effort at exit
        }
    }

    /** kitti_dataset with a coarse grid, and the given augmentation list (YAML flow text). */
    static DataConfig config(String augList) {
        String yaml = """
                _BASE_CONFIG_: kitti_dataset
                DATA_AUGMENTOR:
                    DISABLE_AUG_LIST: ['placeholder']
                    AUG_CONFIG_LIST: %s
                DATA_PROCESSOR:
                    - NAME: mask_points_and_boxes_outside_range
                      REMOVE_OUTSIDE_BOXES: True
                    - NAME: shuffle_points
                      SHUFFLE_ENABLED: {train: True, test: False}
                    - NAME: transform_points_to_voxels
                      VOXEL_SIZE: [0.4, 0.4, 0.5]
                      MAX_POINTS_PER_VOXEL: 5
                      MAX_NUMBER_OF_VOXELS: {train: 4000, test: 8000}
                """.formatted(augList);
        return ConfigBinder.bind(DataConfig.class, ConfigSource.parse(yaml, "test_data.yaml"));
    }

    /** The KITTI augmentation list with GT sampling of every class. */
    static final String FULL_AUG = """
            [{NAME: gt_sampling, DB_INFO_PATH: [kitti_dbinfos_train.pkl], PREPARE: {filter_by_min_points: ['Car:5', 'Pedestrian:5', 'Cyclist:5'], filter_by_difficulty: [-1]},
              SAMPLE_GROUPS: ['Car:15', 'Pedestrian:10', 'Cyclist:10'], NUM_POINT_FEATURES: 4, REMOVE_EXTRA_WIDTH: [0.0, 0.0, 0.0], LIMIT_WHOLE_SCENE: True},
             {NAME: random_world_flip, ALONG_AXIS_LIST: [x]},
             {NAME: random_world_rotation, WORLD_ROT_ANGLE: [-0.78539816, 0.78539816]},
             {NAME: random_world_scaling, WORLD_SCALE_RANGE: [0.95, 1.05]}]""";
}
