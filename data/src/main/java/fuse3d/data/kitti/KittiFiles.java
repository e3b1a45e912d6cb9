package fuse3d.data.kitti;

import fuse3d.tensor.io.AtomicFiles;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** File plumbing shared by the KITTI readers and writers: atomic writes, number parsing and formatting. */
final class KittiFiles {
    private KittiFiles() {}

    /** Writes through a temporary sibling and an atomic rename (the shared {@link AtomicFiles}). */
    static void writeAtomically(Path target, AtomicFiles.Body body) throws IOException {
        AtomicFiles.write(target, body);
    }

    static void writeText(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        writeAtomically(target, out -> out.write(bytes));
    }

    /** Reads a whole file; a missing one gives a {@link KittiFormatException} naming it. */
    static byte[] readBytes(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new KittiFormatException(String.valueOf(file), null, "no such file", e);
        }
    }

    /** Reads a UTF-8 text file; malformed UTF-8 is reported as such rather than silently replaced. */
    static String readText(Path file) throws IOException {
        byte[] bytes = readBytes(file);
        var dec = StandardCharsets.UTF_8.newDecoder();
        var in = java.nio.ByteBuffer.wrap(bytes);
        var out = java.nio.CharBuffer.allocate(bytes.length);
        var res = dec.decode(in, out, true);
        if (!res.isError()) res = dec.flush(out);
        if (res.isError()) {
            // name the line and the byte of the first bad sequence, so a flipped byte can be found
            int at = in.position(), line = 1;
            for (int i = 0; i < at; i++) if (bytes[i] == '\n') line++;
            throw new KittiFormatException(String.valueOf(file), "line " + line + ", byte " + at, "not UTF-8 text (malformed byte sequence)");
        }
        return out.flip().toString();
    }

    /** Text split into lines (LF or CRLF); a final newline does not make an extra line. */
    static String[] lines(String text) {
        if (text.isEmpty()) return new String[0];
        String[] l = text.split("\r?\n", -1);
        if (l[l.length - 1].isEmpty()) return java.util.Arrays.copyOf(l, l.length - 1);
        return l;
    }

    /** Parses a finite number, or throws naming the file, the line and the field. */
    static double number(String token, Path file, int line, String field) throws KittiFormatException {
        double v;
        try {
            v = Double.parseDouble(token);
        } catch (NumberFormatException e) {
            throw KittiFormatException.atLine(file, line, field + " '" + abbreviate(token) + "' is not a number");
        }
        if (!Double.isFinite(v)) throw KittiFormatException.atLine(file, line, field + " is " + token + ", not a finite number");
        return v;
    }

    static String abbreviate(String s) { return s.length() > 40 ? s.substring(0, 37) + "..." : s; }

    /**
     * A number as KITTI files write them (two decimals) when that is exact, else the shortest decimal that reads
     * back to the same double: labels keep their look and every write-read round trip is exact.
     */
    static String format(double v) {
        if (v == 0) return 1 / v < 0 ? "-0.00" : "0.00"; // keep the sign of -0.0
        BigDecimal exact = BigDecimal.valueOf(v); // shortest repr of the double
        if (exact.scale() <= 2) return exact.setScale(2).toPlainString();
        return exact.toPlainString();
    }
}
