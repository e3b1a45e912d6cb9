package fuse3d.data.kitti;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes label_2 files (ground truth, 15 fields per line) and detection files (16 fields, the last the
 * score). DontCare lines are kept, in file order. Blank lines are skipped; anything else malformed is a
 * {@link KittiFormatException} naming the file and line.
 */
public final class KittiLabels {
    private KittiLabels() {}

    public static List<KittiObject> read(Path file) throws IOException {
        return parse(KittiFiles.readText(file), file);
    }

    /** Parses label text; {@code file} is only used in error messages. */
    public static List<KittiObject> parse(String text, Path file) throws KittiFormatException {
        String[] lines = KittiFiles.lines(text);
        List<KittiObject> out = new ArrayList<>(lines.length);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            out.add(parseLine(line, file, i + 1));
        }
        return out;
    }

    static KittiObject parseLine(String line, Path file, int ln) throws KittiFormatException {
        String[] t = line.split("\\s+");
        if (t.length != 15 && t.length != 16)
            throw KittiFormatException.atLine(file, ln, "expected 15 fields (16 with a score), got " + t.length);
        double[] v = new double[t.length];
        String[] names = {"type", "truncated", "occluded", "alpha", "bbox x1", "bbox y1", "bbox x2", "bbox y2", "height", "width", "length",
            "location x", "location y", "location z", "rotation_y", "score"};
        for (int k = 1; k < t.length; k++) v[k] = KittiFiles.number(t[k], file, ln, names[k]);
        // occlusion is an integer state; some writers print it as 0.00
        if (v[2] != Math.rint(v[2]) || Math.abs(v[2]) > 1000)
            throw KittiFormatException.atLine(file, ln, "occluded '" + t[2] + "' is not an integer");
        return new KittiObject(t[0], v[1], (int) v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14],
                t.length == 16 ? v[15] : Double.NaN);
    }

    /** Writes one line per object (with the score where the object has one), atomically. */
    public static void write(Path file, List<KittiObject> objects) throws IOException {
        KittiFiles.writeText(file, format(objects));
    }

    public static String format(List<KittiObject> objects) {
        StringBuilder sb = new StringBuilder();
        for (KittiObject o : objects) sb.append(o.toLine()).append('\n');
        return sb.toString();
    }
}
