package fuse3d.data.synth;

import fuse3d.sparse.bev.Pose;
import java.util.stream.IntStream;

/**
 * A pinhole camera that renders a {@link Scene} by casting one ray through every pixel centre (pixel (col, row)
 * is centred on image coordinate (u, v) = (col, row), as KITTI's projection rounds): Lambert shading under a sun
 * plus sky light, a sky gradient above the horizon, and a little deterministic texture noise; with an object-id
 * buffer and a depth buffer of the same pixels for labels and checks. Rows render in parallel; the result does
 * not depend on the thread count.
 *
 * @param fu       focal length in pixels along u
 * @param fv       focal length in pixels along v
 * @param cu       principal point u
 * @param cv       principal point v
 * @param width    image width in pixels
 * @param height   image height in pixels
 */
public record Camera(double fu, double fv, double cu, double cv, int width, int height) {

    private static final double[] SUN = normalise(0.4, 0.3, 0.85);

    /**
     * Renders the scene seen from {@code cameraToScene} (camera axes: x right, y down, z forward).
     *
     * @param seed seeds the texture noise
     */
    public Image render(Scene scene, Pose cameraToScene, long seed) {
        double[] rot = cameraToScene.rotation();
        double[] o = cameraToScene.translationVector();
        byte[] rgb = new byte[width * height * 3];
        int[] ids = new int[width * height];
        float[] depth = new float[width * height];
        IntStream.range(0, height).parallel().forEach(row -> {
            Hit hit = new Hit();
            double[] d = new double[3];
            for (int col = 0; col < width; col++) {
                int px = row * width + col;
                ray(rot, col, row, d);
                double r, g, b;
                if (scene.intersect(o[0], o[1], o[2], d[0], d[1], d[2], 0.05, 300, hit)) {
                    double lambert = Math.max(0, hit.nx * SUN[0] + hit.ny * SUN[1] + hit.nz * SUN[2]);
                    double sky = 0.5 + 0.5 * hit.nz; // hemisphere light: surfaces facing up see more sky
                    double light = 0.25 + 0.25 * sky + 0.6 * lambert;
                    double fog = Math.exp(-hit.t / 250.0);
                    double grain = 1 + 0.06 * (Lidar.unit(Lidar.mix(seed, px)) - 0.5);
                    double[] tint = hit.tint;
                    Material m = hit.material;
                    r = m.r * (tint == null ? 1 : tint[0]) * light * grain;
                    g = m.g * (tint == null ? 1 : tint[1]) * light * grain;
                    b = m.b * (tint == null ? 1 : tint[2]) * light * grain;
                    r = r * fog + 0.75 * (1 - fog);
                    g = g * fog + 0.80 * (1 - fog);
                    b = b * fog + 0.85 * (1 - fog);
                    ids[px] = hit.objectId;
                    depth[px] = (float) (hit.t * dot(rot, d)); // z in the camera frame
                } else {
                    double up = Math.max(0, Math.min(1, 3 * d[2])); // brighter towards the horizon
                    r = 0.75 - 0.35 * up;
                    g = 0.82 - 0.25 * up;
                    b = 0.92 - 0.05 * up;
                    ids[px] = -2;
                    depth[px] = Float.POSITIVE_INFINITY;
                }
                rgb[px * 3] = toByte(r);
                rgb[px * 3 + 1] = toByte(g);
                rgb[px * 3 + 2] = toByte(b);
            }
        });
        return new Image(width, height, rgb, ids, depth);
    }

    /** Pixels of the image where {@code object} alone (nothing in front of it) would show, within a pixel window. */
    public int coverage(SceneObject object, Pose cameraToScene, int col0, int row0, int col1, int row1) {
        double[] rot = cameraToScene.rotation();
        double[] o = cameraToScene.translationVector();
        int c0 = Math.max(0, col0), r0 = Math.max(0, row0), c1 = Math.min(width - 1, col1), r1 = Math.min(height - 1, row1);
        if (c0 > c1 || r0 > r1) return 0;
        return IntStream.rangeClosed(r0, r1).parallel().map(row -> {
            Hit hit = new Hit();
            double[] d = new double[3];
            int n = 0;
            for (int col = c0; col <= c1; col++) {
                ray(rot, col, row, d);
                hit.reset(300);
                object.intersect(o[0], o[1], o[2], d[0], d[1], d[2], 0.05, hit);
                if (hit.material != null) n++;
            }
            return n;
        }).sum();
    }

    /** The unit ray direction (scene frame) through pixel (col, row). */
    void ray(double[] rot, int col, int row, double[] d) {
        double x = (col - cu) / fu, y = (row - cv) / fv, z = 1;
        double inv = 1 / Math.sqrt(x * x + y * y + z * z);
        x *= inv;
        y *= inv;
        z *= inv;
        d[0] = rot[0] * x + rot[1] * y + rot[2] * z;
        d[1] = rot[3] * x + rot[4] * y + rot[5] * z;
        d[2] = rot[6] * x + rot[7] * y + rot[8] * z;
    }

    /** The camera-z component of a scene direction (the third row of the inverse rotation = third column). */
    private static double dot(double[] rot, double[] d) { return rot[2] * d[0] + rot[5] * d[1] + rot[8] * d[2]; }

    private static byte toByte(double v) { return (byte) Math.round(255 * Math.max(0, Math.min(1, v))); }

    private static double[] normalise(double x, double y, double z) {
        double n = Math.sqrt(x * x + y * y + z * z);
        return new double[] {x / n, y / n, z / n};
    }

    /**
     * A rendered image: row-major RGB bytes, the object id of every pixel (-1 ground, -2 sky) and the depth (camera
     * z, +inf for sky).
     */
    public record Image(int width, int height, byte[] rgb, int[] objectIds, float[] depth) {
        public int objectId(int col, int row) { return objectIds[row * width + col]; }
    }
}
