package fuse3d.data.kitti;

import fuse3d.sparse.bev.KittiCalibration;
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

    /**
     * The LiDAR-frame height of this (camera-frame) plane below the LiDAR point (x, y, z), as OpenPCDet's
     * put_boxes_on_road_planes measures it: the point to the rectified camera frame, its camera y replaced by the
     * plane's at its (x, z), back to the LiDAR frame, and that point's z.
     */
    public double lidarHeightBelow(KittiCalibration calib, double x, double y, double z) {
        double[] cam = calib.lidarToRect().apply(x, y, z);
        return calib.rectToLidar().apply(cam[0], heightAt(cam[0], cam[2]), cam[2])[2];
    }

    /**
     * The plane through three camera-frame points, its normal pointing up (b &lt;= 0) and of unit length: how a
     * writer of known ground (the synthetic world) makes a planes file.
     */
    public static RoadPlane through(double[] p1, double[] p2, double[] p3) {
        double ux = p2[0] - p1[0], uy = p2[1] - p1[1], uz = p2[2] - p1[2];
        double vx = p3[0] - p1[0], vy = p3[1] - p1[1], vz = p3[2] - p1[2];
        double a = uy * vz - uz * vy, b = uz * vx - ux * vz, c = ux * vy - uy * vx;
        if (a == 0 && b == 0 && c == 0) throw new IllegalArgumentException("RoadPlane.through: the three points are collinear");
        return new RoadPlane(a, b, c, -(a * p1[0] + b * p1[1] + c * p1[2])).upwardUnit();
    }
}
