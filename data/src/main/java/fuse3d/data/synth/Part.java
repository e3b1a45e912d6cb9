package fuse3d.data.synth;

/**
 * One solid piece of a composed shape, in its owner's local frame (x forward along the heading, y left, z up
 * from the owner's bottom): an axis-aligned box, or a cylinder whose axis is one of the local axes. A car is a
 * body, a cabin, four wheels, lamps and plates; a pedestrian legs, a torso and a head.
 *
 * @param kind      BOX or CYLINDER
 * @param lo        box: minimum corner; cylinder: for the two non-axis coordinates the centre, for the axis the
 *                  lower end
 * @param hi        box: maximum corner; cylinder: hi[axis] is the upper end (other entries ignored)
 * @param axis      the cylinder axis (0 x, 1 y, 2 z); unused for boxes
 * @param radius    the cylinder radius; unused for boxes
 * @param material  what sensors see
 * @param tint      a per-part colour multiplier (r, g, b), e.g. the paint of one car; null for the material's
 */
public record Part(Kind kind, double[] lo, double[] hi, int axis, double radius, Material material, double[] tint) {

    public enum Kind { BOX, CYLINDER }

    public static Part box(double x0, double y0, double z0, double x1, double y1, double z1, Material m, double[] tint) {
        return new Part(Kind.BOX, new double[] {x0, y0, z0}, new double[] {x1, y1, z1}, -1, 0, m, tint);
    }

    /** A cylinder along local axis {@code axis} through centre {@code c}, from c[axis]-len/2 to c[axis]+len/2. */
    public static Part cylinder(int axis, double cx, double cy, double cz, double radius, double length, Material m, double[] tint) {
        double[] lo = {cx, cy, cz}, hi = {cx, cy, cz};
        lo[axis] -= length / 2;
        hi[axis] += length / 2;
        return new Part(Kind.CYLINDER, lo, hi, axis, radius, m, tint);
    }

    /** The part's local axis-aligned bounds: {min x, min y, min z, max x, max y, max z}. */
    public double[] bounds() {
        if (kind == Kind.BOX) return new double[] {lo[0], lo[1], lo[2], hi[0], hi[1], hi[2]};
        double[] b = new double[6];
        for (int k = 0; k < 3; k++) {
            if (k == axis) {
                b[k] = lo[k];
                b[k + 3] = hi[k];
            } else {
                b[k] = lo[k] - radius;
                b[k + 3] = lo[k] + radius;
            }
        }
        return b;
    }

    /**
     * The nearest ray parameter t in (tMin, tMax) where the local ray o + t d enters this part, or +inf; on a hit
     * {@code normal} gets the outward unit normal (local frame).
     */
    double intersect(double[] o, double[] d, double tMin, double tMax, double[] normal) {
        return kind == Kind.BOX ? intersectBox(o, d, tMin, tMax, normal) : intersectCylinder(o, d, tMin, tMax, normal);
    }

    private double intersectBox(double[] o, double[] d, double tMin, double tMax, double[] normal) {
        double tNear = Double.NEGATIVE_INFINITY, tFar = Double.POSITIVE_INFINITY;
        int nearAxis = -1;
        double nearSign = 0;
        for (int k = 0; k < 3; k++) {
            if (d[k] == 0) {
                if (o[k] < lo[k] || o[k] > hi[k]) return Double.POSITIVE_INFINITY;
                continue;
            }
            double inv = 1 / d[k];
            double t0 = (lo[k] - o[k]) * inv, t1 = (hi[k] - o[k]) * inv;
            double s = -1; // entering through the lo face: the outward normal points to -k
            if (t0 > t1) {
                double tmp = t0;
                t0 = t1;
                t1 = tmp;
                s = 1;
            }
            if (t0 > tNear) {
                tNear = t0;
                nearAxis = k;
                nearSign = s;
            }
            if (t1 < tFar) tFar = t1;
            if (tNear > tFar) return Double.POSITIVE_INFINITY;
        }
        // a ray starting inside a part sees no surface of it (sensors are outside every solid)
        if (nearAxis < 0 || tNear <= tMin || tNear >= tMax) return Double.POSITIVE_INFINITY;
        normal[0] = normal[1] = normal[2] = 0;
        normal[nearAxis] = nearSign;
        return tNear;
    }

    private double intersectCylinder(double[] o, double[] d, double tMin, double tMax, double[] normal) {
        int a = axis, u = (axis + 1) % 3, v = (axis + 2) % 3;
        double ou = o[u] - lo[u], ov = o[v] - lo[v];
        double du = d[u], dv = d[v];
        double best = Double.POSITIVE_INFINITY;
        double qa = du * du + dv * dv;
        if (qa > 1e-18) {
            double qb = 2 * (ou * du + ov * dv), qc = ou * ou + ov * ov - radius * radius;
            double disc = qb * qb - 4 * qa * qc;
            if (disc >= 0) {
                double t = (-qb - Math.sqrt(disc)) / (2 * qa); // the entering root
                double z = o[a] + t * d[a];
                if (t > tMin && t < tMax && z >= lo[a] && z <= hi[a]) {
                    best = t;
                    normal[a] = 0;
                    normal[u] = (ou + t * du) / radius;
                    normal[v] = (ov + t * dv) / radius;
                }
            }
        }
        if (d[a] != 0) { // the cap facing the ray
            double cap = d[a] > 0 ? lo[a] : hi[a];
            double t = (cap - o[a]) / d[a];
            if (t > tMin && t < Math.min(tMax, best)) {
                double pu = ou + t * du, pv = ov + t * dv;
                if (pu * pu + pv * pv <= radius * radius) {
                    best = t;
                    normal[u] = normal[v] = 0;
                    normal[a] = d[a] > 0 ? -1 : 1;
                }
            }
        }
        return best;
    }

    /** The Euclidean distance from a local point to this part's surface (0 on it). */
    double surfaceDistance(double x, double y, double z) {
        double[] p = {x, y, z};
        if (kind == Kind.BOX) {
            double outside = 0, inside = Double.POSITIVE_INFINITY;
            boolean in = true;
            for (int k = 0; k < 3; k++) {
                double e = Math.max(lo[k] - p[k], p[k] - hi[k]);
                if (e > 0) {
                    outside += e * e;
                    in = false;
                } else {
                    inside = Math.min(inside, -e);
                }
            }
            return in ? inside : Math.sqrt(outside);
        }
        int a = axis, u = (axis + 1) % 3, v = (axis + 2) % 3;
        double rad = Math.hypot(p[u] - lo[u], p[v] - lo[v]) - radius;   // signed radial distance
        double ax = Math.max(lo[a] - p[a], p[a] - hi[a]);                 // signed axial distance
        if (rad <= 0 && ax <= 0) return Math.min(-rad, -ax);
        double ro = Math.max(rad, 0), ao = Math.max(ax, 0);
        return Math.sqrt(ro * ro + ao * ao);
    }
}
