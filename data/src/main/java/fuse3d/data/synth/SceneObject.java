package fuse3d.data.synth;

import java.util.List;

/**
 * One thing standing in the scene, composed of {@link Part}s in its local frame and placed by a position (the
 * centre of its bottom face) and a heading about z: an annotated object (car, pedestrian, ...) or a static
 * structure (building, pole) with {@code cls == null}.
 *
 * <p>The annotated box is the tight bound of the parts grown by {@link #BOX_MARGIN} on every side, so that every
 * LiDAR return of the object (range noise included) lies inside it.
 */
public final class SceneObject {
    /** How far the labelled box reaches beyond the parts: above the LiDAR's range-noise bound. */
    public static final double BOX_MARGIN = 0.05;

    private final int id;
    private final ObjectClass cls;
    private final double x, y, z, heading, cos, sin;
    private final List<Part> parts;
    private final double[] local; // tight local bounds {x0, y0, z0, x1, y1, z1}
    private final double sx, sy, sz, sr2; // bounding sphere (scene frame), radius squared

    SceneObject(int id, ObjectClass cls, double x, double y, double z, double heading, List<Part> parts) {
        this.id = id;
        this.cls = cls;
        this.x = x;
        this.y = y;
        this.z = z;
        this.heading = heading;
        this.cos = Math.cos(heading);
        this.sin = Math.sin(heading);
        this.parts = List.copyOf(parts);
        double[] b = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
        for (Part p : parts) {
            double[] pb = p.bounds();
            for (int k = 0; k < 3; k++) {
                b[k] = Math.min(b[k], pb[k]);
                b[k + 3] = Math.max(b[k + 3], pb[k + 3]);
            }
        }
        this.local = b;
        double[] c = toScene((b[0] + b[3]) / 2, (b[1] + b[4]) / 2, (b[2] + b[5]) / 2);
        sx = c[0];
        sy = c[1];
        sz = c[2];
        double hx = (b[3] - b[0]) / 2, hy = (b[4] - b[1]) / 2, hz = (b[5] - b[2]) / 2;
        sr2 = hx * hx + hy * hy + hz * hz + 1e-9;
    }

    public int id() { return id; }

    /** The class, or null for a static structure (not annotated). */
    public ObjectClass cls() { return cls; }

    public boolean annotated() { return cls != null; }

    public double heading() { return heading; }

    public List<Part> parts() { return parts; }

    /**
     * The annotated box in the scene frame: (x, y, z at the box centre, dx along the heading, dy, dz, heading),
     * OpenPCDet's LiDAR box layout.
     */
    public double[] box() {
        double m = BOX_MARGIN;
        double[] c = toScene((local[0] + local[3]) / 2, (local[1] + local[4]) / 2, (local[2] + local[5]) / 2);
        return new double[] {c[0], c[1], c[2], local[3] - local[0] + 2 * m, local[4] - local[1] + 2 * m, local[5] - local[2] + 2 * m, heading};
    }

    /** Scene-frame point of a local point. */
    double[] toScene(double lx, double ly, double lz) {
        return new double[] {x + cos * lx - sin * ly, y + sin * lx + cos * ly, z + lz};
    }

    /** BEV footprint radius (for placement without overlap). */
    double footprintRadius() {
        return Math.hypot(Math.max(-local[0], local[3]), Math.max(-local[1], local[4]));
    }

    /**
     * The scene-frame axis-aligned bounds {x min, y min, x max, y max} of the footprint (the tight local bounds
     * turned by the heading) with its bottom centre at (px, py): tighter than the footprint circle for long
     * vehicles along the road.
     */
    double[] bevBounds(double px, double py) {
        double ex = Math.abs(cos) * Math.max(-local[0], local[3]) + Math.abs(sin) * Math.max(-local[1], local[4]);
        double ey = Math.abs(sin) * Math.max(-local[0], local[3]) + Math.abs(cos) * Math.max(-local[1], local[4]);
        return new double[] {px - ex, py - ey, px + ex, py + ey};
    }

    /** {@link #bevBounds(double, double)} where the object stands. */
    double[] bevBounds() { return bevBounds(x, y); }

    /** The same object (parts and heading) under another id, its bottom centre moved to (x, y, z). */
    SceneObject placed(int newId, double nx, double ny, double nz) {
        return new SceneObject(newId, cls, nx, ny, nz, heading, parts);
    }

    double cz() { return z; }

    double cx() { return x; }

    double cy() { return y; }

    /** Updates {@code hit} when this object is met before hit.t; the ray direction is unit length. */
    void intersect(double ox, double oy, double oz, double dx, double dy, double dz, double tMin, Hit hit) {
        // bounding-sphere reject: most rays miss most objects
        double px = sx - ox, py = sy - oy, pz = sz - oz;
        double along = px * dx + py * dy + pz * dz;
        double perp2 = px * px + py * py + pz * pz - along * along;
        if (perp2 > sr2) return;
        if (along + Math.sqrt(sr2) < tMin) return;
        if (along - Math.sqrt(sr2) > hit.t) return;
        // into the local frame: translate, then rotate by -heading
        double rx = ox - x, ry = oy - y;
        double[] o = {cos * rx + sin * ry, -sin * rx + cos * ry, oz - z};
        double[] d = {cos * dx + sin * dy, -sin * dx + cos * dy, dz};
        double[] n = new double[3];
        for (Part p : parts) {
            double t = p.intersect(o, d, tMin, hit.t, n);
            if (t < hit.t) {
                hit.t = t;
                hit.nx = cos * n[0] - sin * n[1];
                hit.ny = sin * n[0] + cos * n[1];
                hit.nz = n[2];
                hit.material = p.material();
                hit.tint = p.tint();
                hit.objectId = id;
            }
        }
    }

    /** Distance from a scene point to the nearest surface of this object. */
    double surfaceDistance(double px, double py, double pz) {
        double rx = px - x, ry = py - y;
        double lx = cos * rx + sin * ry, ly = -sin * rx + cos * ry, lz = pz - z;
        double best = Double.POSITIVE_INFINITY;
        for (Part p : parts) best = Math.min(best, p.surfaceDistance(lx, ly, lz));
        return best;
    }
}
