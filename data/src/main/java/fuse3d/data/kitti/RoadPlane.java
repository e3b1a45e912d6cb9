package fuse3d.data.kitti;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A road plane from {@code planes/000000.txt} (the files of AVOD / OpenPCDet's GT sampling): the plane
 * {@code a x + b y + c z + d = 0} in the rectified camera frame, stored on the fourth line after the header
 * lines {@code # Plane}, {@code Width 4}, {@code Height 1}.
 */
public record RoadPlane(double a, double b, double c, double d) {

    public static RoadPlane read(Path file) throws IOException {
        String[] lines = KittiFiles.lines(KittiFiles.readText(file));
        if (lines.length < 4) throw KittiFormatException.atLine(file, lines.length + 1, "expected the plane on line 4, the file has " + lines.length + " lines");
        String[] t = lines[3].strip().split("\\s+");
        if (t.length != 4) throw KittiFormatException.atLine(file, 4, "expected 4 plane coefficients, got " + t.length);
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) v[i] = KittiFiles.number(t[i], file, 4, "coefficient " + (i + 1));
        if (v[0] == 0 && v[1] == 0 && v[2] == 0) throw KittiFormatException.atLine(file, 4, "the plane normal is zero");
        return new RoadPlane(v[0], v[1], v[2], v[3]);
    }

    public void write(Path file) throws IOException {
        // shortest exact decimals, so that a write-read round trip gives the same doubles
        KittiFiles.writeText(file, "# Plane\nWidth 4\nHeight 1\n" + KittiFiles.format(a) + " " + KittiFiles.format(b) + " "
                + KittiFiles.format(c) + " " + KittiFiles.format(d) + "\n");
    }

    /**
     * The plane as OpenPCDet's get_road_plane returns it: normal pointing up (camera y is down, so b &lt;= 0) and
     * of unit length.
     */
    public RoadPlane upwardUnit() {
        double s = b > 0 ? -1 : 1;
        double n = Math.sqrt(a * a + b * b + c * c);
        return new RoadPlane(s * a / n, s * b / n, s * c / n, s * d / n);
    }

    /** The camera-frame height y of the plane at (x, z): {@code y = -(a x + c z + d) / b}. */
    public double heightAt(double x, double z) { return -(a * x + c * z + d) / b; }
}
