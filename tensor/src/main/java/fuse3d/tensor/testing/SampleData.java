package fuse3d.tensor.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the real sample data (six KITTI frames, a nuScenes keyframe, an Occ3D label file) sits on this machine.
 * It is never part of the project (its licences are non-commercial); tests that use it skip, saying why, when it
 * is absent, as on a clean CI clone. Looked up in order: {@code -Dfuse3d.sample.data=DIR}, the environment
 * variable {@code FUSE3D_SAMPLE_DATA}, then {@code shared/data} beside the working directory or any of its
 * parents (the development layout keeps it in {@code ../shared/data} of the checkout).
 */
public final class SampleData {
    private SampleData() {}

    /** The sample-data folder, if one is present. */
    public static Optional<Path> root() {
        for (Path p : candidates()) if (Files.isDirectory(p)) return Optional.of(p);
        return Optional.empty();
    }

    /** A path inside the sample-data folder (e.g. "kitti/training"), if that path exists. */
    public static Optional<Path> find(String relative) {
        return root().map(r -> r.resolve(relative)).filter(Files::exists);
    }

    /**
     * A KITTI root in {@code dir} whose {@code training/velodyne, calib, label_2, image_2} are links to the sample
     * frames (read in place, never copied), so that a test can write splits or a GT database beside them; empty
     * when the sample frames are absent.
     */
    public static Optional<Path> linkedKittiRoot(Path dir) throws IOException {
        Optional<Path> training = find("kitti/training/velodyne").map(Path::getParent);
        if (training.isEmpty()) return Optional.empty();
        Files.createDirectories(dir.resolve("training"));
        for (String d : List.of("velodyne", "calib", "label_2", "image_2"))
            Files.createSymbolicLink(dir.resolve("training").resolve(d), training.get().resolve(d).toAbsolutePath());
        return Optional.of(dir);
    }

    /** The message a skipped test gives: what it needed and where it looked. */
    public static String missing(String relative) {
        return "real sample data '" + relative + "' not found (looked in " + candidates()
                + "; set -Dfuse3d.sample.data or FUSE3D_SAMPLE_DATA to the folder), so this real-data check is skipped";
    }

    private static List<Path> candidates() {
        List<Path> out = new ArrayList<>();
        String prop = System.getProperty("fuse3d.sample.data");
        if (prop != null && !prop.isBlank()) out.add(Path.of(prop));
        String env = System.getenv("FUSE3D_SAMPLE_DATA");
        if (env != null && !env.isBlank()) out.add(Path.of(env));
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) out.add(d.resolve("shared").resolve("data"));
        return out;
    }
}
