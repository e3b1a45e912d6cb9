package fuse3d.data.synth;

import java.util.List;

/**
 * A sensor-agnostic synthetic street scene in a scene frame (x along the road, y left, z up; the ground passes
 * z = 0 at the origin): a gently sloped road with raised sidewalks behind kerbs, and {@link SceneObject}s
 * standing on it (annotated objects and static structures). Sensors ({@link Lidar}, {@link Camera}) cast rays into
 * it; any number of them can look at one scene.
 *
 * @param slopeX   ground rise per metre along x
 * @param slopeY   ground rise per metre along y
 * @param roadY    the y of the road's centre line
 * @param roadHalf half the road width (kerb to kerb)
 * @param kerb     the kerb height (sidewalk above road)
 * @param objects  everything standing on the ground, object id = index
 */
public record Scene(long seed, double slopeX, double slopeY, double roadY, double roadHalf, double kerb, List<SceneObject> objects) {

    public Scene {
        objects = List.copyOf(objects);
        for (int i = 0; i < objects.size(); i++)
            if (objects.get(i).id() != i) throw new IllegalArgumentException("Scene: object " + i + " has id " + objects.get(i).id());
    }

    /** Height of the ground (road or sidewalk top) under (x, y). */
    public double groundHeight(double x, double y) {
        return slopeX * x + slopeY * y + (Math.abs(y - roadY) > roadHalf ? kerb : 0);
    }

    /**
     * The first surface along o + t d (d unit length) with tMin < t < tMax; fills {@code hit} and returns whether
     * something was met.
     */
    public boolean intersect(double ox, double oy, double oz, double dx, double dy, double dz, double tMin, double tMax, Hit hit) {
        hit.reset(tMax);
        intersectGround(ox, oy, oz, dx, dy, dz, tMin, hit);
        for (SceneObject o : objects) o.intersect(ox, oy, oz, dx, dy, dz, tMin, hit);
        return hit.material != null;
    }

    private void intersectGround(double ox, double oy, double oz, double dx, double dy, double dz, double tMin, Hit hit) {
        double denom = dz - slopeX * dx - slopeY * dy;
        double norm = Math.sqrt(1 + slopeX * slopeX + slopeY * slopeY);
        for (int level = 0; level < 2; level++) { // 0: road plane, 1: sidewalk plane
            if (denom >= 0) break; // rays going up (relative to the slope) never meet the ground from above
            double off = level == 0 ? 0 : kerb;
            double t = (slopeX * ox + slopeY * oy + off - oz) / denom;
            if (t <= tMin || t >= hit.t) continue;
            double y = oy + t * dy;
            boolean onRoad = Math.abs(y - roadY) <= roadHalf;
            if (onRoad != (level == 0)) continue;
            hit.t = t;
            hit.nx = -slopeX / norm;
            hit.ny = -slopeY / norm;
            hit.nz = 1 / norm;
            hit.objectId = -1;
            hit.tint = null;
            if (level == 1) hit.material = Material.SIDEWALK;
            else hit.material = roadMaterial(ox + t * dx, y);
        }
        // the kerb faces: vertical planes y = roadY +- roadHalf between road and sidewalk height
        if (dy != 0) {
            for (int side = -1; side <= 1; side += 2) {
                double yk = roadY + side * roadHalf;
                double t = (yk - oy) / dy;
                if (t <= tMin || t >= hit.t) continue;
                double x = ox + t * dx, z = oz + t * dz;
                double base = slopeX * x + slopeY * yk;
                if (z < base || z > base + kerb) continue;
                // the face that looks at the road
                if (dy * side < 0) continue;
                hit.t = t;
                hit.nx = 0;
                hit.ny = -side;
                hit.nz = 0;
                hit.objectId = -1;
                hit.tint = null;
                hit.material = Material.KERB;
            }
        }
    }

    /** Dashed centre line and solid edge lines on the asphalt. */
    private Material roadMaterial(double x, double y) {
        double fromCentre = Math.abs(y - roadY);
        if (fromCentre < 0.07 && Math.floorMod((long) Math.floor(x / 3.0), 2L) == 0) return Material.LANE_PAINT;
        if (Math.abs(fromCentre - (roadHalf - 0.3)) < 0.07) return Material.LANE_PAINT;
        return Material.ASPHALT;
    }

    /** Distance from a point to the ground surface (road, sidewalk top or kerb face); an upper bound near kerbs. */
    public double groundDistance(double x, double y, double z) {
        double norm = Math.sqrt(1 + slopeX * slopeX + slopeY * slopeY);
        double base = slopeX * x + slopeY * y;
        double best = Double.POSITIVE_INFINITY;
        double side = Math.abs(y - roadY) - roadHalf; // < 0 on the road
        if (side <= 0.05) best = Math.min(best, Math.abs(z - base) / norm);
        if (side >= -0.05) best = Math.min(best, Math.abs(z - base - kerb) / norm);
        double dz = z < base ? base - z : z > base + kerb ? z - base - kerb : 0;
        best = Math.min(best, Math.hypot(Math.abs(side), dz));
        return best;
    }

    /** Distance from a point to the nearest surface of the scene. */
    public double surfaceDistance(double x, double y, double z) {
        double best = groundDistance(x, y, z);
        for (SceneObject o : objects) best = Math.min(best, o.surfaceDistance(x, y, z));
        return best;
    }

    /** The annotated objects (those with a class). */
    public List<SceneObject> annotated() {
        return objects.stream().filter(SceneObject::annotated).toList();
    }
}
