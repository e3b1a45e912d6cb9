package fuse3d.data.synth;

/** The first surface a ray meets (mutable, one per ray caster thread): distance, normal, material, owner. */
public final class Hit {
    /** Ray parameter of the hit (metres for a unit direction); +inf when the ray meets nothing. */
    public double t = Double.POSITIVE_INFINITY;
    /** Outward unit normal in the scene frame. */
    public double nx, ny, nz;
    public Material material;
    /** Colour multiplier of the hit part, or null. */
    public double[] tint;
    /** The id of the hit {@link SceneObject} (its index in {@link Scene#objects()}), or -1 for the ground. */
    public int objectId = -1;

    public boolean hit() { return t < Double.POSITIVE_INFINITY; }

    void reset(double tMax) {
        t = tMax;
        material = null;
        tint = null;
        objectId = -1;
    }
}
