package fuse3d.cuda.driver;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Finds a native library file (libcuda, libnvrtc) without loading it: first the path in an environment variable, then
 * the usual CUDA install directories, so that an absent driver is a reason to report, not a crash.
 */
public final class NativeLibraries {
    private NativeLibraries() {}

    /** The directories searched after the environment variable, in order. */
    public static final List<Path> DEFAULT_DIRS = List.of(Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib64"), Path.of("/usr/lib"),
            Path.of("/usr/local/cuda/lib64"), Path.of("/usr/local/cuda/targets/x86_64-linux/lib"), Path.of("/usr/lib/wsl/lib"),
            Path.of("/usr/local/nvidia/lib64"), Path.of("/usr/lib/x86_64-linux-gnu/nvidia/current"));

    /** Where a search ended: the file found, or null with the places looked at (for the one log line). */
    public record Located(Path path, String searched) {
        public boolean found() { return path != null; }
    }

    /**
     * Looks for the library: {@code envVar}'s value when set (a file, or a directory holding one of the names), else
     * each of {@code names} in each of {@code dirs}; a name ending in ".so*" matches the highest-versioned
     * "name.so.N..." file in a directory.
     */
    public static Located locate(String envVar, List<String> names, List<Path> dirs, Function<String, String> env) {
        List<Path> places = new ArrayList<>();
        String v = env.apply(envVar);
        if (v != null && !v.isBlank()) {
            Path p = Path.of(v.trim());
            if (Files.isRegularFile(p)) return new Located(p, envVar + "=" + v);
            if (Files.isDirectory(p)) places.add(p);
            else return new Located(null, envVar + "=" + v + " (no such file)");
        }
        places.addAll(dirs);
        for (Path dir : places)
            for (String name : names) {
                Path hit = name.endsWith("*") ? newestVersion(dir, name.substring(0, name.length() - 1)) : dir.resolve(name);
                if (hit != null && Files.exists(hit)) return new Located(hit, "");
            }
        return new Located(null, (v == null || v.isBlank() ? "$" + envVar + " unset" : envVar + "=" + v) + ", " + names + " in " + places);
    }

    /** The file "prefix" or "prefix.N..." in dir with the highest version, or null. */
    static Path newestVersion(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) return null;
        List<Path> hits = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, prefix + "*")) {
            for (Path p : ds) {
                String rest = p.getFileName().toString().substring(prefix.length());
                if (rest.isEmpty() || rest.matches("(\\.\\d+)+")) hits.add(p);
            }
        } catch (IOException e) {
            return null;
        }
        hits.sort(Comparator.comparing(NativeLibraries::versionKey));
        return hits.isEmpty() ? null : hits.getLast();
    }

    /** "libnvrtc.so.12.4" -> a string that sorts numerically by version ("00012.00004"). */
    private static String versionKey(Path p) {
        String n = p.getFileName().toString();
        int i = n.indexOf(".so");
        String[] parts = n.substring(i + 3).split("\\.");
        StringBuilder sb = new StringBuilder();
        for (String s : parts) if (!s.isEmpty()) sb.append(String.format("%05d.", Long.parseLong(s)));
        return sb.toString();
    }
}
