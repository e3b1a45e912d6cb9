package fuse3d.data.synth;

/**
 * The surface materials of the synthetic world: what a LiDAR sees (reflectivity, 0..1) and what a camera sees
 * (base colour, 0..1 per channel), shared by every sensor model.
 */
public enum Material {
    ASPHALT(0.12, 0.26, 0.26, 0.28),
    LANE_PAINT(0.70, 0.85, 0.85, 0.80),
    SIDEWALK(0.25, 0.55, 0.53, 0.50),
    KERB(0.30, 0.65, 0.64, 0.62),
    BUILDING(0.35, 0.62, 0.52, 0.42),
    POLE(0.45, 0.50, 0.52, 0.55),
    VEHICLE_PAINT(0.40, 0.60, 0.10, 0.10),
    GLASS(0.05, 0.12, 0.16, 0.20),
    TYRE(0.08, 0.06, 0.06, 0.06),
    CLOTH(0.22, 0.20, 0.25, 0.45),
    SKIN(0.30, 0.85, 0.65, 0.52),
    BICYCLE_FRAME(0.50, 0.15, 0.35, 0.70),
    /** Retro-reflective orange of cones and barriers: the strongest LiDAR return in the scene. */
    RETROREFLECTIVE(0.90, 0.95, 0.45, 0.05),
    VEGETATION(0.20, 0.20, 0.45, 0.15),
    /** A licence plate's retro-reflective sheeting: as bright to a LiDAR as a cone's collar. */
    LICENCE_PLATE(0.90, 0.92, 0.92, 0.88),
    /** Red rear lamps with their retro-reflectors (required at the back of every vehicle): a strong return. */
    TAIL_LIGHT(0.70, 0.75, 0.05, 0.05),
    /** Headlamp lenses over chrome reflectors: brighter than paint, darker than the rear retro-reflectors. */
    HEADLIGHT(0.50, 0.88, 0.88, 0.82);

    /** Diffuse LiDAR reflectivity at normal incidence. */
    public final double reflectivity;
    /** Base colour (r, g, b) in 0..1. */
    public final double r, g, b;

    Material(double reflectivity, double r, double g, double b) {
        this.reflectivity = reflectivity;
        this.r = r;
        this.g = g;
        this.b = b;
    }
}
