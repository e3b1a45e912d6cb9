package fuse3d.tensor.ops;

/** A module's contribution to the op registry, found through ServiceLoader (META-INF/services). */
public interface OpFamily {
    void register(OpRegistry registry);
}
