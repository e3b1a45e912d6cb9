package fuse3d.data.occ3d;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Occ3D's directory tree: ground truth at {@code <root>/<scene>/<sample_token>/labels.npz}, and where the
 * prediction for a sample may be found.
 *
 * <p>Predictions are looked up, in this order, at {@code <pred>/<scene>/<token>/labels.npz} (the same tree as
 * the ground truth, array {@code semantics}), {@code <pred>/<scene>/<token>.npz},
 * {@code <pred>/<scene>_<token>.npz} (GDFusion, array {@code pred}) and {@code <pred>/<token>.npz} (SparseOcc's
 * submission files); the first that exists is used.
 */
public final class Occ3dTree {
    private Occ3dTree() {}

    /** One ground-truth sample: its scene name, its nuScenes sample token and its labels file. */
    public record Sample(String scene, String token, Path labels) {}

    /** The ground-truth samples under {@code root}, sorted by scene, then token. */
    public static List<Sample> list(Path root) throws IOException {
        if (!Files.isDirectory(root)) throw new NoSuchFileException(root.toString(), null, "Occ3D ground-truth root is not a directory");
        List<Sample> out = new ArrayList<>();
        try (Stream<Path> scenes = Files.list(root)) {
            for (Path scene : scenes.filter(Files::isDirectory).toList()) {
                try (Stream<Path> tokens = Files.list(scene)) {
                    for (Path token : tokens.filter(Files::isDirectory).toList()) {
                        Path labels = token.resolve("labels.npz");
                        if (Files.isRegularFile(labels))
                            out.add(new Sample(scene.getFileName().toString(), token.getFileName().toString(), labels));
                    }
                }
            }
        }
        if (out.isEmpty())
            throw new NoSuchFileException(root.toString(), null, "no <scene>/<sample_token>/labels.npz under the Occ3D ground-truth root");
        out.sort(Comparator.comparing(Sample::scene).thenComparing(Sample::token));
        return out;
    }

    /** Where the labels of {@code scene}/{@code token} go in an Occ3D tree rooted at {@code root}. */
    public static Path labelsPath(Path root, String scene, String token) {
        return root.resolve(scene).resolve(token).resolve("labels.npz");
    }

    /** The places a prediction for {@code s} is looked for, in order. */
    public static List<Path> predictionCandidates(Path predRoot, Sample s) {
        return List.of(
                labelsPath(predRoot, s.scene(), s.token()),
                predRoot.resolve(s.scene()).resolve(s.token() + ".npz"),
                predRoot.resolve(s.scene() + "_" + s.token() + ".npz"),
                predRoot.resolve(s.token() + ".npz"));
    }

    /** The prediction file for {@code s}; a missing one is an error naming every place looked at. */
    public static Path findPrediction(Path predRoot, Sample s) throws IOException {
        List<Path> candidates = predictionCandidates(predRoot, s);
        for (Path p : candidates) if (Files.isRegularFile(p)) return p;
        throw new NoSuchFileException(candidates.getFirst().toString(), null,
                "no prediction for sample " + s.scene() + "/" + s.token() + "; looked for " + candidates);
    }
}
