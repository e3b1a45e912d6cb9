package fuse3d.data.kitti;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** ImageSets split files ({@code ImageSets/train.txt}): one frame id per line, in order. */
public final class KittiSplits {
    private KittiSplits() {}

    /** Frame ids in file order; blank lines are skipped, an id with inner whitespace is an error. */
    public static List<String> read(Path file) throws IOException {
        String[] lines = KittiFiles.lines(KittiFiles.readText(file));
        List<String> ids = new ArrayList<>(lines.length);
        for (int i = 0; i < lines.length; i++) {
            String id = lines[i].strip();
            if (id.isEmpty()) continue;
            if (id.chars().anyMatch(Character::isWhitespace))
                throw KittiFormatException.atLine(file, i + 1, "expected one frame id, got '" + KittiFiles.abbreviate(id) + "'");
            ids.add(id);
        }
        return ids;
    }

    public static void write(Path file, List<String> ids) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String id : ids) {
            if (id.isEmpty() || id.chars().anyMatch(Character::isWhitespace))
                throw new IllegalArgumentException("KittiSplits.write: bad frame id '" + id + "'");
            sb.append(id).append('\n');
        }
        KittiFiles.writeText(file, sb.toString());
    }
}
