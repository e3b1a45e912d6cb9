package fuse3d.data.synth;

/**
 * The surface materials of the synthetic world: what a LiDAR sees and what a camera sees (base colour, 0..1 per
 * channel), shared by every sensor model.
 *
 * <p>A LiDAR sees two things of a surface. Its <b>echo strength</b> ({@link #reflectivity}) decides whether a
 * return comes back at all (the density model of {@link Lidar}, calibrated against the real frames' point
 * counts). Its <b>intensity</b>, the 0..1 value stored with a point, is the sensor's calibrated reading. That
 * reading is mostly a property of the material, and only weakly of the incidence angle for rough surfaces:
 * KITTI's road reads about 0.28 even at grazing angles. Glossy surfaces (car paint, glass) read near 0 except for
 * a specular flash near normal incidence. So a point's intensity is
 * {@code diffuse * (0.8 + 0.2 cos) + gloss * cos^16}, plus noise (see {@link #intensity}). The values are set so
 * that the synthetic KITTI frames' median road and car intensities match the real sample frames'
 * ({@code SyntheticLidarRealComparisonTest}).
 */
public enum Material {
    //           echo  diffuse gloss   r     g     b
    ASPHALT(0.12, 0.33, 0.00, 0.26, 0.26, 0.28),
    LANE_PAINT(0.70, 0.55, 0.00, 0.85, 0.85, 0.80),
    SIDEWALK(0.25, 0.30, 0.00, 0.55, 0.53, 0.50),
    KERB(0.30, 0.32, 0.00, 0.65, 0.64, 0.62),
    BUILDING(0.35, 0.26, 0.00, 0.62, 0.52, 0.42),
    POLE(0.45, 0.30, 0.20, 0.50, 0.52, 0.55),
    /** Glossy: dark to a LiDAR (real KITTI car points mostly read 0) but for the flash where the ray meets it square. */
    VEHICLE_PAINT(0.40, 0.01, 0.45, 0.60, 0.10, 0.10),
    GLASS(0.05, 0.00, 0.30, 0.12, 0.16, 0.20),
    TYRE(0.08, 0.03, 0.00, 0.06, 0.06, 0.06),
    CLOTH(0.22, 0.20, 0.00, 0.20, 0.25, 0.45),
    SKIN(0.30, 0.25, 0.00, 0.85, 0.65, 0.52),
    BICYCLE_FRAME(0.50, 0.10, 0.40, 0.15, 0.35, 0.70),
    /** Retro-reflective orange of cones and barriers: the strongest LiDAR return in the scene. */
    RETROREFLECTIVE(0.90, 0.92, 0.00, 0.95, 0.45, 0.05),
    /** Leaves and grass are bright in the near infrared. */
    VEGETATION(0.20, 0.40, 0.00, 0.20, 0.45, 0.15),
    /** A licence plate's retro-reflective sheeting: as bright to a LiDAR as a cone's collar. */
    LICENCE_PLATE(0.90, 0.90, 0.00, 0.92, 0.92, 0.88),
    /** Red rear lamps with their retro-reflectors (required at the back of every vehicle): a strong return. */
    TAIL_LIGHT(0.70, 0.70, 0.00, 0.75, 0.05, 0.05),
    /** Headlamp lenses over chrome reflectors: brighter than paint, darker than the rear retro-reflectors. */
    HEADLIGHT(0.50, 0.35, 0.30, 0.88, 0.88, 0.82);

    /** Echo strength at normal incidence (0..1): what decides whether a LiDAR return comes back. */
    public final double reflectivity;
    /** The intensity reading's diffuse part (0..1) and its specular flash at normal incidence. */
    public final double diffuse, gloss;
    /** Base colour (r, g, b) in 0..1. */
    public final double r, g, b;

    Material(double reflectivity, double diffuse, double gloss, double r, double g, double b) {
        this.reflectivity = reflectivity;
        this.diffuse = diffuse;
        this.gloss = gloss;
        this.r = r;
        this.g = g;
        this.b = b;
    }

    /**
     * The LiDAR intensity reading of a return at incidence cosine {@code cos}, before noise:
     * {@code diffuse * (0.8 + 0.2 cos) + gloss * cos^16}, at most 1.
     */
    public double intensity(double cos) {
        double c = Math.max(0, Math.min(1, cos));
        double c2 = c * c, c4 = c2 * c2, c8 = c4 * c4;
        return Math.min(1, diffuse * (0.8 + 0.2 * c) + gloss * c8 * c8);
    }
}
